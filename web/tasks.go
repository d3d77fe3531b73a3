package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/tasks"
)

// TaskStore is what the task inbox and the audit page need of the store.
// *store.Store has it; with a store that lacks it those pages say so.
type TaskStore interface {
	Task(ctx context.Context, workspaceID, id int64) (siyu.Task, error)
	Tasks(ctx context.Context, workspaceID int64, f store.TaskFilter) ([]siyu.Task, int, error)
	OpenTaskCount(ctx context.Context, workspaceID, userID int64) (int, error)
	AssignTask(ctx context.Context, workspaceID, id, assigneeID int64, by store.Actor) (siyu.Task, error)
	CompleteTask(ctx context.Context, workspaceID, id int64, by store.Actor) (siyu.Task, error)
	TaskMetrics(ctx context.Context, workspaceID int64, since, now time.Time) (tasks.Report, error)
	OperatedAccounts(ctx context.Context, workspaceID, userID int64) ([]int64, error)
	WorkspaceMembers(ctx context.Context, workspaceID int64) ([]store.WorkspaceMember, error)
	AuditLog(ctx context.Context, workspaceID int64, f store.AuditFilter) ([]store.AuditEntry, error)
}

func (c *Console) taskStore(w http.ResponseWriter, r *http.Request) (TaskStore, bool) {
	ts, ok := c.store.(TaskStore)
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "tasks.unavailable")
	}
	return ts, ok
}

// Inbox scopes as the console names them; "all" is for admins.
var taskScopes = []string{store.ScopeInbox, store.ScopeMine, store.ScopePersonas, store.ScopePool, "all"}

var taskKinds = []string{siyu.TaskConfirmMassSend, siyu.TaskReplyComment, siyu.TaskFollowUp}

var taskStatuses = []string{tasks.StatusOpen, tasks.StatusDone, tasks.StatusCancelled}

const tasksPerPage = 50

type tasksData struct {
	Scope, Status, Kind string
	Scopes              []string
	Kinds, Statuses     []string
	Rows                []taskRow
	Total               int
	Pager               pageNav
	Members             []store.WorkspaceMember
	Metrics             *taskMetricsView
	Error               string // message key
}

// taskRow is a task with what the inbox shows next to it.
type taskRow struct {
	siyu.Task
	Overdue  bool
	Account  string // the account's name
	Persona  string // set when the work is done as a shared persona
	Assignee string
	CanAct   bool
}

type taskMetricsView struct {
	Days      int
	Total     tasks.Stat
	Operators []namedStat
	Kinds     []namedStat
}

type namedStat struct {
	Key  string // a kind, or an operator's name ("" for the pool)
	Stat tasks.Stat
}

// actorOf is the signed-in user as the task rules see them.
func actorOf(ctx context.Context, ts TaskStore, st *state) (tasks.Actor, error) {
	ids, err := ts.OperatedAccounts(ctx, st.workspace.ID, st.user.ID)
	if err != nil {
		return tasks.Actor{}, err
	}
	a := tasks.Actor{UserID: st.user.ID, Role: st.role, Operates: map[int64]bool{}}
	for _, id := range ids {
		a.Operates[id] = true
	}
	return a, nil
}

func (c *Console) taskList(w http.ResponseWriter, r *http.Request) {
	c.showTasks(w, r, http.StatusOK, "")
}

