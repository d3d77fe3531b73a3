package web_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
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
