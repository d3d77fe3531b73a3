package clv

import (
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
)

func TestSummarize(t *testing.T) {
	day := func(y int, m time.Month, d, hour int) time.Time {
		return time.Date(y, m, d, hour, 0, 0, 0, siyu.Shanghai)
	}
	end := day(2025, 3, 31, 12) // only its calendar day matters
	txs := []Transaction{
		// a: first on Jan 1, two orders on Jan 8 (one purchase day), Mar 31
		// (the last calibration day counts), Apr 1 (after it: ignored).
		{CustomerID: "a", At: day(2025, 1, 1, 10), Amount: 5000},
		{CustomerID: "a", At: day(2025, 1, 8, 9), Amount: 1000},
		{CustomerID: "a", At: day(2025, 1, 8, 23), Amount: 2000},
		{CustomerID: "a", At: day(2025, 3, 31, 23), Amount: 6000},
		{CustomerID: "a", At: day(2025, 4, 1, 0), Amount: 9900},
		// b: one purchase only.
		{CustomerID: "b", At: day(2025, 3, 3, 8), Amount: 1234},
		// c: first purchase after the calibration end: left out.
		{CustomerID: "c", At: day(2025, 4, 2, 8), Amount: 100},
		// d: 23:30 and 00:30 Shanghai time are different days although
		// both are 15:30 / 16:30 UTC of the same UTC day.
		{CustomerID: "d", At: time.Date(2025, 3, 1, 15, 30, 0, 0, time.UTC).In(siyu.Shanghai), Amount: 100},
		{CustomerID: "d", At: time.Date(2025, 3, 1, 16, 30, 0, 0, time.UTC).In(siyu.Shanghai), Amount: 300},
	}
	got, err := Summarize(txs, end, 7*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	want := []Customer{
		// Jan 1 → Jan 8 = 7 days, → Mar 31 = 89 days; T = 89 days.
		{ID: "a", X: 2, Tx: 89.0 / 7, T: 89.0 / 7, Monetary: (3000 + 6000) / 2.0},
		{ID: "b", X: 0, Tx: 0, T: 28.0 / 7},
		{ID: "d", X: 1, Tx: 1.0 / 7, T: 30.0 / 7, Monetary: 300},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("customer %d: got %+v, want %+v", i, got[i], want[i])
		}
	}

	inDays, err := Summarize(txs, end, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if inDays[0].Tx != 89 || inDays[0].T != 89 {
		t.Errorf("in days: %+v, want t_x = T = 89", inDays[0])
	}
}

func TestSummarizeRejectsBadInput(t *testing.T) {
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		txs     []Transaction
		unit    time.Duration
		wantErr string
	}{
		{"empty id", []Transaction{{CustomerID: "a", At: at}, {At: at}}, time.Hour, "transaction 1: empty customer ID"},
		{"no time", []Transaction{{CustomerID: "a"}}, time.Hour, `transaction 0 (customer "a"): missing time`},
		{"negative amount", []Transaction{{CustomerID: "a", At: at, Amount: -1}}, time.Hour, "negative amount"},
		{"zero unit", nil, 0, "unit 0s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Summarize(tc.txs, at, tc.unit)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}
