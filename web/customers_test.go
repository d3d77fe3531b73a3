package web_test

import (
	"net/http"
	"net/url"
	"testing"
)

func TestCustomerSearch(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seedOrders(f.wsA, "")
	c := f.loggedIn("analyst")

	all := c.get("/customers")
	if all.status != http.StatusOK {
		t.Fatalf("list: %d", all.status)
	}
	// Two customers after the merge: 王小明 (three orders) and 李华.
	mustContain(t, all.body, "王小明", "李华", "138****8000", "¥200.00", "第 1–2 位，共 2 位客户")
	// The last order of 李华, in Shanghai time.
	mustContain(t, all.body, "2026-05-10 12:00")
	// Besides the phone, two identifiers of each customer, and how many more.
	mustContain(t, all.body, "淘宝昵称 · xiaoming", "会员号 · M-001", `<span class="chip chip-muted">&#43;1</span>`, "淘宝昵称 · lihua")
	mustNotContain(t, all.body, "13800138000")

	for _, q := range []string{"13800138000", "+86 138 0013 8000", "jd-wang", "M-001", "小明"} {
		p := c.get("/customers?q=" + url.QueryEscape(q))
		if p.status != http.StatusOK {
			t.Fatalf("search %q: %d", q, p.status)
		}
		mustContain(t, p.body, "王小明")
		mustNotContain(t, p.body, "李华")
	}
	p := c.get("/customers?q=nobody-at-all")
	mustContain(t, p.body, "没有找到与“nobody-at-all”匹配的客户")
	// Queries are escaped, not rendered.
	p = c.get("/customers?q=" + url.QueryEscape(`<b>x</b>`))
	mustNotContain(t, p.body, "<b>x</b>")
}

func TestCustomerPagination(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seedMany(f.wsA, 45)
	c := f.loggedIn("analyst")
	p := c.get("/customers")
	mustContain(t, p.body, "第 1–20 位，共 45 位客户", `href="/customers?page=2"`)
	p = c.get("/customers?page=3")
	mustContain(t, p.body, "第 41–45 位，共 45 位客户", `href="/customers?page=2"`)
	mustNotContain(t, p.body, `rel="next"`)
}

func TestCustomer360(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seedOrders(f.wsA, "")
	id := f.customerID(f.wsA, "13800138000")
	c := f.loggedIn("operator")
	p := c.get("/customers/" + itoa(id))
	if p.status != http.StatusOK {
		t.Fatalf("360: %d", p.status)
	}
	// Name, masked phone, identities, all orders (the merged customer's
	// too) with items, statuses, amount and refund, Shanghai time, the merge
	// log with its undo button, and the chart.
	mustContain(t, p.body, "王小明", "138****8000", "淘宝昵称", "xiaoming",
		"TB1", "JD1", "YZ1", "桂花乌龙茶 礼盒", "× 2", "交易成功", "已付款",
		"¥1,234.50", "¥10.00", "2026-03-01 10:00", "撤销合并", `<svg class="chart"`)
	mustNotContain(t, p.body, "13800138000", "TM9")

	if p := c.get("/customers/999999"); p.status != http.StatusNotFound {
		t.Errorf("unknown id: %d", p.status)
	}
	if p := c.get("/customers/abc"); p.status != http.StatusNotFound {
		t.Errorf("bad id: %d", p.status)
	}
}

func TestMergedAwayCustomerRedirectsToSurvivor(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seedOrders(f.wsA, "")
	id := f.customerID(f.wsA, "13800138000")
	c := f.loggedIn("analyst")
	merged := f.mergedIDOf(id)
	p := c.get("/customers/" + itoa(merged))
	if p.status != http.StatusSeeOther || p.location() != "/customers/"+itoa(id) {
		t.Fatalf("merged-away id: %d %q (survivor %d)", p.status, p.location(), id)
	}
}