func (c *Console) showTasks(w http.ResponseWriter, r *http.Request, status int, errKey string) {
	ts, ok := c.taskStore(w, r)
	if !ok {
		return
	}
	st := stateFrom(r)
	ctx := r.Context()
	q := r.URL.Query()
	d := tasksData{Scope: q.Get("scope"), Status: q.Get("status"), Kind: q.Get("kind"), Kinds: taskKinds, Statuses: taskStatuses, Error: errKey}
	if d.Scope == "" {
		d.Scope = store.ScopeInbox
	}
	if q.Get("status") == "" && !q.Has("status") {
		d.Status = tasks.StatusOpen
	}
	for _, s := range taskScopes {
		if s != "all" || st.role == siyu.RoleAdmin {
			d.Scopes = append(d.Scopes, s)
		}
	}
	if !inList(d.Scopes, d.Scope) || (d.Status != "" && !tasks.ValidStatus(d.Status)) || (d.Kind != "" && !tasks.ValidKind(d.Kind)) {
		c.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return
	}
	f := store.TaskFilter{Scope: d.Scope, UserID: st.user.ID, Status: d.Status, Kind: d.Kind, Overdue: q.Get("overdue") == "1"}
	if f.Scope == "all" {
		f.Scope = ""
	}
	page := pageParam(r)
	f.Limit, f.Offset = tasksPerPage, (page-1)*tasksPerPage
	list, total, err := ts.Tasks(ctx, st.workspace.ID, f)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	actor, err := actorOf(ctx, ts, st)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	members, err := ts.WorkspaceMembers(ctx, st.workspace.ID)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	names := map[int64]string{}
	for _, m := range members {
		names[m.UserID] = m.Name
		if m.Role.CanWrite() {
			d.Members = append(d.Members, m)
		}
	}
	accounts, err := c.store.Accounts(ctx, st.workspace.ID)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	byID := map[int64]siyu.Account{}
	for _, a := range accounts {
		byID[a.ID] = a
	}
	now := time.Now()
	for _, t := range list {
		row := taskRow{Task: t, Overdue: tasks.Overdue(t, now), Assignee: names[t.AssigneeID], CanAct: tasks.CanAct(actor, t)}
		if a, ok := byID[t.AccountID]; ok {
			row.Account = a.Name
			row.Persona = a.Persona
		}
		d.Rows = append(d.Rows, row)
	}
	d.Total = total
	d.Pager = newPageNav(page, tasksPerPage, total, len(list), func(p int) string {
		v := url.Values{"scope": {d.Scope}, "status": {d.Status}, "kind": {d.Kind}, "page": {strconv.Itoa(p)}}
		if f.Overdue {
			v.Set("overdue", "1")
		}
		return "/tasks?" + v.Encode()
	})
	if d.Metrics, err = c.taskMetrics(ctx, ts, st.workspace.ID, names, now); err != nil {
		c.internalError(w, r, err)
		return
	}
	v := c.newView(r, "tasks.title", "tasks", d)
	switch {
	case q.Get("done") != "":
		v.Notice = "tasks.completed"
	case q.Get("assigned") != "":
		v.Notice = "tasks.assigned"
	}
	c.render(w, r, status, "tasks", v)
}

const taskMetricsDays = 30

func (c *Console) taskMetrics(ctx context.Context, ts TaskStore, ws int64, names map[int64]string, now time.Time) (*taskMetricsView, error) {
	rep, err := ts.TaskMetrics(ctx, ws, now.AddDate(0, 0, -taskMetricsDays), now)
	if err != nil {
		return nil, err
	}
	m := &taskMetricsView{Days: taskMetricsDays, Total: rep.Total}
	for _, id := range rep.Operators() {
		name := names[id]
		if id != 0 && name == "" {
			name = "#" + strconv.FormatInt(id, 10) // a former member
		}
		m.Operators = append(m.Operators, namedStat{Key: name, Stat: rep.ByOperator[id]})
	}
	for _, k := range rep.Kinds() {
		m.Kinds = append(m.Kinds, namedStat{Key: k, Stat: rep.ByKind[k]})
	}
	return m, nil
}

