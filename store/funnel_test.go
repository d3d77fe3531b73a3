package store_test

import (
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
)

func TestFunnelByCodeAndBySource(t *testing.T) {
	s := openWithWorkspace(t)
	ws := s.ws
	s.UpsertAccount(ctx, ws, siyu.Account{WeComUserID: "founder", Name: "知夏", Active: true})
	if _, err := s.CreateChannelCode(ctx, ws, siyu.ChannelCode{Name: "直播", State: "live", Accounts: []string{"founder"}, Cost: 10000}); err != nil {
		t.Fatal(err)
	}
	at := func(days int) *time.Time { x := t0.Add(time.Duration(days) * 24 * time.Hour); return &x }
	paid := func(ch siyu.Channel, ext string, amount int64, day int, ids ...siyu.Identifier) siyu.OrderInput {
		o := order(ch, ext, amount, ids...)
		o.PlacedAt, o.PaidAt = *at(day), at(day)
		return o
	}
	// Three people first bought on Tmall, one on JD; all but one JD buyer... see below.
	mustImport(t, s.Store, ws,
		paid(siyu.ChannelTmall, "T1", 5000, 0, union("a")), // a: bought before adding only
		paid(siyu.ChannelTmall, "T2", 8000, 0, union("b")), // b: buys again after adding
		paid(siyu.ChannelTmall, "T3", 3000, 0, union("c")), // c: deletes, engaged, no order after
		paid(siyu.ChannelJD, "J1", 1000, 0, union("d")),    // d: never added
		paid(siyu.ChannelTmall, "T4", 12000, 20, union("b")),
		paid(siyu.ChannelWeChat, "W1", 6000, 25, union("e")), // e: added first, then buys
	)
	if _, err := s.UpsertContacts(ctx, ws, []store.ContactInput{
		{AccountUserID: "founder", ExternalUserID: "wa", Identifiers: []siyu.Identifier{union("a")}, State: "live", AddedAt: *at(10)},
		{AccountUserID: "founder", ExternalUserID: "wb", Identifiers: []siyu.Identifier{union("b")}, State: "live", AddedAt: *at(10)},
		{AccountUserID: "founder", ExternalUserID: "wc", Identifiers: []siyu.Identifier{union("c")}, State: "live", AddedAt: *at(10), DeletedAt: at(12), DeletedBy: siyu.DeletedByCustomer},
		{AccountUserID: "founder", ExternalUserID: "we", Identifiers: []siyu.Identifier{union("e")}, State: "live", AddedAt: *at(11)},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordEvents(ctx, ws, []siyu.EventInput{
		{Type: siyu.EventMomentLiked, Identifiers: []siyu.Identifier{union("c")}, OccurredAt: *at(11)},
		{Type: siyu.EventMomentLiked, Identifiers: []siyu.Identifier{union("a")}, OccurredAt: *at(5)}, // before adding: not engaged
	}); err != nil {
		t.Fatal(err)
	}
	rows, err := s.FunnelByCode(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Fatalf("rows: %+v", rows)
	}
	r := rows[0]
	if r.Retained != 4 || r.Deleted != 1 || r.Engaged != 1 || r.Ordered != 2 || r.Revenue != 18000 {
		t.Fatalf("funnel: %+v", r)
	}
	if r.Conversion != 0.5 || r.DeleteRate != 0.25 || r.LTV != 4500 || r.CAC != 2500 || r.ROI != 0.8 {
		t.Fatalf("rates: %+v", r)
	}

	src, err := s.FunnelBySource(ctx, ws, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]store.FunnelRow{}
	for _, x := range src {
		by[x.Key] = x
	}
	if tm := by["tmall"]; tm.Touched != 3 || tm.Retained != 3 || tm.Deleted != 1 || tm.Ordered != 1 || tm.Revenue != 12000 || tm.Retention != 1 {
		t.Fatalf("tmall: %+v", tm)
	}
	if jd := by["jd"]; jd.Touched != 1 || jd.Retained != 0 || jd.Retention != 0 {
		t.Fatalf("jd: %+v", jd)
	}
	if wx := by["wechat_shop"]; wx.Touched != 1 || wx.Retained != 1 || wx.Ordered != 1 || wx.Revenue != 6000 {
		t.Fatalf("wechat_shop: %+v", wx)
	}
}
