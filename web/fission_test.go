package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/web"
)

var _ web.FissionStore = (*store.Store)(nil)

func TestFissionInTheConsole(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.store.SetWeComApp(ctx, f.wsA.ID, siyu.WeComApp{CorpID: "ww1", Secret: "s", Token: "t", EncodingAESKey: strings.Repeat("a", 43)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.UpsertAccount(ctx, f.wsA.ID, siyu.Account{WeComUserID: "sales", Name: "小赵", Active: true}); err != nil {
		t.Fatal(err)
	}
	ids, err := f.store.UpsertContacts(ctx, f.wsA.ID, []store.ContactInput{{AccountUserID: "sales", ExternalUserID: "wm-mom", Name: "王妈妈", AddedAt: time.Now().Add(-48 * time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}

	op := f.client()
	op.login("operator")
	csrf := op.csrf()
	if p := op.get("/fission/new"); p.status != http.StatusOK || !strings.Contains(p.body, `id="fission-form"`) {
		t.Fatalf("form: %d", p.status)
	}
	start := time.Now().Add(-time.Hour).In(siyu.Shanghai)
	form := url.Values{"csrf": {csrf}, "name": {"期中试卷"}, "goal": {"0"}, "reward": {"试卷"}, "target": {"contact"}, "accounts": {"sales"},
		"start_at": {start.Format("2006-01-02T15:04")}, "end_at": {start.Add(72 * time.Hour).Format("2006-01-02T15:04")}, "clawback_hours": {"72"}}
	if p := op.post("/fission", form); p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="fission-error"`) || !strings.Contains(p.body, "goal") {
		t.Fatalf("goal 0: %d\n%s", p.status, p.body)
	}
	form.Set("goal", "1")
	p := op.post("/fission", form)
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/fission/") {
		t.Fatalf("create: %d %s", p.status, p.body)
	}
	path := p.location()
	if p := op.post(path+"/participants", url.Values{"csrf": {csrf}, "customer_id": {itoa(ids[0])}}); p.status != http.StatusSeeOther {
		t.Fatalf("join: %d %s", p.status, p.body)
	}
	acts, _ := f.store.FissionActivities(ctx, f.wsA.ID)
	snap, _ := f.store.FissionSnapshot(ctx, f.wsA.ID, acts[0].ID)
	code := snap.Participants[0].Code
	// Her own second WeChat account scans: a self invite once resolved to her.
	if _, err := f.store.UpsertContacts(ctx, f.wsA.ID, []store.ContactInput{{AccountUserID: "sales", ExternalUserID: "wm-kid", Name: "李爸爸", State: code, AddedAt: time.Now().Add(-30 * time.Minute)},
		{CustomerID: ids[0], AccountUserID: "sales", ExternalUserID: "wm-mom2", Name: "王妈妈", State: code, AddedAt: time.Now().Add(-20 * time.Minute)}}); err != nil {
		t.Fatal(err)
	}
	if p := op.post(path+"/evaluate", url.Values{"csrf": {csrf}}); p.status != http.StatusSeeOther {
		t.Fatalf("evaluate: %d", p.status)
	}
	p = op.get(path)
	mustContain(t, p.body, `id="fission-data"`, `id="m-participants">1<`, `id="m-issued">1<`, `id="flagged"`, "自己邀请自己", "李爸爸", `"kind":"invitee"`, "fission.js")
	if !strings.Contains(p.body, "vendor/echarts/echarts.min.js") {
		t.Fatal("no ECharts on the activity page")
	}
	p = op.get("/fission")
	mustContain(t, p.body, "期中试卷", `id="activities"`)

	poster := op.get("/fission/participants/" + itoa(snap.Participants[0].ID) + "/poster.svg")
	if poster.status != http.StatusOK || poster.header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(poster.body, "https://qr.example.com/") {
		t.Fatalf("poster: %d %s", poster.status, poster.body)
	}
	if !strings.Contains(poster.header.Get("Content-Security-Policy"), "img-src https:") {
		t.Fatalf("poster CSP: %s", poster.header.Get("Content-Security-Policy"))
	}

	analyst := f.client()
	analyst.login("analyst")
	if p := analyst.get(path); p.status != http.StatusOK || strings.Contains(p.body, `id="join-form"`) {
		t.Fatalf("analyst view: %d", p.status)
	}
	if p := analyst.post("/fission", form); p.status != http.StatusForbidden {
		t.Fatalf("analyst creates: %d", p.status)
	}
	bob := f.client()
	bob.login("bob")
	if p := bob.get(path); p.status != http.StatusNotFound {
		t.Fatalf("another workspace sees the activity: %d", p.status)
	}
}
