// Package benchutil holds what the benchmark harnesses share: medians and
// the process's peak memory.
package benchutil

import (
	"fmt"
	"os"
	"slices"
	"strings"
)

// Median of xs (the upper middle for an even count); 0 for none.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// PeakRSSMB is the process's peak resident set size (VmHWM) in MB, 0 where
// /proc is not available.
func PeakRSSMB() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			var kb int
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")), "%d", &kb)
			return kb / 1024
		}
	}
	return 0
}

// Key is the secret key benchmark stores are opened with: SIYU_BENCH_KEY
// when set, else a fixed one, so that a prepared database opens again in
// the next run (the store refuses a key it was not created with).
func Key() []byte {
	key := []byte("siyu-benchmark-key-not-a-secret!")
	if k := os.Getenv("SIYU_BENCH_KEY"); k != "" {
		key = make([]byte, 32)
		copy(key, k)
	}
	return key
}
