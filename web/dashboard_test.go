package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/analytics"
	"siyu.dev/siyu/analytics/lifecycle"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/web"
)

// dashboardJSON is the part of the page's data block the tests read.
type dashboardJSON struct {
	Labels map[string]string `json:"labels"`
	RFM    *struct {
		Cells [5][5]struct {
			Customers int    `json:"customers"`
			Monetary  string `json:"monetary"`
			Segment   string `json:"segment"`
		} `json:"cells"`
	} `json:"rfm"`
	Segments []struct {
		Code      string `json:"code"`
		Label     string `json:"label"`
		Customers int    `json:"customers"`
	} `json:"segments"`
	Stages []struct {
		Code      string `json:"code"`
		Customers int    `json:"customers"`
	} `json:"stages"`
	ByCode []struct {
		Name       string  `json:"name"`
		Retained   int     `json:"retained"`
		Ordered    int     `json:"ordered"`
		DeleteRate float64 `json:"delete_rate"`
	} `json:"by_code"`
	BySource []struct {
		Key     string `json:"key"`
		Name    string `json:"name"`
		Touched int    `json:"touched"`
	} `json:"by_source"`
	Trend *struct {
		Months []string `json:"months"`
	} `json:"trend"`
}

var dataBlockRE = regexp.MustCompile(`(?s)<script type="application/json" id="dashboard-data">(.*?)</script>`)

// dashboardData reads the page's JSON data block; ok is false when the
// page has none.
func dashboardData(t *testing.T, body string) (d dashboardJSON, ok bool) {
	t.Helper()
	m := dataBlockRE.FindStringSubmatch(body)
	if m == nil {
		return d, false
	}
	if err := json.Unmarshal([]byte(m[1]), &d); err != nil {
		t.Fatalf("data block is not JSON: %v\n%s", err, m[1])
	}
	return d, true
}

// storedSnapshot is the workspace's snapshot as the store has it.
func (f *fixture) storedSnapshot(ws siyu.Workspace) *analytics.Snapshot {
	f.t.Helper()
	snap, err := analytics.Latest(context.Background(), f.store, ws.ID)
	if err != nil {
		f.t.Fatalf("stored snapshot of %s: %v", ws.Slug, err)
	}
	return snap
}

func asOf(snap *analytics.Snapshot) string {
	return "数据截至 " + snap.ComputedAt.In(siyu.Shanghai).Format("2006-01-02 15:04")
}

func kpi(id, value string) string { return `id="` + id + `">` + value + `<` }

