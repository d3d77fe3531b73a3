package store_test

import (
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

// scoreSet makes n scores with every kind of row: buyers with and without
// CLV or value, and people who never bought (their RFM fields are NULL).
func scoreSet(first int64, n int, salt int) []store.CustomerScore {
	var out []store.CustomerScore
	for i := range n {
		c := store.CustomerScore{CustomerID: first + int64(i), Stage: "new"}
		switch (i + salt) % 4 {
		case 1:
			c.Stage, c.Buyer, c.RecencyDays, c.Frequency, c.Monetary = "first_order", true, i%400, 1, siyu.Fen(100*i+salt)
			c.R, c.F, c.M, c.RFMSegment = 1+i%5, 1, 1+(i+salt)%5, "promising"
		case 2:
			c.Stage, c.Buyer, c.RecencyDays, c.Frequency, c.Monetary = "repeat", true, i%90, 2+i%7, siyu.Fen(1000*i)
			c.R, c.F, c.M, c.RFMSegment = 5, 4, 3, "champions"
			c.HasCLV, c.PAlive, c.ExpectedPurchases = true, 1/float64(i+2), float64(salt)+0.25
		case 3:
			c.Stage, c.Buyer, c.RecencyDays, c.Frequency, c.Monetary = "silent", true, 100+i%50, 3, siyu.Fen(7*i)
			c.R, c.F, c.M, c.RFMSegment = 2, 3, 2, "at_risk"
			c.HasCLV, c.PAlive, c.ExpectedPurchases = true, 0.5, 0.125
			c.HasValue, c.CLV = true, siyu.Fen(i*3+salt)
		}
		out = append(out, c)
	}
	return out
}

func storedScores(t *testing.T, s *store.Store, ws int64, want []store.CustomerScore) {
	t.Helper()
	var n int
	if err := s.DB().QueryRow(`SELECT COUNT(*) FROM customer_scores WHERE workspace_id = $1`, ws).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(want) {
		t.Fatalf("workspace %d: %d score rows, want %d", ws, n, len(want))
	}
	for _, w := range want {
		got, err := s.CustomerScoreOf(ctx, ws, w.CustomerID)
		if err != nil {
			t.Fatalf("customer %d: %v", w.CustomerID, err)
		}
		if got != w {
			t.Fatalf("customer %d:\n got %+v\nwant %+v", w.CustomerID, got, w)
		}
	}
}

func TestSaveScoresReplacesOneWorkspaceWhole(t *testing.T) {
	s, dsn := storetest.OpenDSN(t)
	a, b := workspace(t, s, "a"), workspace(t, s, "b")
	// A row written before the workspace's first refresh (on PostgreSQL it
	// waits in the default partition) is replaced like any other.
	driver := "sqlite"
	if storetest.Postgres() {
		driver = "pgx"
	}
	w, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Exec(`INSERT INTO customer_scores (customer_id, workspace_id, stage, computed_at) VALUES ($1, $2, 'new', 0)`, 999999, a); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	// Enough rows to fill several buffers and many-row INSERTs, and a
	// remainder.
	first := scoreSet(1, 12345, 0)
	if err := s.SaveScores(ctx, a, at, slices.Values(first)); err != nil {
		t.Fatal(err)
	}
	storedScores(t, s, a, first)
	onB := scoreSet(500000, 37, 1)
	if err := s.SaveScores(ctx, b, at, slices.Values(onB)); err != nil {
		t.Fatal(err)
	}
	for i, next := range [][]store.CustomerScore{scoreSet(5, 1001, 2), nil, scoreSet(1, 3, 3)} {
		t.Run(fmt.Sprint("replace ", i), func(t *testing.T) {
			if err := s.SaveScores(ctx, a, at.Add(time.Duration(i)*time.Hour), slices.Values(next)); err != nil {
				t.Fatal(err)
			}
			storedScores(t, s, a, next)
			storedScores(t, s, b, onB)
		})
	}
	if _, err := s.CustomerScoreOf(ctx, b, 1); err != siyu.ErrNotFound {
		t.Fatalf("another workspace's customer: %v, want ErrNotFound", err)
	}
}
