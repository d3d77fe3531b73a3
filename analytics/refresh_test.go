package analytics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/analytics"
	"siyu.dev/siyu/analytics/lifecycle"
	"siyu.dev/siyu/demo"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

var ctx = context.Background()

func demoStore(t *testing.T, customers int) (*store.Store, int64, time.Time) {
	t.Helper()
	st := storetest.Open(t)
	w, err := st.CreateWorkspace(ctx, "brand", "brand")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, siyu.Shanghai)
	ds := demo.Generate(demo.Config{Seed: 3, Customers: customers, Now: now})
	if res, err := st.ImportOrders(ctx, w.ID, ds.Orders, "test"); err != nil || res.Rejected > 0 {
		t.Fatalf("import: %+v %v", res, err)
	}
	for _, a := range ds.Accounts {
		if _, err := st.UpsertAccount(ctx, w.ID, a); err != nil {
			t.Fatal(err)
		}
	}
	contacts := make([]store.ContactInput, len(ds.Contacts))
	for i, c := range ds.Contacts {
		contacts[i] = store.ContactInput{AccountUserID: c.AccountUserID, ExternalUserID: c.ExternalUserID, Identifiers: c.Identifiers,
			State: c.State, AddedAt: c.AddedAt, DeletedAt: c.DeletedAt, DeletedBy: c.DeletedBy}
	}
	if _, err := st.UpsertContacts(ctx, w.ID, contacts); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordEvents(ctx, w.ID, ds.Events); err != nil {
		t.Fatal(err)
	}
	return st, w.ID, now
}