// taskAction loads the task of the path for a change by the signed-in user,
// answering the error page itself when it may not go ahead.
func (c *Console) taskAction(w http.ResponseWriter, r *http.Request) (TaskStore, siyu.Task, store.Actor, bool) {
	ts, ok := c.taskStore(w, r)
	if !ok {
		return nil, siyu.Task{}, store.Actor{}, false
	}
	st := stateFrom(r)
	id, ok := parseID(r.PathValue("id"))
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return nil, siyu.Task{}, store.Actor{}, false
	}
	task, err := ts.Task(r.Context(), st.workspace.ID, id)
	if errors.Is(err, siyu.ErrNotFound) {
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return nil, task, store.Actor{}, false
	}
	if err != nil {
		c.internalError(w, r, err)
		return nil, task, store.Actor{}, false
	}
	actor, err := actorOf(r.Context(), ts, st)
	if err != nil {
		c.internalError(w, r, err)
		return nil, task, store.Actor{}, false
	}
	if !tasks.CanAct(actor, task) {
		c.errorPage(w, r, http.StatusForbidden, "error.forbidden")
		return nil, task, store.Actor{}, false
	}
	return ts, task, store.Actor{UserID: st.user.ID, Name: st.user.Name}, true
}

func (c *Console) taskComplete(w http.ResponseWriter, r *http.Request) {
	ts, task, by, ok := c.taskAction(w, r)
	if !ok {
		return
	}
	_, err := ts.CompleteTask(r.Context(), stateFrom(r).workspace.ID, task.ID, by)
	if errors.Is(err, siyu.ErrConflict) {
		c.showTasks(w, r, http.StatusConflict, "tasks.already_closed")
		return
	}
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	http.Redirect(w, r, backToTasks(r, "done"), http.StatusSeeOther)
}

func (c *Console) taskAssign(w http.ResponseWriter, r *http.Request) {
	ts, task, by, ok := c.taskAction(w, r)
	if !ok {
		return
	}
	var assignee int64
	if v := r.PostFormValue("assignee"); v != "" && v != "0" {
		id, ok := parseID(v)
		if !ok {
			c.showTasks(w, r, http.StatusBadRequest, "tasks.bad_assignee")
			return
		}
		assignee = id
	}
	_, err := ts.AssignTask(r.Context(), stateFrom(r).workspace.ID, task.ID, assignee, by)
	switch {
	case errors.Is(err, siyu.ErrInvalid):
		c.showTasks(w, r, http.StatusBadRequest, "tasks.bad_assignee")
		return
	case errors.Is(err, siyu.ErrConflict):
		c.showTasks(w, r, http.StatusConflict, "tasks.already_closed")
		return
	case err != nil:
		c.internalError(w, r, err)
		return
	}
	http.Redirect(w, r, backToTasks(r, "assigned"), http.StatusSeeOther)
}

// backToTasks returns to the inbox view the form was posted from.
func backToTasks(r *http.Request, notice string) string {
	v := url.Values{}
	if back, err := url.ParseQuery(r.PostFormValue("back")); err == nil {
		for _, k := range []string{"scope", "status", "kind", "overdue", "page"} {
			if x := back.Get(k); x != "" {
				v.Set(k, x)
			}
		}
	}
	v.Set(notice, "1")
	return "/tasks?" + v.Encode()
}

// taskCount answers the nav badge: the open tasks of the user's inbox.
func (c *Console) taskCount(w http.ResponseWriter, r *http.Request) {
	n := 0
	if ts, ok := c.store.(TaskStore); ok {
		st := stateFrom(r)
		var err error
		if n, err = ts.OpenTaskCount(r.Context(), st.workspace.ID, st.user.ID); err != nil {
			c.log.ErrorContext(r.Context(), "task count", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]int{"open": n})
}

func inList(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// sharePercent formats a share 0..1 as a whole percentage.
func sharePercent(f float64) string {
	return strconv.Itoa(int(f*100+0.5)) + "%"
}

// taskDuration formats a time to complete compactly: 45m, 3.5h, 2.1d.
func taskDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "–"
	case d < time.Hour:
		return strconv.Itoa(int((d+30*time.Second)/time.Minute)) + "m"
	case d < 48*time.Hour:
		return strconv.FormatFloat(d.Hours(), 'f', 1, 64) + "h"
	default:
		return strconv.FormatFloat(d.Hours()/24, 'f', 1, 64) + "d"
	}
}
