package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/emulator"
	"siyu.dev/siyu/fission"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/wecomsync"
)

// newFissionAPI is the API with WeCom (the emulator on loopback) making the
// participants' channel codes.
func newFissionAPI(t *testing.T) (*testAPI, *wecomsync.Service, *emulator.Emulator) {
	t.Helper()
	a := newTestAPI(t)
	pop := emulator.Quiet(5)
	emu := emulator.New(emulator.Config{Seed: 3, Population: &pop})
	t.Cleanup(emu.Close)
	svc := wecomsync.New(a.store, wecomsync.Options{})
	h := New(Config{Store: a.store, FissionCodes: svc, Logger: slog.New(slog.DiscardHandler)})
	api := httptest.NewServer(h)
	t.Cleanup(api.Close)
	a.srv = api
	return a, svc, emu
}

func TestFissionAPI(t *testing.T) {
	a, svc, emu := newFissionAPI(t)
	ctx := context.Background()
	ws, tokens := a.workspace("school")
	_, otherTokens := a.workspace("other")
	key := make([]byte, 32)
	rand.Read(key)
	app := siyu.WeComApp{CorpID: emu.CorpID(), Secret: emu.Secret(), BaseURL: strings.TrimSuffix(emuURL(t, emu), "/"), Token: "tok",
		EncodingAESKey: strings.TrimRight(base64.StdEncoding.EncodeToString(key), "=")}
	if err := svc.Configure(ctx, ws.ID, app); err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.UpsertAccount(ctx, ws.ID, siyu.Account{WeComUserID: "sales_01", Name: "赵敏", Active: true}); err != nil {
		t.Fatal(err)
	}
	ids, err := a.store.UpsertContacts(ctx, ws.ID, []store.ContactInput{{AccountUserID: "sales_01", ExternalUserID: "wm-mom", Name: "王妈妈"}})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	body := map[string]any{"name": "期中试卷", "goal": 2, "reward": "试卷<全套>", "accounts": []string{"sales_01"},
		"start_at": start, "end_at": start.Add(72 * time.Hour)}

	if r := a.postJSON("/api/v1/fission/activities", tokens[siyu.RoleAnalyst], body); r.Status != http.StatusForbidden {
		t.Fatalf("analyst creates: %d %s", r.Status, r.Body)
	}
	bad := map[string]any{"name": "x", "goal": 0, "reward": "y", "accounts": []string{"sales_01"}, "start_at": start, "end_at": start.Add(time.Hour)}
	if r := a.postJSON("/api/v1/fission/activities", tokens[siyu.RoleOperator], bad); r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "goal") {
		t.Fatalf("goal 0: %d %s", r.Status, r.Body)
	}
	r := a.postJSON("/api/v1/fission/activities", tokens[siyu.RoleOperator], body)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var act fission.Activity
	r.decode(t, &act)
	if act.ID == 0 || act.ClawbackHours != fission.DefaultClawbackHours || act.Rules.BurstCount != fission.DefaultBurstCount {
		t.Fatalf("created: %+v", act)
	}
	path := fmt.Sprintf("/api/v1/fission/activities/%d", act.ID)
	if r := a.get(path, otherTokens[siyu.RoleAdmin]); r.Status != http.StatusNotFound {
		t.Fatalf("another workspace reads the activity: %d", r.Status)
	}
	if r := a.postJSON(path+"/participants", otherTokens[siyu.RoleAdmin], map[string]any{"customer_id": ids[0]}); r.Status != http.StatusNotFound {
		t.Fatalf("another workspace joins: %d %s", r.Status, r.Body)
	}

	r = a.postJSON(path+"/participants", tokens[siyu.RoleOperator], map[string]any{"customer_id": ids[0]})
	if r.Status != http.StatusCreated {
		t.Fatalf("join: %d %s", r.Status, r.Body)
	}
	var p fission.Participant
	r.decode(t, &p)
	if p.QRCode == "" || !strings.HasPrefix(p.Code, "fx") || p.CustomerName != "王妈妈" {
		t.Fatalf("participant: %+v", p)
	}

	// Two people add through her code (as the callbacks would record them).
	for i, ext := range []string{"wm-a", "wm-b"} {
		if _, err := a.store.UpsertContacts(ctx, ws.ID, []store.ContactInput{{AccountUserID: "sales_01", ExternalUserID: ext, Name: "家长" + ext,
			State: p.Code, AddedAt: time.Now().Add(time.Duration(i-10) * time.Minute)}}); err != nil {
			t.Fatal(err)
		}
	}
	r = a.postJSON(path+"/evaluate", tokens[siyu.RoleOperator], map[string]any{})
	if r.Status != http.StatusOK {
		t.Fatalf("evaluate: %d %s", r.Status, r.Body)
	}
	var ev struct {
		Metrics fission.Metrics `json:"metrics"`
		Issued  int             `json:"issued"`
	}
	r.decode(t, &ev)
	if ev.Issued != 1 || ev.Metrics.Counted != 2 || ev.Metrics.KFactor != 2 {
		t.Fatalf("evaluate: %s", r.Body)
	}
	var m fission.Metrics
	a.get(path+"/metrics", tokens[siyu.RoleAnalyst]).decode(t, &m)
	if m.RewardsIssued != 1 || m.Participants != 1 || m.ReferralRate != 1 {
		t.Fatalf("metrics: %+v", m)
	}
	var tree fission.Node
	a.get(path+"/tree", tokens[siyu.RoleAnalyst]).decode(t, &tree)
	if len(tree.Children) != 1 || len(tree.Children[0].Children) != 2 || tree.Children[0].Children[0].Status != fission.StatusCounted {
		t.Fatalf("tree: %+v", tree)
	}
	var list struct {
		Participants []fission.Participant `json:"participants"`
		Invites      []fission.Invite      `json:"invites"`
	}
	a.get(path+"/participants", tokens[siyu.RoleAnalyst]).decode(t, &list)
	if len(list.Participants) != 1 || list.Participants[0].Counted != 2 || len(list.Invites) != 2 {
		t.Fatalf("participants: %+v", list)
	}
	poster := a.get(fmt.Sprintf("/api/v1/fission/participants/%d/poster.svg", p.ID), tokens[siyu.RoleAnalyst])
	if poster.Status != http.StatusOK || poster.Header.Get("Content-Type") != "image/svg+xml" ||
		!strings.Contains(string(poster.Body), "试卷&lt;全套&gt;") || !strings.Contains(string(poster.Body), p.QRCode) {
		t.Fatalf("poster: %d %s", poster.Status, poster.Body)
	}
	if r := a.get(fmt.Sprintf("/api/v1/fission/participants/%d/poster.svg", p.ID), otherTokens[siyu.RoleAdmin]); r.Status != http.StatusNotFound {
		t.Fatalf("another workspace's poster: %d", r.Status)
	}
	var all struct {
		Activities []fission.Activity `json:"activities"`
	}
	a.get("/api/v1/fission/activities", tokens[siyu.RoleAnalyst]).decode(t, &all)
	if len(all.Activities) != 1 || all.Activities[0].Name != "期中试卷" {
		t.Fatalf("list: %+v", all)
	}
}

// emuURL serves the emulator on its own loopback server.
func emuURL(t *testing.T, emu *emulator.Emulator) string {
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}
