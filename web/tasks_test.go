package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/web"
)

var _ web.TaskStore = (*store.Store)(nil)

// taskFixture adds the founder's persona, run by the operator, and three
// tasks: one of the persona, one of the admin's (overdue), one in the pool.
type taskFixture struct {
	*fixture
	founder                  siyu.Account
	persona, adminTask, pool siyu.Task
}

func newTaskFixture(t *testing.T) *taskFixture {
	t.Helper()
	f := &taskFixture{fixture: newFixture(t)}
	ctx := context.Background()
	st, ws := f.store, f.wsA.ID
	var err error
	if f.founder, err = st.UpsertAccount(ctx, ws, siyu.Account{WeComUserID: "founder", Name: "张总", Persona: "创始人号", Active: true}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetAccountOperators(ctx, ws, f.founder.ID, []int64{f.logins["operator"].ID}, store.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	mk := func(in siyu.Task) siyu.Task {
		task, err := st.CreateTask(ctx, ws, in)
		if err != nil {
			t.Fatal(err)
		}
		return task
	}
	f.persona = mk(siyu.Task{Kind: siyu.TaskConfirmMassSend, Title: "确认今晚的群发", AccountID: f.founder.ID})
	f.adminTask = mk(siyu.Task{Kind: siyu.TaskFollowUp, Title: "回访老客户", AssigneeID: f.logins["admin"].ID,
		CreatedAt: time.Now().Add(-48 * time.Hour)})
	f.pool = mk(siyu.Task{Kind: siyu.TaskReplyComment, Title: "回复朋友圈评论"})
	return f
}

func TestTaskInbox(t *testing.T) {
	f := newTaskFixture(t)
	op := f.client()
	op.login("operator")

	p := op.get("/tasks")
	if p.status != http.StatusOK {
		t.Fatalf("GET /tasks: %d", p.status)
	}
	mustContain(t, p.body, "确认今晚的群发", "回复朋友圈评论", "以「创始人号」完成", `id="nav-tasks"`)
	mustNotContain(t, p.body, "回访老客户", `id="scope-all"`, `id="nav-audit"`)
	if p := op.get("/tasks?scope=all"); p.status != http.StatusBadRequest {
		t.Errorf("operator asks for all tasks: %d", p.status)
	}
	var count struct{ Open int }
	if p := op.get("/tasks/count"); p.status != http.StatusOK || json.Unmarshal([]byte(p.body), &count) != nil || count.Open != 2 {
		t.Errorf("badge: %d %s", p.status, p.body)
	}

	complete := fmt.Sprintf("/tasks/%d/complete", f.persona.ID)
	if p := op.post(complete, url.Values{}); p.status != http.StatusForbidden {
		t.Errorf("complete without CSRF: %d", p.status)
	}
	csrf := op.csrf()
	if p := op.post(fmt.Sprintf("/tasks/%d/complete", f.adminTask.ID), url.Values{"csrf": {csrf}}); p.status != http.StatusForbidden {
		t.Errorf("operator completes the admin's task: %d", p.status)
	}
	p = op.post(complete, url.Values{"csrf": {csrf}, "back": {"scope=inbox&status=open"}})
	if p.status != http.StatusSeeOther || p.location() != "/tasks?done=1&scope=inbox&status=open" {
		t.Fatalf("complete: %d → %q", p.status, p.location())
	}
	got, _ := f.store.Task(context.Background(), f.wsA.ID, f.persona.ID)
	if got.Status != "done" || got.DoneBy != f.logins["operator"].ID {
		t.Errorf("task after completion = %+v", got)
	}
	if p := op.post(complete, url.Values{"csrf": {csrf}}); p.status != http.StatusConflict {
		t.Errorf("complete twice: %d", p.status)
	}

	// The analyst reads but does not act; another workspace sees nothing.
	an := f.client()
	an.login("analyst")
	if p := an.get("/tasks"); p.status != http.StatusOK || strings.Contains(p.body, `id="complete-`) {
		t.Errorf("analyst inbox: %d, with buttons: %v", p.status, strings.Contains(p.body, `id="complete-`))
	}
	if p := an.post(fmt.Sprintf("/tasks/%d/complete", f.pool.ID), url.Values{"csrf": {an.csrf()}}); p.status != http.StatusForbidden {
		t.Errorf("analyst completes: %d", p.status)
	}
	bob := f.client()
	bob.login("bob")
	if p := bob.post(fmt.Sprintf("/tasks/%d/complete", f.pool.ID), url.Values{"csrf": {bob.csrf()}}); p.status != http.StatusNotFound {
		t.Errorf("other workspace completes: %d", p.status)
	}

	// The admin sees everything, the overdue task highlighted, and hands it over.
	ad := f.client()
	ad.login("admin")
	p = ad.get("/tasks?scope=all&status=open")
	mustContain(t, p.body, "回访老客户", fmt.Sprintf(`id="task-%d" class="task-overdue"`, f.adminTask.ID), `id="task-metrics"`, `id="nav-audit"`)
	p = ad.post(fmt.Sprintf("/tasks/%d/assign", f.adminTask.ID), url.Values{"csrf": {ad.csrf()}, "assignee": {strconv.FormatInt(f.logins["operator"].ID, 10)}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("assign: %d", p.status)
	}
	if p := ad.post(fmt.Sprintf("/tasks/%d/assign", f.pool.ID), url.Values{"csrf": {ad.csrf()}, "assignee": {strconv.FormatInt(f.logins["analyst"].ID, 10)}}); p.status != http.StatusBadRequest {
		t.Errorf("assign to an analyst: %d", p.status)
	}
	mustContain(t, op.get("/tasks?scope=mine").body, "回访老客户")

	// The audit log names the real person behind the persona; admins only.
	if p := op.get("/audit"); p.status != http.StatusForbidden {
		t.Errorf("operator opens the audit log: %d", p.status)
	}
	p = ad.get("/audit?action=task.")
	if p.status != http.StatusOK {
		t.Fatalf("GET /audit: %d", p.status)
	}
	mustContain(t, p.body, "task.complete", "task.assign", "用户 operator", "以「创始人号」身份")
}
