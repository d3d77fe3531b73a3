package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"siyu.dev/siyu/campaign"
	"siyu.dev/siyu/dispatch"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/web"
)

// A person walks through the reach pages in a real browser: every page
// renders without a console error or a CSP violation, and the segment
// editor previews the count as one types and points at a mistake.
func TestBrowserReachPages(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	f := newFixtureWith(t, false, func(cfg *web.Config) {
		st := cfg.Store.(*store.Store)
		cfg.Campaigns = campaign.New(st, dispatch.New(st, nil, dispatch.Options{}))
	})
	f.seedDemo(f.wsA, 200)
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

	do("log in",
		chromedp.Navigate(base+"/login?next=/segments"),
		chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("nav-segments")),
	)
	for _, nav := range []string{"nav-segments", "nav-campaigns", "nav-fission", "nav-journeys", "nav-groups", "nav-douyin", "nav-tags", "nav-tasks", "nav-audit"} {
		do("open "+nav,
			chromedp.Click(chromedp.ID(nav)),
			chromedp.WaitVisible(chromedp.CSS(`#`+nav+`.active`)),
			chromedp.WaitVisible(chromedp.CSS(`h1`)),
		)
		if h := text("h1"); h == "" || strings.Contains(h, "500") {
			t.Errorf("%s: heading %q", nav, h)
		}
	}

	do("a new segment",
		chromedp.Navigate(base+"/segments/new"),
		chromedp.WaitVisible(chromedp.ID("segment-rule")),
		chromedp.SendKeys(chromedp.ID("segment-rule"), `order_count >= 1`),
	)
	waitFor(t, ctx, "the preview count", `/\d/.test(document.getElementById("segment-preview").textContent) && !document.getElementById("segment-preview").classList.contains("alert")`)
	do("a mistake",
		chromedp.Evaluate[chromedp.Void](`document.getElementById("segment-rule").value = ""`),
		chromedp.SendKeys(chromedp.ID("segment-rule"), `order_count = 1`),
	)
	waitFor(t, ctx, "the error", `document.getElementById("segment-preview").classList.contains("alert")`)
	if got := text("#segment-preview"); !strings.Contains(got, "1:13") {
		t.Errorf("the preview does not point at the mistake: %q", got)
	}
}
