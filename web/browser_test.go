package web_test

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"siyu.dev/siyu"
	"siyu.dev/siyu/demo"
	"siyu.dev/siyu/store"
)

// findBrowser returns the Chromium to drive, or skips the test. With
// SIYU_REQUIRE_BROWSER=1 (CI) a missing browser is a failure instead.
func findBrowser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if os.Getenv("SIYU_REQUIRE_BROWSER") == "1" {
		t.Fatal("no chromium found and SIYU_REQUIRE_BROWSER=1")
	}
	t.Skip("no chromium found; set SIYU_REQUIRE_BROWSER=1 to make this a failure")
	return ""
}

// browser starts a headless Chromium with a fresh profile. The returned
// context has run once, so derived contexts may carry timeouts.
func browser(t *testing.T) context.Context {
	t.Helper()
	execPath := findBrowser(t)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
	)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", execPath, err)
	}
	return ctx
}

func TestBrowser(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t)
	f.seedOrders(f.wsA, "")
	f.seedWeCom(f.wsA)
	base := f.srv.URL

	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(c, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		s, err := chromedp.Run(c, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	// shoot takes a screenshot of the page, kept when SIYU_SCREENSHOTS
	// names a directory, for a person to look at.
	shoot := func(name string) []byte {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		png, err := chromedp.Run(c, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if dir := os.Getenv("SIYU_SCREENSHOTS"); dir != "" {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, png, 0o644); err != nil {
				t.Errorf("saving screenshot: %v", err)
			}
			t.Logf("screenshot: %s", p)
		}
		return png
	}

	do("open the login page",
		chromedp.Navigate(base+"/customers"), // redirects to the login page
		chromedp.WaitVisible(chromedp.ID("login")),
	)
	shoot("login-zh.png")
	do("submit the login form",
		chromedp.SendKeys(chromedp.ID("login"), "operator"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("q")),
	)
	if got := text("h1"); got != "客户" {
		t.Errorf("heading after login: %q", got)
	}

	do("search",
		chromedp.SendKeys(chromedp.ID("q"), "13800138000"),
		chromedp.Click(chromedp.ID("search-submit")),
		chromedp.WaitVisible(chromedp.CSS(`input#q[value="13800138000"]`)),
	)
	if got := text("#customers tbody"); !strings.Contains(got, "王小明") || strings.Contains(got, "李华") {
		t.Fatalf("search result: %q", got)
	}
	shoot("customers-zh.png")

	do("open the 360",
		chromedp.Click(chromedp.CSS("a.customer-link")),
		chromedp.WaitVisible(chromedp.ID("customer-name")),
	)
	if got := text("#customer-name"); got != "王小明" {
		t.Errorf("customer name: %q", got)
	}
	if got := text("#stat-paid"); got != "¥1,373.50" {
		t.Errorf("total paid: %q", got)
	}
	if got := text("#identities"); !strings.Contains(got, "138****8000") || strings.Contains(got, "13800138000") {
		t.Errorf("identities: %q", got)
	}
	if shot := shoot("customer-360-zh.png"); !bytes.HasPrefix(shot, []byte("\x89PNG")) || len(shot) < 10_000 {
		t.Errorf("screenshot is not a plausible PNG (%d bytes)", len(shot))
	}

	do("switch to English",
		chromedp.Click(chromedp.ID("lang-en")),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] #customer-name`)),
	)
	if got := text("#orders h2"); !strings.HasPrefix(got, "Orders") {
		t.Errorf("English orders heading: %q", got)
	}
	if got := text("#logout"); got != "Log out" {
		t.Errorf("English logout button: %q", got)
	}
	shoot("customer-360-en.png")

	csv := filepath.Join(t.TempDir(), "orders.csv")
	if err := os.WriteFile(csv, []byte(genericCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	do("upload an import",
		chromedp.Navigate(base+"/import"),
		chromedp.WaitVisible(chromedp.ID("import-form")),
		chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{csv}),
		chromedp.Click(chromedp.ID("import-submit")),
		chromedp.WaitVisible(chromedp.ID("import-stats")),
	)
	if got := text("#res-inserted"); got != "2" {
		t.Errorf("inserted: %q", got)
	}
	if got := text("#res-rejected"); got != "1" {
		t.Errorf("rejected: %q", got)
	}
	if got := text("#row-errors"); !strings.Contains(got, "amount") {
		t.Errorf("row errors: %q", got)
	}
	shoot("import-result-en.png")

	do("open the channel codes",
		chromedp.Navigate(base+"/codes"),
		chromedp.WaitVisible(chromedp.ID("codes")),
	)
	if got := text("#codes thead"); !strings.Contains(got, "Deletion rate") {
		t.Errorf("English code table head: %q", got)
	}
	shoot("codes-en.png")
	do("back to Chinese",
		chromedp.Click(chromedp.ID("lang-zh")),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-CN"] #codes-chart`)),
	)
	if got := text("h1"); got != "渠道活码" {
		t.Errorf("codes heading: %q", got)
	}
	if got := text("#codes tbody"); !strings.Contains(got, "抖音直播间") || !strings.Contains(got, "66.7%") {
		t.Errorf("codes table: %q", got)
	}
	shoot("codes-zh.png")

	// Make a code with the form, as a person would.
	do("make a code",
		chromedp.Click(chromedp.ID("new-code")),
		chromedp.WaitVisible(chromedp.ID("code-form")),
		chromedp.SendKeys(chromedp.ID("code-name"), "小红书笔记"),
		chromedp.SendKeys(chromedp.ID("code-state"), "xhs_note"),
		chromedp.Click(chromedp.CSS(`input[name="accounts"][value="lisi"]`)),
		chromedp.SendKeys(chromedp.ID("code-tags"), "小红书，种草"),
		chromedp.SendKeys(chromedp.ID("code-welcome"), "谢谢关注！"),
		chromedp.SendKeys(chromedp.ID("code-cost"), "500"),
	)
	shoot("code-new-zh.png")
	do("submit the code",
		chromedp.Click(chromedp.ID("code-submit")),
		chromedp.WaitVisible(chromedp.ID("code-stats")),
	)
	if got := text("#code-name"); got != "小红书笔记" {
		t.Errorf("new code's name: %q", got)
	}
	if got := text("#stat-cost"); got != "¥500.00" {
		t.Errorf("new code's cost: %q", got)
	}
	shoot("code-zh.png")

	do("open the contacts",
		chromedp.Click(chromedp.CSS(`a.nav-item[href="/contacts"]`)),
		chromedp.WaitVisible(chromedp.ID("contact-rows")),
	)
	if got := text("h1"); got != "客户联系" {
		t.Errorf("contacts heading: %q", got)
	}
	if got := text("#contact-rows"); !strings.Contains(got, "赵一") || !strings.Contains(got, "客户删除了员工") {
		t.Errorf("contacts: %q", got)
	}
	shoot("contacts-zh.png")
}

// seedDemo stores a demo brand of n people in a workspace: its accounts,
// orders, contacts and events, as the server's demo loader does, and
// channel codes with a cost for the contact states that brought the most.
func (f *fixture) seedDemo(ws siyu.Workspace, n int) {
	f.t.Helper()
	ctx := context.Background()
	ds := demo.Generate(demo.Config{Seed: 7, Customers: n, Now: time.Now()})
	for _, a := range ds.Accounts {
		if _, err := f.store.UpsertAccount(ctx, ws.ID, a); err != nil {
			f.t.Fatal(err)
		}
	}
	slices.SortStableFunc(ds.Orders, func(a, b siyu.OrderInput) int { return a.PlacedAt.Compare(b.PlacedAt) })
	if res, err := f.store.ImportOrders(ctx, ws.ID, ds.Orders, "demo"); err != nil || res.Rejected > 0 {
		f.t.Fatalf("demo orders: %+v %v", res, err)
	}
	contacts := make([]store.ContactInput, len(ds.Contacts))
	added := map[string]int{}
	for i, c := range ds.Contacts {
		contacts[i] = store.ContactInput{AccountUserID: c.AccountUserID, ExternalUserID: c.ExternalUserID, Identifiers: c.Identifiers,
			Name: c.Name, Remark: c.Remark, State: c.State, AddedAt: c.AddedAt, DeletedAt: c.DeletedAt, DeletedBy: c.DeletedBy}
		added[c.State]++
	}
	if _, err := f.store.UpsertContacts(ctx, ws.ID, contacts); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.store.RecordEvents(ctx, ws.ID, ds.Events); err != nil {
		f.t.Fatal(err)
	}
	states := slices.Collect(maps.Keys(added))
	slices.SortFunc(states, func(a, b string) int { return cmp.Or(cmp.Compare(added[b], added[a]), cmp.Compare(a, b)) })
	kinds := []struct{ prefix, name string }{
		{"store_", "门店导购"}, {"parcel_insert_", "包裹卡"}, {"douyin_live_", "抖音直播"}, {"moments_ad_", "朋友圈广告"},
		{"wxshop_order", "微信小店订单"}, {"after_sale", "售后服务"}, {"card_share", "名片分享"},
	}
	for i, state := range states[:min(6, len(states))] {
		name := state
		for _, k := range kinds {
			if rest, ok := strings.CutPrefix(state, k.prefix); ok {
				name = strings.TrimSpace(k.name + " " + rest)
			}
		}
		_, err := f.store.CreateChannelCode(ctx, ws.ID, siyu.ChannelCode{Name: name, Kind: siyu.CodeChannel,
			State: state, Accounts: []string{ds.Accounts[0].WeComUserID}, Cost: siyu.Fen(50000 * (i + 1))})
		if err != nil {
			f.t.Fatal(err)
		}
	}
}

// failOnConsoleProblems collects the errors and uncaught exceptions of the
// page (CSP refusals are errors too) and fails the test with them when it
// ends, however it ends.
func failOnConsoleProblems(t *testing.T, ctx context.Context) {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	messages := chromedp.Console(ctx)
	var (
		mu       sync.Mutex
		problems []string
		done     = make(chan struct{})
	)
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			switch {
			case m.IsException(), m.Type == chromedp.ConsoleError:
				mu.Lock()
				problems = append(problems, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line))
				mu.Unlock()
			case m.Type == chromedp.ConsoleWarning:
				t.Logf("console warning: %s", m)
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, p := range problems {
			t.Errorf("console: %s", p)
		}
	})
}

