package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/tasks"
)

// taskStore is what the task and audit endpoints need of the store.
// *store.Store has it; a store without it answers 404 on these endpoints.
type taskStore interface {
	CreateTask(ctx context.Context, workspaceID int64, t siyu.Task) (siyu.Task, error)
	Task(ctx context.Context, workspaceID, id int64) (siyu.Task, error)
	TaskByRef(ctx context.Context, workspaceID int64, ref string) (siyu.Task, error)
	Tasks(ctx context.Context, workspaceID int64, f store.TaskFilter) ([]siyu.Task, int, error)
	AssignTask(ctx context.Context, workspaceID, id, assigneeID int64, by store.Actor) (siyu.Task, error)
	CompleteTask(ctx context.Context, workspaceID, id int64, by store.Actor) (siyu.Task, error)
	CancelTask(ctx context.Context, workspaceID, id int64, by store.Actor, reason string) (siyu.Task, error)
	TaskMetrics(ctx context.Context, workspaceID int64, since, now time.Time) (tasks.Report, error)
	Role(ctx context.Context, workspaceID, userID int64) (siyu.Role, error)
	Audit(ctx context.Context, workspaceID int64, e store.AuditEntry) error
	AuditLog(ctx context.Context, workspaceID int64, f store.AuditFilter) ([]store.AuditEntry, error)
}

// taskRoutes registers the task and audit endpoints.
func (a *api) taskRoutes(route func(method, path string, h handlerFunc)) {
	route("GET", "/api/v1/tasks", a.listTasks)
	route("POST", "/api/v1/tasks", writer(a.createTask))
	route("GET", "/api/v1/tasks/metrics", a.taskMetrics)
	route("GET", "/api/v1/tasks/{id}", a.getTask)
	route("POST", "/api/v1/tasks/{id}/complete", writer(a.completeTask))
	route("POST", "/api/v1/tasks/{id}/cancel", writer(a.cancelTask))
	route("POST", "/api/v1/tasks/{id}/assign", writer(a.assignTask))
	route("GET", "/api/v1/audit", a.auditLog)
}

func (a *api) tasks() (taskStore, error) {
	ts, ok := a.store.(taskStore)
	if !ok {
		return nil, notFound("tasks are not available")
	}
	return ts, nil
}

// taskJSON is a task as the API shows it.
type taskJSON struct {
	siyu.Task
	Overdue bool `json:"overdue"`
}

func taskOut(t siyu.Task, now time.Time) taskJSON {
	return taskJSON{Task: t, Overdue: tasks.Overdue(t, now)}
}

// tokenActor names the token in the audit log; onBehalf, when set, is the
// user the integration says did the work.
func tokenActor(tok siyu.APIToken, onBehalf int64) store.Actor {
	return store.Actor{UserID: onBehalf, Name: "api:" + tok.Name + " (" + tok.Prefix + ")"}
}

func (a *api) listTasks(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.tasks()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.TaskFilter{Status: q.Get("status"), Kind: q.Get("kind")}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"assignee_id", &f.AssigneeID}, {"account_id", &f.AccountID}, {"customer_id", &f.CustomerID}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return badRequest("invalid_parameter", p.name, "%s must be a positive whole number", p.name)
			}
			*p.dst = n
		}
	}
	if q.Get("unassigned") == "true" {
		f.AssigneeID = -1
	}
	if v := q.Get("overdue"); v != "" {
		f.Overdue = v == "true" || v == "1"
	}
	if f.Status != "" && !tasks.ValidStatus(f.Status) {
		return badRequest("invalid_parameter", "status", "status must be open, done or cancelled")
	}
	if f.Limit, f.Offset, err = pageParams(q.Get("limit"), q.Get("offset")); err != nil {
		return err
	}
	list, total, err := ts.Tasks(r.Context(), tokenFrom(r.Context()).WorkspaceID, f)
	if err != nil {
		return err
	}
	now := time.Now()
	out := make([]taskJSON, len(list))
	for i, t := range list {
		out[i] = taskOut(t, now)
	}
	writeJSON(w, http.StatusOK, map[string]any{"tasks": out, "total": total})
	return nil
}