// The Go RFM must agree, customer by customer, with the same RFM computed
// by one SQL query in the database.
func TestRefreshAgreesWithSQL(t *testing.T) {
	st, ws, now := demoStore(t, 1500)
	snap, err := analytics.Refresh(ctx, st, ws, analytics.Config{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if snap.RFM.Customers != snap.Buyers || snap.Buyers == 0 || snap.Orders == 0 {
		t.Fatalf("snapshot: %d buyers, %d RFM customers, %d orders", snap.Buyers, snap.RFM.Customers, snap.Orders)
	}
	byID := map[int64]int{}
	for i, r := range snap.RFM.Results {
		byID[r.Customer] = i
	}
	asOf := snap.RFM.AsOf.Time()
	n := 0
	err = st.RFMBaseline(ctx, ws, asOf, func(b store.RFMBaselineRow) error {
		i, ok := byID[b.Customer]
		if !ok {
			t.Errorf("customer %d in SQL, not in Go", b.Customer)
			return nil
		}
		r := snap.RFM.Results[i]
		if r.Recency != b.Recency || r.Frequency != b.Frequency || r.Monetary != b.Monetary {
			t.Errorf("customer %d: Go R=%d F=%d M=%d, SQL R=%d F=%d M=%d", b.Customer, r.Recency, r.Frequency, r.Monetary, b.Recency, b.Frequency, b.Monetary)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(snap.RFM.Results) {
		t.Fatalf("SQL has %d customers, Go %d", n, len(snap.RFM.Results))
	}
	if snap.Stages.Total() != snap.Customers {
		t.Fatalf("stages cover %d of %d customers", snap.Stages.Total(), snap.Customers)
	}
	if snap.Cohorts.Customers != snap.Buyers {
		t.Fatalf("cohorts cover %d of %d buyers", snap.Cohorts.Customers, snap.Buyers)
	}
	// The funnel by source, built in Go while the orders stream past, must
	// equal the same funnel computed in SQL.
	sqlRows, err := st.FunnelBySource(ctx, ws, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	bySQL := map[string]store.FunnelRow{}
	for _, r := range sqlRows {
		bySQL[r.Key] = r
	}
	retained := 0
	for _, r := range snap.BySource {
		if q := bySQL[r.Key]; q != r {
			t.Errorf("source %s: Go %+v, SQL %+v", r.Key, r, q)
		}
		retained += r.Retained
	}
	if len(snap.BySource) != len(sqlRows) || retained == 0 {
		t.Fatalf("by source: %d rows in Go, %d in SQL, %d retained", len(snap.BySource), len(sqlRows), retained)
	}
	c := snap.CLV
	if c == nil || c.GammaGamma == nil || c.BGNBD.R <= 0 || c.BGNBD.Alpha <= 0 || c.Repeaters == 0 || c.Customers != snap.Buyers {
		t.Fatalf("clv: %+v", c)
	}
	inHistogram := 0
	for _, b := range c.Histogram {
		inHistogram += b.Customers
	}
	if inHistogram != c.Customers || c.ExpectedPurchases <= 0 || c.MeanCLV <= 0 || c.ProbablyAlive == 0 || c.ProbablyAlive > c.Customers {
		t.Fatalf("clv predictions: %d in histogram of %d, %+v", inHistogram, c.Customers, c)
	}
	t.Logf("bg/nbd r=%.3f alpha=%.3f a=%.3f b=%.3f; gg p=%.2f q=%.2f v=%.2f; mean CLV %s", c.BGNBD.R, c.BGNBD.Alpha, c.BGNBD.A, c.BGNBD.B,
		c.GammaGamma.P, c.GammaGamma.Q, c.GammaGamma.V, c.MeanCLV)
	got, err := analytics.Latest(ctx, st, ws)
	if err != nil {
		t.Fatalf("stored snapshot: %v", err)
	}
	a, _ := json.Marshal(snap)
	b, _ := json.Marshal(got)
	if !bytes.Equal(a, b) {
		t.Fatalf("the stored snapshot does not read back the same:\n%.400s\n%.400s", a, b)
	}
}

func TestOneRefreshAtATime(t *testing.T) {
	st, ws, _ := demoStore(t, 50)
	svc := analytics.NewService(st)
	unlock, ok, err := st.TryLock(ctx, store.LockAnalytics, ws)
	if err != nil || !ok {
		t.Fatal("lock")
	}
	if _, err := svc.Refresh(ctx, ws); !errors.Is(err, analytics.ErrRefreshRunning) {
		t.Fatalf("refresh during another: %v", err)
	}
	unlock()
	if _, err := svc.Refresh(ctx, ws); err != nil {
		t.Fatal(err)
	}
}

// Every customer's stored scores must agree with the refresh's own results
// (RFM by customer, stage counts, CLV totals), and a second refresh must
// replace them rather than add to them.
func TestRefreshStoresCustomerScores(t *testing.T) {
	st, ws, now := demoStore(t, 800)
	var snap *analytics.Snapshot
	var err error
	for range 2 {
		if snap, err = analytics.Refresh(ctx, st, ws, analytics.Config{Now: now}); err != nil {
			t.Fatal(err)
		}
	}
	stages := map[string]int{}
	var clvTotal siyu.Fen
	buyers := 0
	for _, r := range snap.RFM.Results {
		got, err := st.CustomerScoreOf(ctx, ws, r.Customer)
		if err != nil {
			t.Fatalf("customer %d: %v", r.Customer, err)
		}
		if !got.Buyer || got.RecencyDays != r.Recency || got.Frequency != r.Frequency || got.Monetary != r.Monetary ||
			got.R != int(r.R) || got.F != int(r.F) || got.M != int(r.M) || got.RFMSegment != r.Segment.String() {
			t.Fatalf("customer %d: stored %+v, refresh %+v", r.Customer, got, r)
		}
		if !got.HasCLV || got.PAlive < 0 || got.PAlive > 1 || !got.HasValue {
			t.Fatalf("customer %d: CLV not stored: %+v", r.Customer, got)
		}
		clvTotal += got.CLV
		buyers++
	}
	err = st.CustomerIDs(ctx, ws, func(id int64, _ time.Time) error {
		got, err := st.CustomerScoreOf(ctx, ws, id)
		if err != nil {
			return fmt.Errorf("customer %d: %w", id, err)
		}
		stages[got.Stage]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range lifecycle.Stages[1:] {
		if stages[s.String()] != snap.Stages[s] {
			t.Errorf("stage %s: %d stored, %d in the snapshot", s, stages[s.String()], snap.Stages[s])
		}
	}
	// The per-customer values are rounded to the fen one by one.
	if d := clvTotal - snap.CLV.TotalCLV; d < -siyu.Fen(buyers) || d > siyu.Fen(buyers) {
		t.Errorf("stored CLV sums to %d, snapshot total %d", clvTotal, snap.CLV.TotalCLV)
	}
}
