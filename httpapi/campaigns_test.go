package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/campaign"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

// queue is a stand-in for dispatch that keeps deliveries by key.
type queue struct {
	mu  sync.Mutex
	got map[string]bool
}

func (q *queue) Enqueue(ctx context.Context, ws int64, ds []siyu.Delivery, notBefore time.Time) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for _, d := range ds {
		if !q.got[d.Key] {
			q.got[d.Key] = true
			n++
		}
	}
	return n, nil
}

func TestCampaignEndpoints(t *testing.T) {
	st := storetest.Open(t)
	q := &queue{got: map[string]bool{}}
	svc := campaign.New(st, q)
	srv := httptest.NewServer(New(Config{Store: st, Campaigns: svc, Logger: slog.New(slog.DiscardHandler)}))
	t.Cleanup(srv.Close)
	a := &testAPI{t: t, store: st, srv: srv, logs: &syncBuffer{}}
	ws, tokens := a.workspace("camp")
	_, otherTokens := a.workspace("other")
	ctx := context.Background()
	if _, err := st.UpsertAccount(ctx, ws.ID, siyu.Account{WeComUserID: "alice", Name: "Alice", Active: true}); err != nil {
		t.Fatal(err)
	}
	var in []store.ContactInput
	for i := 0; i < 5; i++ {
		in = append(in, store.ContactInput{AccountUserID: "alice", ExternalUserID: fmt.Sprint("wm", i), Name: fmt.Sprint("客户", i)})
	}
	if _, err := st.UpsertContacts(ctx, ws.ID, in); err != nil {
		t.Fatal(err)
	}
	op, admin, analyst := tokens[siyu.RoleOperator], tokens[siyu.RoleAdmin], tokens[siyu.RoleAnalyst]
	sendAt := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	body := map[string]any{"name": "上新", "audience": "all", "channel": "single", "send_at": sendAt,
		"variants": []map[string]any{{"name": "A", "weight": 1, "message": map[string]any{"text": "{{name}} 你好"}}}}

	// Bad input names the field.
	bad := map[string]any{"name": "x", "audience": "all", "channel": "single", "send_at": sendAt,
		"variants": []map[string]any{{"message": map[string]any{"text": "{{nickname}}"}}}}
	if r := a.postJSON("/api/v1/campaigns", op, bad); r.Status != http.StatusUnprocessableEntity || r.apiError(t).Error.Field != "variants[0].message.text" {
		t.Fatalf("bad draft: %d %s", r.Status, r.Body)
	}
	if r := a.postJSON("/api/v1/campaigns", analyst, body); r.Status != http.StatusForbidden {
		t.Fatalf("analyst create: %d", r.Status)
	}
	r := a.postJSON("/api/v1/campaigns", op, body)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var c store.Campaign
	r.decode(t, &c)
	base := fmt.Sprintf("/api/v1/campaigns/%d", c.ID)
	if r := a.get(base, otherTokens[siyu.RoleAdmin]); r.Status != http.StatusNotFound {
		t.Fatalf("another workspace sees the campaign: %d", r.Status)
	}
	var p campaign.Plan
	r = a.postJSON(base+"/plan", op, nil)
	r.decode(t, &p)
	if r.Status != http.StatusOK || p.Receive != 5 {
		t.Fatalf("plan: %d %s", r.Status, r.Body)
	}
	var l campaign.LaunchResult
	r = a.postJSON(base+"/launch", op, nil)
	r.decode(t, &l)
	if l.Enqueued != 5 || len(q.got) != 5 {
		t.Fatalf("launch: %s", r.Body)
	}
	r = a.postJSON(base+"/launch", op, nil)
	r.decode(t, &l)
	if l.Enqueued != 0 || !l.AlreadyLaunched {
		t.Fatalf("second launch: %s", r.Body)
	}
	var res campaign.Results
	r = a.get(base+"/results", analyst)
	r.decode(t, &res)
	if len(res.Groups) != 1 || res.Groups[0].Recipients != 5 {
		t.Fatalf("results: %s", r.Body)
	}
	var list struct{ Campaigns []store.Campaign }
	a.get("/api/v1/campaigns", analyst).decode(t, &list)
	if len(list.Campaigns) != 1 || list.Campaigns[0].Status != store.CampaignLaunched {
		t.Fatalf("list: %+v", list)
	}
	log, err := st.AuditLog(ctx, ws.ID, store.AuditFilter{Action: "campaign.launch"})
	if err != nil || len(log) != 1 || log[0].Action != "campaign.launch" {
		t.Fatalf("audit: %+v %v", log, err)
	}

	// Reach settings: everyone reads, only admins change, bad values name the field.
	settings := map[string]any{"frequency_cap": 3, "frequency_window_days": 7, "quiet_start": "22:00", "quiet_end": "08:00",
		"account_daily_quota": 100, "wecom_cap": "four_per_month"}
	if r := a.do("PUT", "/api/v1/reach/settings", op, jsonBody(t, settings)); r.Status != http.StatusForbidden {
		t.Fatalf("operator put: %d", r.Status)
	}
	settings["quiet_end"] = "8点"
	if r := a.do("PUT", "/api/v1/reach/settings", admin, jsonBody(t, settings)); r.Status != http.StatusUnprocessableEntity || r.apiError(t).Error.Field != "quiet_end" {
		t.Fatalf("bad settings: %d %s", r.Status, r.Body)
	}
	settings["quiet_end"] = "08:00"
	if r := a.do("PUT", "/api/v1/reach/settings", admin, jsonBody(t, settings)); r.Status != http.StatusOK {
		t.Fatalf("put settings: %d %s", r.Status, r.Body)
	}
	var got map[string]any
	a.get("/api/v1/reach/settings", analyst).decode(t, &got)
	if got["wecom_cap"] != "four_per_month" || got["quiet_start"] != "22:00" {
		t.Fatalf("settings: %v", got)
	}
}

func jsonBody(t *testing.T, v any) io.Reader {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(b)
}