func TestDashboard(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seedOrders(f.wsA, "")
	f.seedWeCom(f.wsA)
	c := f.loggedIn("operator")
	p := c.get("/dashboard")
	if p.status != http.StatusOK {
		t.Fatalf("GET /dashboard: %d\n%s", p.status, p.body)
	}
	if p.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", p.header.Get("Cache-Control"))
	}
	snap := f.storedSnapshot(f.wsA) // the first view computed it
	// Two buyers from the orders (王小明 after the merge, 李华) and 赵一 of
	// the WeCom seed; 赵一 and 王小明 ordered more than once. The three
	// other contacts never ordered.
	mustContain(t, p.body, asOf(snap), "数据看板", `class="nav-item active"`,
		kpi("kpi-customers", itoa(int64(f.customerCount(f.wsA)))), kpi("kpi-buyers", "3"), kpi("kpi-orders", "6"),
		kpi("kpi-repurchase", "66.7%"), kpi("kpi-revenue", "¥2,561.50"),
		`id="dashboard-refresh"`, `action="/dashboard/refresh"`,
		`<script src="/static/vendor/echarts/echarts.min.js?v=`, `<script src="/static/dashboard.js?v=`,
		`id="chart-rfm-grid"`, `id="chart-segments"`, `id="chart-stages"`, `id="chart-by-code"`, `id="chart-by-source"`,
		"/static/vendor/echarts/LICENSE", "/static/vendor/echarts/NOTICE")
	if f.customerCount(f.wsA) != 6 {
		t.Errorf("customers: %d, want 6", f.customerCount(f.wsA))
	}
	// The channel-code table: the live-room code added 3, of whom 1 ordered
	// ¥888 after adding; it cost ¥300: LTV ¥296, CAC ¥100, ROI 196%.
	mustContain(t, p.body, "抖音直播间", "¥296.00", "¥100.00", "196.0%", "33.3%", "66.7%")

	d, ok := dashboardData(t, p.body)
	if !ok {
		t.Fatal("no data block")
	}
	if d.RFM == nil {
		t.Fatal("no RFM in the data block")
	}
	total := 0
	for r := range 5 {
		for fs := range 5 {
			got, want := d.RFM.Cells[r][fs], snap.RFM.Grid[r][fs]
			if got.Customers != want.Customers {
				t.Errorf("cell R%d F%d: %d customers, want %d", r+1, fs+1, got.Customers, want.Customers)
			}
			total += got.Customers
			if got.Segment == "" || !strings.HasPrefix(got.Monetary, "¥") {
				t.Errorf("cell R%d F%d: %+v", r+1, fs+1, got)
			}
		}
	}
	if total != 3 {
		t.Errorf("the grid holds %d customers, want 3", total)
	}
	if d.Labels["customers"] != "客户数" || d.Labels["pair"] == "" {
		t.Errorf("labels: %v", d.Labels)
	}
	if len(d.Segments) != 10 || d.Segments[0].Label != "冠军客户" {
		t.Errorf("segments: %+v", d.Segments)
	}
	var staged int
	for _, s := range d.Stages {
		staged += s.Customers
	}
	if staged != 6 {
		t.Errorf("stages add up to %d, want 6: %+v", staged, d.Stages)
	}
	if len(d.ByCode) != 2 || d.ByCode[0].Name != "抖音直播间" || d.ByCode[0].Retained != 3 || d.ByCode[0].DeleteRate != 66.7 {
		t.Errorf("funnel by code: %+v", d.ByCode)
	}
	sources := map[string]string{}
	for _, s := range d.BySource {
		sources[s.Key] = s.Name
	}
	if sources["taobao"] != "淘宝" || sources["tmall"] != "天猫" {
		t.Errorf("funnel by source: %+v", d.BySource)
	}

	// English, from the same snapshot.
	c.get("/lang?to=en&back=/dashboard")
	p = c.get("/dashboard")
	mustContain(t, p.body, "Data as of "+snap.ComputedAt.In(siyu.Shanghai).Format("2006-01-02 15:04"), "Dashboard", "Repurchase rate")
	d, _ = dashboardData(t, p.body)
	if d.Labels["customers"] != "Customers" || len(d.Segments) == 0 || d.Segments[0].Label != "Champions" {
		t.Errorf("English data: labels %v, segments %+v", d.Labels, d.Segments)
	}
}

func TestDashboardNavItemComesFirst(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p := f.loggedIn("analyst").get("/customers")
	i, j := strings.Index(p.body, `href="/dashboard"`), strings.Index(p.body, `href="/customers" class="nav-item`)
	if i < 0 || j < 0 || i > j {
		t.Errorf("dashboard nav item at %d, customers at %d", i, j)
	}
	mustContain(t, p.body, "数据看板")
}

