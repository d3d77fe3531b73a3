package web

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
)

func TestFormatMoney(t *testing.T) {
	for _, tc := range []struct {
		fen  siyu.Fen
		want string
	}{
		{0, "¥0.00"},
		{5, "¥0.05"},
		{123450, "¥1,234.50"},
		{100000, "¥1,000.00"},
		{99999, "¥999.99"},
		{123456789012, "¥1,234,567,890.12"},
		{-123450, "-¥1,234.50"},
	} {
		if got := formatMoney(tc.fen); got != tc.want {
			t.Errorf("formatMoney(%d) = %q, want %q", tc.fen, got, tc.want)
		}
	}
}

func TestFormatTimeIsShanghai(t *testing.T) {
	utc := time.Date(2026, 3, 1, 18, 30, 0, 0, time.UTC)
	if got := formatTime(utc); got != "2026-03-02 02:30" {
		t.Errorf("formatTime = %q", got)
	}
	if got := formatTime(&utc); got != "2026-03-02 02:30" {
		t.Errorf("formatTime(ptr) = %q", got)
	}
	if got := formatDate(utc); got != "2026-03-02" {
		t.Errorf("formatDate = %q", got)
	}
	var nilTime *time.Time
	for _, v := range []any{nilTime, time.Time{}, "x", nil} {
		if got := formatTime(v); got != "—" {
			t.Errorf("formatTime(%#v) = %q", v, got)
		}
	}
}

func TestLocalPath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/customers", "/customers"},
		{"/customers/12?undone=1", "/customers/12?undone=1"},
		{"", ""},
		{"customers", ""},
		{"//evil.example/x", ""},
		{"/\\evil.example", ""},
		{"https://evil.example/", ""},
		{"/x\r\nSet-Cookie: a=b", ""},
	} {
		if got := localPath(tc.in); got != tc.want {
			t.Errorf("localPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/customers", "//x", "/\\x", "http://x/", "/a?b=c#d", "/%2F%2Fx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := localPath(s)
		if p == "" {
			return
		}
		if p != s || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n") {
			t.Fatalf("localPath(%q) = %q", s, p)
		}
		// A browser resolving the redirect against our origin stays on it.
		base, _ := url.Parse("https://console.example/here")
		u, err := base.Parse(p)
		if err != nil || u.Host != "console.example" {
			t.Fatalf("localPath(%q) leaves the site: %v %v", s, u, err)
		}
	})
}

func TestOrderChart(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, siyu.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UTC()
	}
	paid := at("2026-05-31 23:30")
	orders := []siyu.Order{
		// 2026-05-31 15:30 UTC is still May 31 in Shanghai.
		{PlacedAt: at("2026-05-31 23:30"), Status: siyu.StatusPaid, PaidAt: &paid, Amount: 1000},
		{PlacedAt: at("2026-05-01 08:00"), Status: siyu.StatusPaid, PaidAt: &paid, Amount: 500},
		{PlacedAt: at("2026-01-15 08:00"), Status: siyu.StatusPending, Amount: 700},
		{PlacedAt: at("2024-01-15 08:00"), Status: siyu.StatusPaid, PaidAt: &paid, Amount: 9999}, // too old
	}
	ch := buildOrderChart(orders)
	if ch == nil || len(ch.Bars) != chartMonths {
		t.Fatalf("chart %+v", ch)
	}
	last := ch.Bars[len(ch.Bars)-1]
	if last.Month != "2026-05" || last.Count != 2 || last.Amount != 1500 {
		t.Errorf("last bar %+v", last)
	}
	if first := ch.Bars[0]; first.Month != "2025-06" {
		t.Errorf("first bar %+v", first)
	}
	jan := ch.Bars[7]
	if jan.Month != "2026-01" || jan.Count != 1 || jan.Amount != 0 {
		t.Errorf("january %+v", jan)
	}
	if last.H != ch.BaseY-chartTop || jan.H != last.H/2 || last.Y+last.H != ch.BaseY {
		t.Errorf("geometry: last %+v jan %+v", last, jan)
	}
	if buildOrderChart(nil) != nil {
		t.Error("chart without orders")
	}
}

func TestFormatProps(t *testing.T) {
	cats, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	props := map[string]any{
		"order_id":    int64(7),         // internal id: hidden
		"external_id": "TB1",            // kept
		"amount_fen":  float64(1234550), // from JSON
		"channel":     "jd",
		"note":        "", // empty: hidden
		"deleted_by":  siyu.DeletedByCustomer,
		"custom":      "x",
	}
	got := formatProps(cats[langZH], props)
	want := "金额: ¥12,345.50 · 渠道: 京东 · custom: x · 删除方: 客户删除了员工 · 订单号: TB1"
	if got != want {
		t.Errorf("zh:\n got %q\nwant %q", got, want)
	}
	if got := formatProps(cats[langEN], map[string]any{"refund_fen": 100}); got != "Refund: ¥1.00" {
		t.Errorf("en: %q", got)
	}
	if got := formatProps(cats[langEN], nil); got != "" {
		t.Errorf("nil: %q", got)
	}
}