func pageParams(limit, offset string) (int, int, error) {
	l, o := DefaultPageLimit, 0
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxPageLimit {
			return 0, 0, badRequest("invalid_parameter", "limit", "limit must be a whole number from 1 to %d", MaxPageLimit)
		}
		l = n
	}
	if offset != "" {
		n, err := strconv.Atoi(offset)
		if err != nil || n < 0 {
			return 0, 0, badRequest("invalid_parameter", "offset", "offset must be a whole number from 0")
		}
		o = n
	}
	return l, o, nil
}

// taskInput is the body of POST /api/v1/tasks.
type taskInput struct {
	Kind       string    `json:"kind"`
	Title      string    `json:"title"`
	Detail     string    `json:"detail"`
	CustomerID int64     `json:"customer_id"`
	AccountID  int64     `json:"account_id"`
	AssigneeID int64     `json:"assignee_id"`
	DueAt      time.Time `json:"due_at"`
	Ref        string    `json:"ref"`
}

// createTask makes a task for an integration, e.g. "follow up this
// customer". A ref the workspace already has returns that task with 200;
// a new task is 201.
func (a *api) createTask(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.tasks()
	if err != nil {
		return err
	}
	body, err := readJSONBody(w, r)
	if err != nil {
		return err
	}
	var in taskInput
	if err := unmarshalStrict(body, &in); err != nil {
		return badRequest("invalid_json", "", "%v", err)
	}
	tok := tokenFrom(r.Context())
	if ref := strings.TrimSpace(in.Ref); ref != "" {
		existing, err := ts.TaskByRef(r.Context(), tok.WorkspaceID, ref)
		if err == nil {
			writeJSON(w, http.StatusOK, taskOut(existing, time.Now()))
			return nil
		}
		if !errors.Is(err, siyu.ErrNotFound) {
			return err
		}
	}
	task, err := ts.CreateTask(r.Context(), tok.WorkspaceID, siyu.Task{Kind: in.Kind, Title: in.Title, Detail: in.Detail,
		CustomerID: in.CustomerID, AccountID: in.AccountID, AssigneeID: in.AssigneeID, DueAt: in.DueAt, Ref: in.Ref})
	if errors.Is(err, siyu.ErrNotFound) {
		// A customer or account of the body that the workspace lacks.
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: err.Error()}
	}
	if err != nil {
		return err
	}
	if err := ts.Audit(r.Context(), tok.WorkspaceID, store.AuditEntry{Actor: tokenActor(tok, 0).Name, Action: "task.create",
		Target: "task:" + strconv.FormatInt(task.ID, 10), Detail: task.Kind}); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, taskOut(task, time.Now()))
	return nil
}

func (a *api) getTask(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.tasks()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	task, err := ts.Task(r.Context(), tokenFrom(r.Context()).WorkspaceID, id)
	if errors.Is(err, siyu.ErrNotFound) {
		return notFound("no task %d in this workspace", id)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, taskOut(task, time.Now()))
	return nil
}

// taskAction is the optional body of complete, cancel and assign.
type taskAction struct {
	// UserID is the member the integration acts for (who did the work);
	// they must be able to write in the workspace.
	UserID     int64  `json:"user_id"`
	Reason     string `json:"reason"`
	AssigneeID int64  `json:"assignee_id"`
}

func (a *api) readTaskAction(w http.ResponseWriter, r *http.Request, ts taskStore) (int64, taskAction, store.Actor, error) {
	var in taskAction
	id, err := idParam(r)
	if err != nil {
		return 0, in, store.Actor{}, err
	}
	if r.ContentLength != 0 {
		body, err := readJSONBody(w, r)
		if err != nil {
			return 0, in, store.Actor{}, err
		}
		if err := unmarshalStrict(body, &in); err != nil {
			return 0, in, store.Actor{}, badRequest("invalid_json", "", "%v", err)
		}
	}
	tok := tokenFrom(r.Context())
	if in.UserID != 0 {
		role, err := ts.Role(r.Context(), tok.WorkspaceID, in.UserID)
		if errors.Is(err, siyu.ErrNotFound) || (err == nil && !role.CanWrite()) {
			return 0, in, store.Actor{}, badRequest("invalid_parameter", "user_id", "user %d is not a member who can act on tasks", in.UserID)
		}
		if err != nil {
			return 0, in, store.Actor{}, err
		}
	}
	return id, in, tokenActor(tok, in.UserID), nil
}

func (a *api) completeTask(w http.ResponseWriter, r *http.Request) error {
	return a.taskChange(w, r, func(ts taskStore, ws, id int64, in taskAction, by store.Actor) (siyu.Task, error) {
		return ts.CompleteTask(r.Context(), ws, id, by)
	})
}