// The data block is JSON inside a script element: a name that tries to end
// the element stays a string.
func TestDashboardEscapesTheDataBlock(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	const evil = `</script><script>alert("x")</script><!--`
	if err := f.store.SetWeComApp(ctx, f.wsA.ID, siyu.WeComApp{CorpID: "ww", Secret: "s", Token: "t", EncodingAESKey: strings.Repeat("k", 43)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.UpsertAccount(ctx, f.wsA.ID, siyu.Account{WeComUserID: "zhangsan", Name: "张三", Active: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.CreateChannelCode(ctx, f.wsA.ID, siyu.ChannelCode{Name: evil, Kind: siyu.CodeChannel, State: "evil", Accounts: []string{"zhangsan"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.UpsertContacts(ctx, f.wsA.ID, []store.ContactInput{{AccountUserID: "zhangsan", ExternalUserID: "wmEvil", Name: "某人", State: "evil", AddedAt: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	p := f.loggedIn("analyst").get("/dashboard")
	if strings.Contains(p.body, evil) || strings.Contains(p.body, `<script>alert`) {
		t.Fatal("the code's name is on the page unescaped")
	}
	d, ok := dashboardData(t, p.body)
	if !ok || len(d.ByCode) != 1 || d.ByCode[0].Name != evil {
		t.Fatalf("data block: %+v", d.ByCode)
	}
	mustContain(t, p.body, html.EscapeString(evil)) // the table
}

func TestDashboardRefresh(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seedOrders(f.wsA, "")
	operator := f.loggedIn("operator")
	mustContain(t, operator.get("/dashboard").body, kpi("kpi-orders", "4"), kpi("kpi-buyers", "2"))
	first := f.storedSnapshot(f.wsA)

	// New orders show only after a refresh: the page reads the snapshot.
	f.seedMany(f.wsA, 5)
	mustContain(t, operator.get("/dashboard").body, kpi("kpi-orders", "4"))

	analyst := f.loggedIn("analyst")
	p := analyst.get("/dashboard")
	if p.status != http.StatusOK {
		t.Fatalf("analyst: %d", p.status)
	}
	mustContain(t, p.body, kpi("kpi-orders", "4"))
	mustNotContain(t, p.body, `id="dashboard-refresh"`, `action="/dashboard/refresh"`)
	if p := analyst.post("/dashboard/refresh", url.Values{"csrf": {analyst.csrf()}}); p.status != http.StatusForbidden {
		t.Errorf("analyst refresh: %d", p.status)
	}
	tok := operator.csrf()
	for name, tc := range map[string]struct {
		form    url.Values
		headers map[string]string
	}{
		"no token":       {url.Values{}, map[string]string{"Origin": f.srv.URL}},
		"wrong token":    {url.Values{"csrf": {tok + "x"}}, map[string]string{"Origin": f.srv.URL}},
		"foreign origin": {url.Values{"csrf": {tok}}, map[string]string{"Origin": "http://evil.example"}},
	} {
		if p := operator.postWith("/dashboard/refresh", tc.form, tc.headers); p.status != http.StatusForbidden {
			t.Errorf("refresh with %s: %d", name, p.status)
		}
	}
	if got := f.storedSnapshot(f.wsA); !got.ComputedAt.Equal(first.ComputedAt) || got.Orders != 4 {
		t.Fatalf("a refused refresh recomputed: %v, %d orders", got.ComputedAt, got.Orders)
	}

	p = operator.post("/dashboard/refresh", url.Values{"csrf": {tok}})
	if p.status != http.StatusSeeOther || p.location() != "/dashboard?refreshed=1" {
		t.Fatalf("refresh: %d %q", p.status, p.location())
	}
	now := f.storedSnapshot(f.wsA)
	if now.Orders != 9 || now.Buyers != 7 {
		t.Fatalf("after refresh: %d orders, %d buyers", now.Orders, now.Buyers)
	}
	p = operator.get(p.location())
	mustContain(t, p.body, "数据已重新计算", kpi("kpi-orders", "9"), kpi("kpi-buyers", "7"), asOf(now))

	admin := f.loggedIn("admin")
	if p := admin.post("/dashboard/refresh", url.Values{"csrf": {admin.csrf()}}); p.status != http.StatusSeeOther {
		t.Errorf("admin refresh: %d", p.status)
	}
}

func TestDashboardIsolation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seedOrders(f.wsA, "")
	f.seedWeCom(f.wsA)
	f.seedMany(f.wsB, 7)

	bob := f.loggedIn("bob") // admin of B only
	p := bob.get("/dashboard")
	mustContain(t, p.body, kpi("kpi-buyers", "7"), kpi("kpi-orders", "7"), kpi("kpi-customers", "7"))
	mustNotContain(t, p.body, "抖音直播间", "dy_live", kpi("kpi-buyers", "3"))
	d, ok := dashboardData(t, p.body)
	if !ok || len(d.ByCode) != 0 || len(d.BySource) != 1 || d.BySource[0].Key != "offline" || d.BySource[0].Touched != 7 {
		t.Fatalf("B's data block: %+v %+v", d.ByCode, d.BySource)
	}

	// The admin of A is an analyst of B: B's numbers, and no refresh.
	admin := f.loggedIn("admin")
	mustContain(t, admin.get("/dashboard").body, kpi("kpi-buyers", "3"), "抖音直播间", `id="dashboard-refresh"`)
	if p := admin.post("/workspace", url.Values{"csrf": {admin.csrf()}, "workspace_id": {itoa(f.wsB.ID)}}); p.status != http.StatusSeeOther {
		t.Fatalf("switch: %d", p.status)
	}
	p = admin.get("/dashboard")
	mustContain(t, p.body, kpi("kpi-buyers", "7"))
	mustNotContain(t, p.body, "抖音直播间", `id="dashboard-refresh"`)
	if p := admin.post("/dashboard/refresh", url.Values{"csrf": {admin.csrf()}}); p.status != http.StatusForbidden {
		t.Errorf("analyst of B refreshed: %d", p.status)
	}
}

// otherWorkspace is an analytics source that answers with the snapshot of
// one workspace, whichever is asked for: the console must refuse it.
type otherWorkspace struct {
	st   *store.Store
	svc  *analytics.Service
	slug string
}

func (o otherWorkspace) Latest(ctx context.Context, _ int64) (*analytics.Snapshot, error) {
	w, err := o.st.WorkspaceBySlug(ctx, o.slug)
	if err != nil {
		return nil, err
	}
	return o.svc.Latest(ctx, w.ID)
}

func (o otherWorkspace) Refresh(ctx context.Context, _ int64) (*analytics.Snapshot, error) {
	w, err := o.st.WorkspaceBySlug(ctx, o.slug)
	if err != nil {
		return nil, err
	}
	return o.svc.Refresh(ctx, w.ID)
}

func (o otherWorkspace) LifecycleFlows(ctx context.Context, _ int64, r lifecycle.Range) (*lifecycle.Flow, error) {
	w, err := o.st.WorkspaceBySlug(ctx, o.slug)
	if err != nil {
		return nil, err
	}
	return o.svc.LifecycleFlows(ctx, w.ID, r)
}

func TestDashboardRefusesASnapshotOfAnotherWorkspace(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, false, func(cfg *web.Config) {
		st := cfg.Store.(*store.Store)
		cfg.Analytics = otherWorkspace{st: st, svc: analytics.NewService(st), slug: "brand-a"}
	})
	f.seedWeCom(f.wsA)
	if p := f.loggedIn("operator").get("/dashboard"); p.status != http.StatusOK {
		t.Fatalf("A's own dashboard: %d", p.status)
	}
	p := f.loggedIn("bob").get("/dashboard") // bob is of B; the source answers with A
	if p.status != http.StatusInternalServerError {
		t.Fatalf("status %d", p.status)
	}
	mustNotContain(t, p.body, "抖音直播间", "dashboard-data")
}

func TestDashboardUnavailable(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, false, func(cfg *web.Config) { cfg.Analytics = nil })
	f.seedOrders(f.wsA, "")
	c := f.loggedIn("operator")
	p := c.get("/dashboard")
	if p.status != http.StatusOK {
		t.Fatalf("status %d", p.status)
	}
	mustContain(t, p.body, `id="dashboard-unavailable"`, "数据看板暂不可用")
	mustNotContain(t, p.body, "dashboard-data", "echarts.min.js", `id="dashboard-refresh"`)
	if p := c.post("/dashboard/refresh", url.Values{"csrf": {c.csrf()}}); p.status != http.StatusNotFound {
		t.Errorf("refresh without analytics: %d", p.status)
	}
}

func TestDashboardEmptyWorkspace(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p := f.loggedIn("bob").get("/dashboard")
	if p.status != http.StatusOK {
		t.Fatalf("status %d", p.status)
	}
	mustContain(t, p.body, `id="dashboard-empty"`, "还没有可分析的客户和订单", `href="/import"`, `id="dashboard-refresh"`,
		asOf(f.storedSnapshot(f.wsB)))
	mustNotContain(t, p.body, "dashboard-data", "echarts.min.js", `id="dashboard-kpis"`)
}

func TestDashboardScriptsAreCachedByVersion(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seedOrders(f.wsA, "")
	c := f.loggedIn("analyst")
	p := c.get("/dashboard")
	src := regexp.MustCompile(`src="(/static/vendor/echarts/echarts\.min\.js\?v=[0-9a-f]+)"`).FindStringSubmatch(p.body)
	if src == nil {
		t.Fatalf("no versioned ECharts link:\n%s", p.body)
	}
	js := c.get(html.UnescapeString(src[1]))
	if js.status != http.StatusOK || !strings.Contains(js.header.Get("Cache-Control"), "immutable") ||
		!strings.HasPrefix(js.header.Get("Content-Type"), "text/javascript") || len(js.body) < 500_000 {
		t.Fatalf("versioned ECharts: %d %q %q, %d bytes", js.status, js.header.Get("Cache-Control"), js.header.Get("Content-Type"), len(js.body))
	}
	for _, path := range []string{"/static/vendor/echarts/echarts.min.js", "/static/vendor/echarts/echarts.min.js?v=0000", "/static/app.css"} {
		if got := c.get(path).header.Get("Cache-Control"); got != "public, max-age=3600" {
			t.Errorf("%s: Cache-Control %q", path, got)
		}
	}
	for _, path := range []string{"/static/vendor/echarts/LICENSE", "/static/vendor/echarts/NOTICE"} {
		if p := c.get(path); p.status != http.StatusOK || !strings.Contains(p.body, "Apache") {
			t.Errorf("%s: %d", path, p.status)
		}
	}
}

// The trend card recomputes the stages by day over a range asked for and
// lists the transitions; a bad range is said on the card.
func TestDashboardTrendRange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seedOrders(f.wsA, "")
	u := f.loggedIn("operator")
	p := u.get("/dashboard?trend=day&from=2026-02-25&to=2026-05-31")
	if p.status != http.StatusOK {
		t.Fatalf("status %d", p.status)
	}
	mustContain(t, p.body, `id="transitions"`, `<td class="mono">2026-03-01</td>`, `<td class="mono">2026-05-10</td>`,
		`<option value="day" selected>`, `value="2026-02-25"`, "阶段流转明细")
	d, ok := dashboardData(t, p.body)
	if !ok || d.Trend == nil || len(d.Trend.Months) != 96 || d.Trend.Months[0] != "2026-02-25" {
		t.Fatalf("trend data: %+v", d.Trend)
	}
	for _, bad := range []string{"trend=hour", "trend=day&from=2026-13-01", "trend=day&from=2026-05-31&to=2026-02-25", "trend=day&from=2024-01-01&to=2026-05-31"} {
		p := u.get("/dashboard?" + bad)
		if p.status != http.StatusOK {
			t.Fatalf("%s: status %d", bad, p.status)
		}
		mustContain(t, p.body, `id="trend-error"`)
		mustNotContain(t, p.body, `id="transitions"`)
	}
}
