package store_test

import (
	"errors"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
	"siyu.dev/siyu/tasks"
)

// taskWorld is a workspace with an admin, two operators who run the
// founder's persona together, a third operator with her own account, and an
// analyst.
type taskWorld struct {
	s                         *store.Store
	ws                        int64
	admin, ann, ben, cat, ana int64
	founder, catAcct          siyu.Account
	customer                  int64
}

func newTaskWorld(t *testing.T) *taskWorld {
	t.Helper()
	s := storetest.Open(t)
	w := &taskWorld{s: s, ws: workspace(t, s, "tasks")}
	user := func(login string, role siyu.Role) int64 {
		u, err := s.CreateUser(ctx, login, login, "x")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetMembership(ctx, w.ws, u.ID, role); err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	w.admin = user("admin", siyu.RoleAdmin)
	w.ann = user("ann", siyu.RoleOperator)
	w.ben = user("ben", siyu.RoleOperator)
	w.cat = user("cat", siyu.RoleOperator)
	w.ana = user("ana", siyu.RoleAnalyst)
	var err error
	if w.founder, err = s.UpsertAccount(ctx, w.ws, siyu.Account{WeComUserID: "founder", Name: "张总", Persona: "创始人号", Active: true}); err != nil {
		t.Fatal(err)
	}
	if w.catAcct, err = s.UpsertAccount(ctx, w.ws, siyu.Account{WeComUserID: "cat", Name: "小猫", Active: true}); err != nil {
		t.Fatal(err)
	}
	by := store.Actor{UserID: w.admin, Name: "admin"}
	if err := s.SetAccountOperators(ctx, w.ws, w.founder.ID, []int64{w.ann, w.ben, w.ann}, by); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAccountOperators(ctx, w.ws, w.catAcct.ID, []int64{w.cat}, by); err != nil {
		t.Fatal(err)
	}
	ids, err := s.UpsertContacts(ctx, w.ws, []store.ContactInput{
		{AccountUserID: "founder", ExternalUserID: "wm-1", Name: "李雷", AddedAt: t0},
		{AccountUserID: "cat", ExternalUserID: "wm-1", Name: "李雷", AddedAt: t0.Add(time.Hour)},
	})
	if err != nil {
		t.Fatal(err)
	}
	w.customer = ids[0]
	return w
}

func (w *taskWorld) create(t *testing.T, in siyu.Task) siyu.Task {
	t.Helper()
	if in.Title == "" {
		in.Title = "跟进"
	}
	if in.Kind == "" {
		in.Kind = siyu.TaskFollowUp
	}
	got, err := w.s.CreateTask(ctx, w.ws, in)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestCreateTaskDefaultsAndIdempotency(t *testing.T) {
	w := newTaskWorld(t)
	a := w.create(t, siyu.Task{Kind: siyu.TaskConfirmMassSend, Title: "确认群发", AccountID: w.founder.ID, Ref: "mass:1:founder", CreatedAt: t0})
	if a.Status != tasks.StatusOpen || !a.DueAt.Equal(t0.Add(2*time.Hour)) || a.ID == 0 {
		t.Fatalf("task = %+v, want open, due 2h after creation", a)
	}
	again := w.create(t, siyu.Task{Kind: siyu.TaskConfirmMassSend, Title: "另一个标题", Ref: "mass:1:founder"})
	if again.ID != a.ID || again.Title != "确认群发" {
		t.Fatalf("same ref made a new task: %+v vs %+v", again, a)
	}
	// A closed task still answers for its ref: the work was done once.
	if _, err := w.s.CompleteTask(ctx, w.ws, a.ID, store.Actor{UserID: w.ann, Name: "ann"}); err != nil {
		t.Fatal(err)
	}
	if again := w.create(t, siyu.Task{Kind: siyu.TaskConfirmMassSend, Ref: "mass:1:founder"}); again.ID != a.ID || again.Status != tasks.StatusDone {
		t.Fatalf("after completion: %+v", again)
	}
	// Tasks without a ref are all distinct.
	if x, y := w.create(t, siyu.Task{}), w.create(t, siyu.Task{}); x.ID == y.ID {
		t.Fatal("two ref-less tasks share an id")
	}
	// The workspace's SLA setting wins over the default.
	if err := w.s.SetTaskSettings(ctx, w.ws, []byte(`{"sla":{"reply_comment":"10m"}}`)); err != nil {
		t.Fatal(err)
	}
	r := w.create(t, siyu.Task{Kind: siyu.TaskReplyComment, CreatedAt: t0})
	if !r.DueAt.Equal(t0.Add(10 * time.Minute)) {
		t.Errorf("due = %v, want creation + 10m", r.DueAt)
	}
	// An explicit due time is kept.
	due := t0.Add(72 * time.Hour)
	if d := w.create(t, siyu.Task{DueAt: due}); !d.DueAt.Equal(due) {
		t.Errorf("due = %v, want %v", d.DueAt, due)
	}
}

func TestCreateTaskRejectsBadInput(t *testing.T) {
	w := newTaskWorld(t)
	other := workspace(t, w.s, "other")
	otherAcct, err := w.s.UpsertAccount(ctx, other, siyu.Account{WeComUserID: "x", Name: "x", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   siyu.Task
		want error
	}{
		{"bad kind", siyu.Task{Kind: "Follow Up", Title: "x"}, siyu.ErrInvalid},
		{"no title", siyu.Task{Kind: "follow_up", Title: "  "}, siyu.ErrInvalid},
		{"analyst assignee", siyu.Task{Kind: "follow_up", Title: "x", AssigneeID: w.ana}, siyu.ErrInvalid},
		{"stranger assignee", siyu.Task{Kind: "follow_up", Title: "x", AssigneeID: 999999}, siyu.ErrInvalid},
		{"other workspace's account", siyu.Task{Kind: "follow_up", Title: "x", AccountID: otherAcct.ID}, siyu.ErrNotFound},
		{"unknown customer", siyu.Task{Kind: "follow_up", Title: "x", CustomerID: 999999}, siyu.ErrNotFound},
	}
	for _, tt := range tests {
		if _, err := w.s.CreateTask(ctx, w.ws, tt.in); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	if err := w.s.SetTaskSettings(ctx, w.ws, []byte(`{"sla":{"follow_up":"soon"}}`)); !errors.Is(err, siyu.ErrInvalid) {
		t.Errorf("bad settings: err = %v", err)
	}
}

func TestTaskScopesAndFilters(t *testing.T) {
	w := newTaskWorld(t)
	now := t0.Add(48 * time.Hour)
	mine := w.create(t, siyu.Task{AssigneeID: w.ann, AccountID: w.founder.ID, CreatedAt: t0}) // overdue at now
	persona := w.create(t, siyu.Task{Kind: siyu.TaskReplyComment, AccountID: w.founder.ID, CreatedAt: now})
	pool := w.create(t, siyu.Task{CreatedAt: now})
	catTask := w.create(t, siyu.Task{AccountID: w.catAcct.ID, CreatedAt: now})
	done := w.create(t, siyu.Task{AssigneeID: w.ann, CreatedAt: t0})
	if _, err := w.s.CompleteTask(ctx, w.ws, done.ID, store.Actor{UserID: w.ann}); err != nil {
		t.Fatal(err)
	}
	ids := func(f store.TaskFilter) []int64 {
		t.Helper()
		f.Now = now
		got, total, err := w.s.Tasks(ctx, w.ws, f)
		if err != nil {
			t.Fatal(err)
		}
		if total != len(got) {
			t.Errorf("total %d for %d rows", total, len(got))
		}
		var out []int64
		for _, x := range got {
			out = append(out, x.ID)
		}
		return out
	}
	tests := []struct {
		name string
		f    store.TaskFilter
		want []int64
	}{
		{"ann's own", store.TaskFilter{Scope: store.ScopeMine, UserID: w.ann, Status: "open"}, []int64{mine.ID}},
		{"ann's personas", store.TaskFilter{Scope: store.ScopePersonas, UserID: w.ann}, []int64{persona.ID}},
		{"pool", store.TaskFilter{Scope: store.ScopePool}, []int64{pool.ID}},
		{"ann's inbox, open", store.TaskFilter{Scope: store.ScopeInbox, UserID: w.ann, Status: "open"}, []int64{mine.ID, persona.ID, pool.ID}},
		{"cat's inbox", store.TaskFilter{Scope: store.ScopeInbox, UserID: w.cat}, []int64{pool.ID, catTask.ID}},
		{"overdue", store.TaskFilter{Overdue: true}, []int64{mine.ID}},
		{"kind", store.TaskFilter{Kind: siyu.TaskReplyComment}, []int64{persona.ID}},
		{"account", store.TaskFilter{AccountID: w.catAcct.ID}, []int64{catTask.ID}},
		{"unassigned", store.TaskFilter{AssigneeID: -1, Status: "open"}, []int64{persona.ID, pool.ID, catTask.ID}},
		{"done", store.TaskFilter{Status: "done"}, []int64{done.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(tt.f)
			if !sameIDs(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	// Open first, by due time: the overdue task leads.
	if all := ids(store.TaskFilter{}); all[0] != mine.ID || all[len(all)-1] != done.ID {
		t.Errorf("order = %v", all)
	}
	if _, _, err := w.s.Tasks(ctx, w.ws, store.TaskFilter{Status: "later"}); !errors.Is(err, siyu.ErrInvalid) {
		t.Errorf("bad status: %v", err)
	}
	n, err := w.s.OpenTaskCount(ctx, w.ws, w.ann)
	if err != nil || n != 3 {
		t.Errorf("ann's badge = %d, %v; want 3", n, err)
	}
	// Another workspace sees none of it.
	other := workspace(t, w.s, "other")
	if got, total, _ := w.s.Tasks(ctx, other, store.TaskFilter{}); len(got) != 0 || total != 0 {
		t.Errorf("other workspace sees %d tasks", total)
	}
	if _, err := w.s.Task(ctx, other, mine.ID); !errors.Is(err, siyu.ErrNotFound) {
		t.Errorf("other workspace reads a task: %v", err)
	}
	if _, err := w.s.CompleteTask(ctx, other, mine.ID, store.Actor{}); !errors.Is(err, siyu.ErrNotFound) {
		t.Errorf("other workspace completes a task: %v", err)
	}
}

func sameIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestAssignCompleteCancelAreAudited(t *testing.T) {
	w := newTaskWorld(t)
	task := w.create(t, siyu.Task{Kind: siyu.TaskFollowUp, AccountID: w.founder.ID, CustomerID: w.customer})
	if _, err := w.s.AssignTask(ctx, w.ws, task.ID, w.ana, store.Actor{UserID: w.admin}); !errors.Is(err, siyu.ErrInvalid) {
		t.Fatalf("assign to analyst: %v", err)
	}
	got, err := w.s.AssignTask(ctx, w.ws, task.ID, w.ben, store.Actor{UserID: w.admin, Name: "admin"})
	if err != nil || got.AssigneeID != w.ben {
		t.Fatalf("assign: %+v, %v", got, err)
	}
	got, err = w.s.CompleteTask(ctx, w.ws, task.ID, store.Actor{UserID: w.ben, Name: "ben"})
	if err != nil || got.Status != tasks.StatusDone || got.DoneBy != w.ben || got.DoneAt.IsZero() {
		t.Fatalf("complete: %+v, %v", got, err)
	}
	if _, err := w.s.CompleteTask(ctx, w.ws, task.ID, store.Actor{UserID: w.ann}); !errors.Is(err, siyu.ErrConflict) {
		t.Errorf("second completion: %v", err)
	}
	if _, err := w.s.AssignTask(ctx, w.ws, task.ID, w.ann, store.Actor{UserID: w.admin}); !errors.Is(err, siyu.ErrConflict) {
		t.Errorf("assign a done task: %v", err)
	}
	c := w.create(t, siyu.Task{})
	if got, err := w.s.CancelTask(ctx, w.ws, c.ID, store.Actor{UserID: w.ann, Name: "ann"}, "客户已购买"); err != nil || got.Status != tasks.StatusCancelled {
		t.Fatalf("cancel: %+v, %v", got, err)
	}
	log, err := w.s.AuditLog(ctx, w.ws, store.AuditFilter{Action: "task."})
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 3 {
		t.Fatalf("audit = %+v, want assign, complete, cancel", log)
	}
	complete := log[1]
	if complete.Action != "task.complete" || complete.UserID != w.ben || complete.Persona != "创始人号" || complete.Actor != "ben" {
		t.Errorf("completion audit = %+v: want the real user acting as the persona", complete)
	}
	if log[0].Action != "task.cancel" || log[0].Detail != "follow_up: 客户已购买" {
		t.Errorf("cancel audit = %+v", log[0])
	}
}

func TestRemoveMemberMovesTasksToAnotherOperator(t *testing.T) {
	w := newTaskWorld(t)
	by := store.Actor{UserID: w.admin, Name: "admin"}
	// ben already has one open task; ann has two of the founder's and one of the pool.
	w.create(t, siyu.Task{AssigneeID: w.ben, AccountID: w.founder.ID})
	a1 := w.create(t, siyu.Task{AssigneeID: w.ann, AccountID: w.founder.ID})
	a2 := w.create(t, siyu.Task{AssigneeID: w.ann, AccountID: w.founder.ID})
	a3 := w.create(t, siyu.Task{AssigneeID: w.ann})
	res, err := w.s.RemoveMember(ctx, w.ws, w.ann, by)
	if err != nil {
		t.Fatal(err)
	}
	if res.Moved != 2 || res.ToPool != 1 {
		t.Errorf("result = %+v, want 2 moved, 1 to the pool", res)
	}
	for _, id := range []int64{a1.ID, a2.ID} {
		if got, _ := w.s.Task(ctx, w.ws, id); got.AssigneeID != w.ben {
			t.Errorf("task %d went to %d, want ben (the founder's other operator)", id, got.AssigneeID)
		}
	}
	if got, _ := w.s.Task(ctx, w.ws, a3.ID); got.AssigneeID != 0 {
		t.Errorf("pool task went to %d", got.AssigneeID)
	}
	if _, err := w.s.Role(ctx, w.ws, w.ann); !errors.Is(err, siyu.ErrNotFound) {
		t.Errorf("ann is still a member: %v", err)
	}
	ops, _ := w.s.AccountOperators(ctx, w.ws)
	if !sameIDs(ops[w.founder.ID], []int64{w.ben}) {
		t.Errorf("founder's operators = %v", ops[w.founder.ID])
	}
	if log, _ := w.s.AuditLog(ctx, w.ws, store.AuditFilter{Action: "task.reassign"}); len(log) != 3 || log[0].Actor != "system" {
		t.Errorf("reassign audit = %+v", log)
	}
	// The last admin stays.
	if _, err := w.s.RemoveMember(ctx, w.ws, w.admin, by); !errors.Is(err, siyu.ErrConflict) {
		t.Errorf("removing the last admin: %v", err)
	}
	// When the whole persona team is gone, the work goes back to its pool.
	b1 := w.create(t, siyu.Task{AssigneeID: w.ben, AccountID: w.founder.ID})
	if _, err := w.s.RemoveMember(ctx, w.ws, w.ben, by); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.s.Task(ctx, w.ws, b1.ID); got.AssigneeID != 0 || got.AccountID != w.founder.ID {
		t.Errorf("last operator's task = %+v, want unassigned on the founder's account", got)
	}
}

func TestLeastLoadedOperatorTakesOver(t *testing.T) {
	w := newTaskWorld(t)
	by := store.Actor{UserID: w.admin}
	if err := w.s.SetAccountOperators(ctx, w.ws, w.founder.ID, []int64{w.ann, w.ben, w.cat}, by); err != nil {
		t.Fatal(err)
	}
	w.create(t, siyu.Task{AssigneeID: w.ben})
	var left []int64
	for range 3 {
		left = append(left, w.create(t, siyu.Task{AssigneeID: w.ann, AccountID: w.founder.ID}).ID)
	}
	if _, err := w.s.RemoveMember(ctx, w.ws, w.ann, by); err != nil {
		t.Fatal(err)
	}
	count := map[int64]int{}
	for _, id := range left {
		got, _ := w.s.Task(ctx, w.ws, id)
		count[got.AssigneeID]++
	}
	// cat starts with none and ben with one: cat, then ben (a tie goes to
	// the lower id), then cat.
	if count[w.cat] != 2 || count[w.ben] != 1 {
		t.Errorf("spread = %v, want cat 2 and ben 1", count)
	}
}

func TestDeactivatedAccountTasks(t *testing.T) {
	w := newTaskWorld(t)
	mass := w.create(t, siyu.Task{Kind: siyu.TaskConfirmMassSend, AccountID: w.catAcct.ID, AssigneeID: w.cat})
	follow := w.create(t, siyu.Task{AccountID: w.founder.ID, AssigneeID: w.ann, CustomerID: w.customer})
	orphan := w.create(t, siyu.Task{AccountID: w.founder.ID, AssigneeID: w.ann})
	res, err := w.s.DeactivateAccount(ctx, w.ws, w.catAcct.ID, store.Actor{UserID: w.admin, Name: "admin"})
	if err != nil || res.Cancelled != 1 {
		t.Fatalf("deactivate cat: %+v, %v", res, err)
	}
	if got, _ := w.s.Task(ctx, w.ws, mass.ID); got.Status != tasks.StatusCancelled {
		t.Errorf("mass send of a gone member = %s, want cancelled", got.Status)
	}
	// The founder's account leaves too, as a WeCom sync would record it;
	// the sweep finds what it stranded.
	if _, err := w.s.UpsertAccount(ctx, w.ws, siyu.Account{WeComUserID: "cat", Name: "小猫", Active: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.UpsertAccount(ctx, w.ws, siyu.Account{WeComUserID: "founder", Name: "张总", Persona: "创始人号", Active: false}); err != nil {
		t.Fatal(err)
	}
	res, err = w.s.RehomeStrandedTasks(ctx, w.ws)
	if err != nil {
		t.Fatal(err)
	}
	if res.Moved != 1 || res.ToPool != 1 {
		t.Errorf("sweep = %+v, want one moved to the customer's other account, one to the pool", res)
	}
	got, _ := w.s.Task(ctx, w.ws, follow.ID)
	if got.AccountID != w.catAcct.ID || got.AssigneeID != w.cat {
		t.Errorf("follow-up = account %d assignee %d, want cat's account and cat", got.AccountID, got.AssigneeID)
	}
	got, _ = w.s.Task(ctx, w.ws, orphan.ID)
	if got.AccountID != 0 || got.AssigneeID != 0 || got.Status != tasks.StatusOpen {
		t.Errorf("orphan = %+v, want open in the pool", got)
	}
	if again, _ := w.s.RehomeStrandedTasks(ctx, w.ws); again != (store.Reassigned{}) {
		t.Errorf("second sweep = %+v, want nothing", again)
	}
}

func TestTaskMetrics(t *testing.T) {
	w := newTaskWorld(t)
	now := t0.Add(10 * time.Hour)
	// Three follow-ups (24 h SLA) done by ann after 1, 2 and 30 hours.
	for _, h := range []int{1, 2, 30} {
		created := now.Add(-time.Duration(h) * time.Hour)
		task := w.create(t, siyu.Task{Kind: siyu.TaskFollowUp, AssigneeID: w.ann, CreatedAt: created})
		store.SetTaskClock(w.s, now)
		if _, err := w.s.CompleteTask(ctx, w.ws, task.ID, store.Actor{UserID: w.ann}); err != nil {
			t.Fatal(err)
		}
	}
	// One open and overdue for ben.
	w.create(t, siyu.Task{Kind: siyu.TaskReplyComment, AssigneeID: w.ben, CreatedAt: now.Add(-time.Hour)})
	rep, err := w.s.TaskMetrics(ctx, w.ws, t0.Add(-48*time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	ann := rep.ByOperator[w.ann]
	if ann.Done != 3 || ann.Median != 2*time.Hour || ann.P90 != 30*time.Hour {
		t.Errorf("ann = %+v", ann)
	}
	if ann.WithinSLA < 0.66 || ann.WithinSLA > 0.67 {
		t.Errorf("ann within SLA = %v, want 2/3", ann.WithinSLA)
	}
	if b := rep.ByOperator[w.ben]; b.Open != 1 || b.Overdue != 1 {
		t.Errorf("ben = %+v", b)
	}
	if rep.Total.Done != 3 || rep.Total.Open != 1 || rep.ByKind[siyu.TaskReplyComment].Overdue != 1 {
		t.Errorf("report = %+v", rep)
	}
}
