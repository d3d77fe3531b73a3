package rfm

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

func TestReportGolden(t *testing.T) {
	orders := randomOrders(newRand(2024), 1000)
	for _, tt := range []struct {
		name string
		cfg  Config
	}{{"report.golden", Config{}}, {"report-fixed.golden", Config{Scoring: Fixed}}} {
		rep, err := FromOrders(slices.Values(orders), tt.cfg)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := rep.WriteText(&buf); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, tt.name, buf.Bytes())
	}
	rep, err := FromOrders(slices.Values(orders), Config{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, Top(rep.Results, 20, nil)); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "top20.csv.golden", buf.Bytes())
}