// waitFor evaluates a JavaScript condition until it holds. chromedp.Poll
// would build the condition with new Function, which the page's CSP
// refuses.
func waitFor(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := chromedp.Run(c, chromedp.Evaluate[bool](cond))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// chartsDrawn holds when every chart box has a canvas and ECharts has
// finished drawing it.
const chartsDrawn = `(() => {
	const boxes = [...document.querySelectorAll(".chart-box")];
	return boxes.length > 0 && boxes.every(b => b.dataset.rendered === "1" && b.querySelector("canvas"));
})()`

// inkedCharts lists the chart boxes whose canvas has at least 500 pixels
// drawn in it.
const inkedCharts = `[...document.querySelectorAll(".chart-box")].filter(b => {
	const c = b.querySelector("canvas");
	const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
	let n = 0;
	for (let i = 3; i < px.length; i += 4) { if (px[i] > 0) n++; }
	return n >= 500;
}).map(b => b.id)`

func TestBrowserDashboard(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	f := newFixture(t)
	f.seedDemo(f.wsA, 500)
	base := f.srv.URL
	failOnConsoleProblems(t, ctx)

	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(c, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(expr string) []string {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		v, err := chromedp.Run(c, chromedp.Evaluate[[]string](expr))
		if err != nil {
			t.Fatalf("evaluating %s: %v", expr, err)
		}
		return v
	}
	// shoot keeps a screenshot of the whole page, or of what the window
	// shows (a tooltip), when SIYU_SCREENSHOTS names a directory.
	shoot := func(name string, whole bool) {
		t.Helper()
		dir := os.Getenv("SIYU_SCREENSHOTS")
		if dir == "" {
			return
		}
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		capture := chromedp.CaptureScreenshot()
		if whole {
			capture = chromedp.FullScreenshot(100)
		}
		png, err := chromedp.Run(c, capture)
		if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
			t.Fatalf("screenshot: %v", err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Errorf("saving screenshot: %v", err)
		}
		t.Logf("screenshot: %s", p)
	}

	do("log in",
		chromedp.Navigate(base+"/login?next=/dashboard"),
		chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), "operator"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("dashboard-kpis")),
	)
	waitFor(t, ctx, "the charts", chartsDrawn)
	want := []string{"chart-rfm-grid", "chart-segments", "chart-stages", "chart-flow", "chart-trend", "chart-cohorts",
		"chart-by-code", "chart-by-source", "chart-clv"}
	if got := eval(`[...document.querySelectorAll(".chart-box")].map(b => b.id)`); !slices.Equal(got, want) {
		t.Errorf("charts on the page: %v, want %v", got, want)
	}
	if got := eval(inkedCharts); !slices.Equal(got, want) {
		t.Errorf("charts with something drawn: %v, want %v", got, want)
	}
	// Hover a cell of the RFM grid and a bar of the funnel: the tooltips
	// must draw without breaking the CSP.
	for _, id := range []string{"chart-rfm-grid", "chart-by-code"} {
		box := eval(`(() => { const r = document.getElementById("` + id + `").getBoundingClientRect();
			window.scrollTo(0, window.scrollY + r.top - 80);
			const s = document.getElementById("` + id + `").getBoundingClientRect();
			return [String(s.left + s.width / 2), String(s.top + s.height / 2)]; })()`)
		var x, y float64
		fmt.Sscan(box[0], &x)
		fmt.Sscan(box[1], &y)
		do("hover "+id, chromedp.MouseEvent(chromedp.MouseMoved, x, y))
		time.Sleep(300 * time.Millisecond)
		shoot("dashboard-tooltip-"+id+".png", false)
	}
	do("back to the top", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	shoot("dashboard-zh.png", true)

	do("switch to English",
		chromedp.Click(chromedp.ID("lang-en")),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] #dashboard-kpis`)),
	)
	waitFor(t, ctx, "the English charts", chartsDrawn)
	shoot("dashboard-en.png", true)

	do("ask for the stages by day",
		chromedp.SetValue(chromedp.ID("trend-period"), "day"),
		chromedp.SetValue(chromedp.ID("trend-from"), "2026-02-25"),
		chromedp.SetValue(chromedp.ID("trend-to"), "2026-05-31"),
		chromedp.Click(chromedp.ID("trend-show")),
		chromedp.WaitVisible(chromedp.ID("transitions")),
	)
	waitFor(t, ctx, "the daily trend", chartsDrawn)
	if got := eval(inkedCharts); !slices.Contains(got, "chart-trend") {
		t.Errorf("charts with something drawn after asking for days: %v", got)
	}
	do("scroll to the trend", chromedp.ScrollIntoView(chromedp.ID("card-trend")))
	shoot("dashboard-trend-days.png", false)
}
