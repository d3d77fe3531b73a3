package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/campaign"
	"siyu.dev/siyu/dispatch"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/web"
)

var _ web.CampaignService = (*campaign.Service)(nil)

func TestCampaignPages(t *testing.T) {
	f := newFixtureWith(t, false, func(cfg *web.Config) {
		st := cfg.Store.(*store.Store)
		cfg.Campaigns = campaign.New(st, dispatch.New(st, nil, dispatch.Options{}))
	})
	ctx := context.Background()
	if _, err := f.store.UpsertAccount(ctx, f.wsA.ID, siyu.Account{WeComUserID: "alice", Name: "Alice", Active: true}); err != nil {
		t.Fatal(err)
	}
	var in []store.ContactInput
	for i := 0; i < 3; i++ {
		in = append(in, store.ContactInput{AccountUserID: "alice", ExternalUserID: fmt.Sprint("wm", i), Name: fmt.Sprint("客户", i)})
	}
	if _, err := f.store.UpsertContacts(ctx, f.wsA.ID, in); err != nil {
		t.Fatal(err)
	}
	op := f.client()
	op.login("operator")
	csrf := op.csrf()
	p := op.get("/campaigns")
	if p.status != http.StatusOK {
		t.Fatalf("GET /campaigns: %d", p.status)
	}
	mustContain(t, p.body, `id="no-campaigns"`, `id="nav-campaigns"`, `id="new-campaign"`)
	mustNotContain(t, p.body, `id="reach-settings"`)

	sendAt := time.Now().In(siyu.Shanghai).Add(2 * time.Hour).Format("2006-01-02T15:04")
	form := url.Values{"csrf": {csrf}, "name": {"春季上新"}, "audience_kind": {"all"}, "text_a": {"{{nick}} 你好"},
		"weight_a": {"1"}, "holdout_pct": {"0"}, "send_at": {sendAt}, "attribution_days": {"7"}}
	p = op.post("/campaigns", form)
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad variable: %d", p.status)
	}
	mustContain(t, p.body, `id="campaign-error"`, "variants[0].message.text", "{{nick}}")
	form.Set("text_a", "{{name|朋友}}，新品到了")
	p = op.post("/campaigns", form)
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/campaigns/") {
		t.Fatalf("create: %d %s", p.status, p.location())
	}
	self := p.location()
	p = op.get(self)
	mustContain(t, p.body, `id="not-planned"`, `id="plan-campaign"`, `id="launch-campaign"`, "春季上新")

	if p = op.post(self+"/plan", url.Values{"csrf": {csrf}}); p.status != http.StatusSeeOther {
		t.Fatalf("plan: %d", p.status)
	}
	p = op.get(self)
	mustContain(t, p.body, `id="plan-receive">3<`, `id="by-account"`, `id="by-variant"`)

	analyst := f.client()
	analyst.login("analyst")
	if p := analyst.post(self+"/launch", url.Values{"csrf": {analyst.csrf()}}); p.status != http.StatusForbidden {
		t.Fatalf("analyst launch: %d", p.status)
	}
	if p := op.post(self+"/launch", url.Values{}); p.status != http.StatusForbidden {
		t.Fatalf("launch without CSRF: %d", p.status)
	}
	if p = op.post(self+"/launch", url.Values{"csrf": {csrf}}); p.status != http.StatusSeeOther {
		t.Fatalf("launch: %d %s", p.status, p.body)
	}
	p = op.get(self)
	mustContain(t, p.body, `id="results-table"`, `data-group="A"`)
	mustNotContain(t, p.body, `id="launch-campaign"`)
	counts, err := f.store.SendCounts(ctx, f.wsA.ID, mustID(t, self))
	if err != nil || len(counts) != 1 || counts[0].N != 3 {
		t.Fatalf("sends after launch: %v %v", counts, err)
	}

	bob := f.client()
	bob.login("bob")
	if p := bob.get(self); p.status != http.StatusNotFound {
		t.Fatalf("another workspace's admin sees the campaign: %d", p.status)
	}

	// Reach limits: admins only; a bad value names the field.
	if p := op.get("/campaigns/settings"); p.status != http.StatusForbidden {
		t.Fatalf("operator settings: %d", p.status)
	}
	admin := f.client()
	admin.login("admin")
	acsrf := admin.csrf()
	settings := url.Values{"csrf": {acsrf}, "frequency_cap": {"3"}, "frequency_window_days": {"7"}, "quiet_start": {"22:00"},
		"quiet_end": {"8点"}, "account_daily_quota": {"100"}, "wecom_cap": {"four_per_month"}}
	p = admin.post("/campaigns/settings", settings)
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad settings: %d", p.status)
	}
	mustContain(t, p.body, `id="settings-error"`, "quiet_end")
	settings.Set("quiet_end", "08:00")
	if p = admin.post("/campaigns/settings", settings); p.status != http.StatusSeeOther {
		t.Fatalf("save settings: %d", p.status)
	}
	p = admin.get("/campaigns/settings?saved=1")
	mustContain(t, p.body, `id="settings-saved"`, `value="22:00"`, `value="four_per_month" selected`)
}

func mustID(t *testing.T, path string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscanf(path, "/campaigns/%d", &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// A campaign made in the console carries the card chosen on the form in
// every variant; a card the service refuses is named on the form.
func TestCampaignFormAttachesCards(t *testing.T) {
	f := newFixtureWith(t, false, func(cfg *web.Config) {
		st := cfg.Store.(*store.Store)
		cfg.Campaigns = campaign.New(st, dispatch.New(st, nil, dispatch.Options{}))
	})
	op := f.client()
	op.login("operator")
	csrf := op.csrf()
	sendAt := time.Now().In(siyu.Shanghai).Add(2 * time.Hour).Format("2006-01-02T15:04")
	form := url.Values{"csrf": {csrf}, "name": {"上新"}, "audience_kind": {"all"}, "text_a": {"新品到了"}, "text_b": {"新品上架"},
		"weight_a": {"1"}, "weight_b": {"1"}, "holdout_pct": {"0"}, "send_at": {sendAt}, "attribution_days": {"7"},
		"attach": {"link"}, "link_title": {"春茶"}, "link_url": {"https://shop.example/spring"}, "link_pic": {"https://shop.example/p.jpg"}}
	p := op.post("/campaigns", form)
	if p.status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", p.status, p.body)
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(p.location(), "/campaigns/"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.store.Campaign(context.Background(), f.wsA.ID, id)
	if err != nil || len(got.Variants) != 2 {
		t.Fatalf("%+v %v", got, err)
	}
	for _, v := range got.Variants {
		if v.Message.Link == nil || v.Message.Link.URL != "https://shop.example/spring" || v.Message.Link.Title != "春茶" {
			t.Fatalf("variant %s: %+v", v.Name, v.Message)
		}
	}
	form.Set("attach", "miniprogram") // no appid: refused by the service, said on the form
	if p := op.post("/campaigns", form); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="campaign-error"`) {
		t.Fatalf("incomplete mini-program card: %d", p.status)
	}
	form.Set("attach", "video")
	if p := op.post("/campaigns", form); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("unknown card kind: %d", p.status)
	}
}
