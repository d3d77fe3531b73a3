package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/campaign"
	"siyu.dev/siyu/dispatch"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/web"
)

func TestMomentCampaignPages(t *testing.T) {
	f := newFixtureWith(t, false, func(cfg *web.Config) {
		st := cfg.Store.(*store.Store)
		cfg.Campaigns = campaign.New(st, dispatch.New(st, nil, dispatch.Options{}))
	})
	ctx := context.Background()
	if _, err := f.store.UpsertAccount(ctx, f.wsA.ID, siyu.Account{WeComUserID: "alice", Name: "Alice", Active: true}); err != nil {
		t.Fatal(err)
	}
	var in []store.ContactInput
	for i := 0; i < 4; i++ {
		in = append(in, store.ContactInput{AccountUserID: "alice", ExternalUserID: fmt.Sprint("wm", i), Name: fmt.Sprint("客户", i)})
	}
	if _, err := f.store.UpsertContacts(ctx, f.wsA.ID, in); err != nil {
		t.Fatal(err)
	}
	op := f.client()
	op.login("operator")
	csrf := op.csrf()
	mustContain(t, op.get("/campaigns/new").body, `id="campaign-channel"`, `name="moment_senders"`)

	sendAt := time.Now().In(siyu.Shanghai).Add(2 * time.Hour).Format("2006-01-02T15:04")
	form := url.Values{"csrf": {csrf}, "name": {"春季朋友圈"}, "audience_kind": {"all"}, "channel": {"moment"}, "text_a": {"春季新品上市"},
		"weight_a": {"1"}, "holdout_pct": {"10"}, "send_at": {sendAt}, "attribution_days": {"7"}, "moment_senders": {"alice，bob"}}
	p := op.post("/campaigns", form)
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("holdout on a moment: %d", p.status)
	}
	mustContain(t, p.body, `id="campaign-error"`, "holdout_pct", `value="alice，bob"`)
	form.Set("holdout_pct", "0")
	p = op.post("/campaigns", form)
	mustContain(t, p.body, "moment.senders[1]", `&#34;bob&#34;`)
	form.Set("moment_senders", "alice")
	form.Set("moment_topic", "skincare")
	p = op.post("/campaigns", form)
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/campaigns/") {
		t.Fatalf("create: %d %s", p.status, p.body)
	}
	self := p.location()
	if p = op.post(self+"/plan", url.Values{"csrf": {csrf}}); p.status != http.StatusSeeOther {
		t.Fatalf("plan: %d", p.status)
	}
	p = op.get(self)
	mustContain(t, p.body, `id="moment-plan"`, `id="plan-receive">4<`)
}