func (a *api) cancelTask(w http.ResponseWriter, r *http.Request) error {
	return a.taskChange(w, r, func(ts taskStore, ws, id int64, in taskAction, by store.Actor) (siyu.Task, error) {
		return ts.CancelTask(r.Context(), ws, id, by, strings.TrimSpace(in.Reason))
	})
}

func (a *api) assignTask(w http.ResponseWriter, r *http.Request) error {
	return a.taskChange(w, r, func(ts taskStore, ws, id int64, in taskAction, by store.Actor) (siyu.Task, error) {
		return ts.AssignTask(r.Context(), ws, id, in.AssigneeID, by)
	})
}

func (a *api) taskChange(w http.ResponseWriter, r *http.Request, change func(ts taskStore, ws, id int64, in taskAction, by store.Actor) (siyu.Task, error)) error {
	ts, err := a.tasks()
	if err != nil {
		return err
	}
	id, in, by, err := a.readTaskAction(w, r, ts)
	if err != nil {
		return err
	}
	task, err := change(ts, tokenFrom(r.Context()).WorkspaceID, id, in, by)
	if errors.Is(err, siyu.ErrNotFound) {
		return notFound("no task %d in this workspace", id)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, taskOut(task, time.Now()))
	return nil
}

// statJSON is a tasks.Stat with durations in seconds.
type statJSON struct {
	Done          int     `json:"done"`
	Open          int     `json:"open"`
	Overdue       int     `json:"overdue"`
	Cancelled     int     `json:"cancelled"`
	MedianSeconds int64   `json:"median_seconds"`
	P90Seconds    int64   `json:"p90_seconds"`
	WithinSLA     float64 `json:"within_sla"`
}

func statOut(s tasks.Stat) statJSON {
	return statJSON{Done: s.Done, Open: s.Open, Overdue: s.Overdue, Cancelled: s.Cancelled,
		MedianSeconds: int64(s.Median / time.Second), P90Seconds: int64(s.P90 / time.Second), WithinSLA: s.WithinSLA}
}

// taskMetrics reports completion over the last ?days (default 30).
func (a *api) taskMetrics(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.tasks()
	if err != nil {
		return err
	}
	days := 30
	if v := r.URL.Query().Get("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 366 {
			return badRequest("invalid_parameter", "days", "days must be a whole number from 1 to 366")
		}
		days = n
	}
	now := time.Now()
	rep, err := ts.TaskMetrics(r.Context(), tokenFrom(r.Context()).WorkspaceID, now.AddDate(0, 0, -days), now)
	if err != nil {
		return err
	}
	byOp := map[string]statJSON{}
	for id, s := range rep.ByOperator {
		key := strconv.FormatInt(id, 10)
		if id == 0 {
			key = "pool"
		}
		byOp[key] = statOut(s)
	}
	byKind := map[string]statJSON{}
	for k, s := range rep.ByKind {
		byKind[k] = statOut(s)
	}
	writeJSON(w, http.StatusOK, map[string]any{"days": days, "total": statOut(rep.Total), "by_operator": byOp, "by_kind": byKind})
	return nil
}

// auditLog lists the workspace's audit log, newest first (admin tokens).
func (a *api) auditLog(w http.ResponseWriter, r *http.Request) error {
	if role := tokenFrom(r.Context()).Role; role != siyu.RoleAdmin {
		return &apiError{Status: http.StatusForbidden, Code: "forbidden", Message: "only an admin token can read the audit log"}
	}
	ts, err := a.tasks()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.AuditFilter{Action: q.Get("action"), Target: q.Get("target"), Persona: q.Get("persona")}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"user_id", &f.UserID}, {"before_id", &f.BeforeID}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 {
				return badRequest("invalid_parameter", p.name, "%s must be a positive whole number", p.name)
			}
			*p.dst = n
		}
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return badRequest("invalid_parameter", p.name, "%s must be an RFC 3339 time like 2025-03-01T09:00:00+08:00", p.name)
			}
			*p.dst = t
		}
	}
	if f.Limit, _, err = pageParams(q.Get("limit"), ""); err != nil {
		return err
	}
	entries, err := ts.AuditLog(r.Context(), tokenFrom(r.Context()).WorkspaceID, f)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []store.AuditEntry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
	return nil
}
