package emulator

import (
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"

	"siyu.dev/siyu/wecom"
)

// WrapFaults are failures added in front of an emulator's handler, for the
// fault tests that Policy.Faults cannot express: the rate-limit errcodes at
// a chosen rate (without waiting for a real limit window to end), and
// answers lost after WeCom carried the call out.
type WrapFaults struct {
	Seed uint64
	// FreqLimitRate is the share of /cgi-bin calls answered 45009 (api freq
	// out of limit) without reaching the emulator.
	FreqLimitRate float64
	// ConcurrentRate is the share answered 45033 (api concurrent out of
	// limit) without reaching the emulator.
	ConcurrentRate float64
	// LostAnswerRate is the share of calls the emulator does carry out
	// whose answer is then replaced by an HTTP 502: the caller cannot know
	// whether the call took effect.
	LostAnswerRate float64
	// LostAnswerPaths overrides LostAnswerRate for the paths it names
	// (e.g. wecom.PathAddMsgTemplate, to exercise recovery of a mass message
	// created without Siyu learning its msgid).
	LostAnswerPaths map[string]float64
}

// FaultCounts says how often each wrapped fault was injected.
type FaultCounts struct {
	FreqLimit  int
	Concurrent int
	LostAnswer int
	// LostOn counts the lost answers per path.
	LostOn map[string]int
}

// FaultyHandler is an emulator's handler with WrapFaults in front of it.
type FaultyHandler struct {
	next http.Handler
	mu   sync.Mutex
	f    WrapFaults
	rnd  *rand.Rand
	n    FaultCounts
}

// WithFaults wraps h (an Emulator's Handler) with f. Only /cgi-bin calls are
// affected; the control API is not.
func WithFaults(h http.Handler, f WrapFaults) *FaultyHandler {
	return &FaultyHandler{next: h, f: f, rnd: rand.New(rand.NewPCG(f.Seed, 0x5731)), n: FaultCounts{LostOn: map[string]int{}}}
}

// SetFaults changes the faults, e.g. to turn them off before checking the
// end state.
func (h *FaultyHandler) SetFaults(f WrapFaults) {
	h.mu.Lock()
	defer h.mu.Unlock()
	seed := h.f.Seed
	h.f = f
	h.f.Seed = seed
}

// Counts reports the faults injected so far.
func (h *FaultyHandler) Counts() FaultCounts {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := h.n
	n.LostOn = map[string]int{}
	for k, v := range h.n.LostOn {
		n.LostOn[k] = v
	}
	return n
}

func (h *FaultyHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/cgi-bin/") {
		h.next.ServeHTTP(w, r)
		return
	}
	h.mu.Lock()
	draw := h.rnd.Float64()
	lostRate, ok := h.f.LostAnswerPaths[r.URL.Path]
	if !ok {
		lostRate = h.f.LostAnswerRate
	}
	lost := h.rnd.Float64() < lostRate
	code := 0
	switch {
	case draw < h.f.FreqLimitRate:
		code = wecom.ErrCodeAPIFreqOutOfLimit
		h.n.FreqLimit++
	case draw < h.f.FreqLimitRate+h.f.ConcurrentRate:
		code = wecom.ErrCodeAPIConcurrentOutOfLimit
		h.n.Concurrent++
	case lost:
		h.n.LostAnswer++
		h.n.LostOn[r.URL.Path]++
	}
	h.mu.Unlock()
	switch {
	case code != 0:
		msg := "api freq out of limit"
		if code == wecom.ErrCodeAPIConcurrentOutOfLimit {
			msg = "api concurrent out of limit"
		}
		writeJSON(w, http.StatusOK, wecom.Response{ErrCode: code, ErrMsg: msg})
	case lost:
		// The emulator does the work; the caller never hears of it.
		h.next.ServeHTTP(discardWriter{http.Header{}}, r)
		http.Error(w, "502 Bad Gateway", http.StatusBadGateway)
	default:
		h.next.ServeHTTP(w, r)
	}
}

// discardWriter swallows an answer.
type discardWriter struct{ h http.Header }

func (d discardWriter) Header() http.Header         { return d.h }
func (d discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d discardWriter) WriteHeader(int)             {}
