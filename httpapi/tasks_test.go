package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
)

func TestTaskEndpoints(t *testing.T) {
	a := newTestAPI(t)
	ws, tokens := a.workspace("tasks")
	_, otherTokens := a.workspace("other")
	ctx := context.Background()
	u, err := a.store.CreateUser(ctx, "ann", "安", "x")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.store.SetMembership(ctx, ws.ID, u.ID, siyu.RoleOperator); err != nil {
		t.Fatal(err)
	}
	op, admin, analyst := tokens[siyu.RoleOperator], tokens[siyu.RoleAdmin], tokens[siyu.RoleAnalyst]

	body := map[string]any{"kind": "follow_up", "title": "回访 13800138000 的客户", "ref": "crm:lead:7"}
	r := a.postJSON("/api/v1/tasks", op, body)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var created taskJSON
	r.decode(t, &created)
	if created.ID == 0 || created.Status != "open" || created.DueAt.Sub(created.CreatedAt).Hours() != 24 {
		t.Fatalf("created = %+v", created)
	}
	// The same ref again is the same task.
	r = a.postJSON("/api/v1/tasks", op, body)
	var again taskJSON
	r.decode(t, &again)
	if r.Status != http.StatusOK || again.ID != created.ID {
		t.Fatalf("repeat: %d %+v", r.Status, again)
	}
	if r := a.postJSON("/api/v1/tasks", analyst, body); r.Status != http.StatusForbidden {
		t.Errorf("analyst creates: %d", r.Status)
	}
	for _, bad := range []map[string]any{
		{"kind": "Follow Up", "title": "x"},
		{"kind": "follow_up"},
		{"kind": "follow_up", "title": "x", "customer_id": 999},
		{"kind": "follow_up", "title": "x", "assignee_id": 999},
	} {
		if r := a.postJSON("/api/v1/tasks", op, bad); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("create %v: %d %s", bad, r.Status, r.Body)
		}
	}
	if r := a.postJSON("/api/v1/tasks", op, map[string]any{"kind": "follow_up", "title": "x", "colour": "red"}); r.Status != http.StatusBadRequest {
		t.Errorf("unknown field: %d", r.Status)
	}

	// Listing, with filters.
	var list struct {
		Tasks []taskJSON `json:"tasks"`
		Total int        `json:"total"`
	}
	a.get("/api/v1/tasks?status=open&kind=follow_up", analyst).decode(t, &list)
	if list.Total != 1 || list.Tasks[0].ID != created.ID {
		t.Errorf("list = %+v", list)
	}
	if r := a.get("/api/v1/tasks?status=later", op); r.Status != http.StatusBadRequest || r.apiError(t).Error.Field != "status" {
		t.Errorf("bad status: %d %s", r.Status, r.Body)
	}
	a.get("/api/v1/tasks", otherTokens[siyu.RoleAdmin]).decode(t, &list)
	if list.Total != 0 {
		t.Errorf("another workspace lists %d tasks", list.Total)
	}

	path := fmt.Sprintf("/api/v1/tasks/%d", created.ID)
	if r := a.postJSON(path+"/assign", op, map[string]any{"assignee_id": u.ID}); r.Status != http.StatusOK {
		t.Fatalf("assign: %d %s", r.Status, r.Body)
	}
	if r := a.postJSON(path+"/complete", otherTokens[siyu.RoleAdmin], nil); r.Status != http.StatusNotFound {
		t.Errorf("other workspace completes: %d", r.Status)
	}
	if r := a.postJSON(path+"/complete", op, map[string]any{"user_id": 999}); r.Status != http.StatusBadRequest {
		t.Errorf("complete for a stranger: %d %s", r.Status, r.Body)
	}
	r = a.postJSON(path+"/complete", op, map[string]any{"user_id": u.ID})
	var done taskJSON
	r.decode(t, &done)
	if r.Status != http.StatusOK || done.Status != "done" || done.DoneBy != u.ID {
		t.Fatalf("complete: %d %s", r.Status, r.Body)
	}
	if r := a.do("POST", path+"/complete", op, nil); r.Status != http.StatusConflict {
		t.Errorf("complete twice: %d %s", r.Status, r.Body)
	}

	var metrics struct {
		Total      statJSON            `json:"total"`
		ByOperator map[string]statJSON `json:"by_operator"`
	}
	a.get("/api/v1/tasks/metrics?days=7", op).decode(t, &metrics)
	if metrics.Total.Done != 1 || metrics.ByOperator[fmt.Sprint(u.ID)].Done != 1 || metrics.Total.WithinSLA != 1 {
		t.Errorf("metrics = %+v", metrics)
	}

	// The audit log: admins only, the real user behind the integration, no phone.
	if r := a.get("/api/v1/audit", op); r.Status != http.StatusForbidden {
		t.Errorf("operator reads audit: %d", r.Status)
	}
	var audit struct {
		Entries []store.AuditEntry `json:"entries"`
	}
	r = a.get("/api/v1/audit?action=task.", admin)
	r.decode(t, &audit)
	if len(audit.Entries) != 3 {
		t.Fatalf("audit = %s", r.Body)
	}
	if e := audit.Entries[0]; e.Action != "task.complete" || e.UserID != u.ID || !strings.HasPrefix(e.Actor, "api:operator token") {
		t.Errorf("completion entry = %+v", e)
	}
	if strings.Contains(string(r.Body), "13800138000") {
		t.Errorf("audit shows a phone number: %s", r.Body)
	}
	if r := a.get("/api/v1/audit?since=yesterday", admin); r.Status != http.StatusBadRequest {
		t.Errorf("bad since: %d", r.Status)
	}
}
