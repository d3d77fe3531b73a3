package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/groups"
	"siyu.dev/siyu/store"
)

func TestGroupsAPI(t *testing.T) {
	a := newTestAPI(t)
	svc := groups.New(a.store, nil, nil)
	srv := httptest.NewServer(New(Config{Store: a.store, Groups: svc, Logger: slog.New(slog.DiscardHandler)}))
	t.Cleanup(srv.Close)
	a.srv = srv
	ctx := context.Background()
	ws, tokens := a.workspace("school")
	_, other := a.workspace("other")
	op := tokens[siyu.RoleOperator]
	owner, err := a.store.UpsertAccount(ctx, ws.ID, siyu.Account{WeComUserID: "founder", Name: "林知夏", Active: true})
	if err != nil {
		t.Fatal(err)
	}

	bad := a.postJSON("/api/v1/groups/templates", op, map[string]any{"name": "冲刺", "owner_account_id": owner.ID, "member_cap": 900})
	if bad.Status != http.StatusUnprocessableEntity || bad.apiError(t).Error.Field != "member_cap" {
		t.Fatalf("bad template: %d %s", bad.Status, bad.Body)
	}
	res := a.postJSON("/api/v1/groups/templates", op, map[string]any{"name": "冲刺", "name_pattern": "考前冲刺群{{n}}", "owner_account_id": owner.ID})
	var tmpl store.GroupTemplate
	res.decode(t, &tmpl)
	if res.Status != http.StatusCreated || tmpl.MemberCap != groups.DefaultMemberCap {
		t.Fatalf("template: %d %s", res.Status, res.Body)
	}
	if r := a.postJSON("/api/v1/groups/activities", tokens[siyu.RoleAnalyst], map[string]any{"template_id": tmpl.ID}); r.Status != http.StatusForbidden {
		t.Fatalf("analyst created an activity: %d", r.Status)
	}
	res = a.postJSON("/api/v1/groups/activities", op, map[string]any{"name": "期末冲刺", "template_id": tmpl.ID})
	var act store.GroupActivity
	res.decode(t, &act)
	if res.Status != http.StatusCreated || act.Status != store.GroupActivityWaiting {
		t.Fatalf("activity: %d %s", res.Status, res.Body)
	}
	base := fmt.Sprintf("/api/v1/groups/activities/%d", act.ID)

	// The owner made the group; members joined. Without WeCom, sync adopts
	// it but cannot make the join QR.
	joined := time.Now().Add(-2 * time.Hour)
	if _, err := a.store.UpsertGroup(ctx, ws.ID, store.GroupInput{ChatID: "wrG1", Name: "考前冲刺群1", OwnerUserID: "founder", CreatedAt: joined,
		Members: []store.GroupMemberInput{
			{Identifiers: []siyu.Identifier{{Kind: siyu.KindExternalUser, Value: "wm1"}}, JoinedAt: joined},
			{Identifiers: []siyu.Identifier{{Kind: siyu.KindExternalUser, Value: "wm2"}}, JoinedAt: joined},
		}}); err != nil {
		t.Fatal(err)
	}
	if r := a.postJSON(base+"/sync", op, nil); r.Status != http.StatusServiceUnavailable {
		t.Fatalf("sync without WeCom: %d %s", r.Status, r.Body)
	}
	if r := a.postJSON(base+"/messages", op, map[string]any{"message": map[string]any{"text": "今晚答疑"}}); r.Status != http.StatusCreated {
		t.Fatalf("schedule: %d %s", r.Status, r.Body)
	}
	if r := a.postJSON(base+"/messages", op, map[string]any{"message": map[string]any{}}); r.Status != http.StatusUnprocessableEntity || r.apiError(t).Error.Field != "message" {
		t.Fatalf("empty message: %d %s", r.Status, r.Body)
	}
	var view struct {
		store.GroupActivity
		Groups []struct {
			ChatID string `json:"chat_id"`
			Fill   int    `json:"fill"`
		} `json:"groups"`
		Messages []store.GroupMessage `json:"messages"`
	}
	a.get(base, op).decode(t, &view)
	if len(view.Groups) != 1 || view.Groups[0].ChatID != "wrG1" || view.Groups[0].Fill != 3 || len(view.Messages) != 1 {
		t.Fatalf("activity view: %+v", view)
	}
	if r := a.postJSON(base+"/end", op, map[string]any{"message": map[string]any{"text": "加老师微信领资料"}}); r.Status != http.StatusOK {
		t.Fatalf("end: %d %s", r.Status, r.Body)
	}
	if r := a.postJSON(base+"/end", op, map[string]any{"message": map[string]any{"text": "again"}}); r.Status != http.StatusConflict {
		t.Fatalf("end again: %d %s", r.Status, r.Body)
	}
	var rep groups.Report
	a.get(base+"/report", op).decode(t, &rep)
	if rep.Members != 2 || rep.Added != 0 || rep.NotAdded != 2 {
		t.Fatalf("report: %+v", rep)
	}
	var h groups.Health
	a.get(base+"/health?active_days=3", op).decode(t, &h)
	if h.Members != 2 || h.Joined != 2 || h.ActiveDays != 3 || len(h.Series) == 0 || h.Series[len(h.Series)-1].Members != 2 {
		t.Fatalf("health: %+v", h)
	}
	if r := a.get(base+"/health?active_days=0", op); r.Status != http.StatusBadRequest {
		t.Fatalf("active_days=0: %d", r.Status)
	}
	var dis struct {
		Tasks []siyu.Task `json:"tasks"`
	}
	a.postJSON(base+"/dissolve", op, nil).decode(t, &dis)
	if len(dis.Tasks) != 1 || dis.Tasks[0].Kind != groups.TaskDismissGroup {
		t.Fatalf("dissolve: %+v", dis)
	}
	for _, path := range []string{base, base + "/report", base + "/health", base + "/attendance"} {
		if r := a.get(path, other[siyu.RoleAdmin]); r.Status != http.StatusNotFound {
			t.Fatalf("another workspace read %s: %d", path, r.Status)
		}
	}
}
