package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/tasks"
)

// Actor is who performs an operator action, for the audit log: a console
// user, or UserID 0 with a name such as "api:crm-sync" or "system".
type Actor struct {
	UserID int64
	Name   string
}

// System is the actor of automatic changes (reassignment when someone leaves).
var System = Actor{Name: "system"}

// TaskSettings returns the workspace's task settings (defaults when unset).
func (s *Store) TaskSettings(ctx context.Context, workspaceID int64) (tasks.Settings, error) {
	b, err := s.Setting(ctx, workspaceID, tasks.SettingName)
	if errors.Is(err, siyu.ErrNotFound) {
		return tasks.Settings{}, nil
	}
	if err != nil {
		return tasks.Settings{}, err
	}
	return tasks.ParseSettings(b)
}

// SetTaskSettings validates and stores the workspace's task settings
// document ({"sla": {"follow_up": "12h"}}).
func (s *Store) SetTaskSettings(ctx context.Context, workspaceID int64, doc []byte) error {
	if _, err := tasks.ParseSettings(doc); err != nil {
		return err
	}
	return s.SetSetting(ctx, workspaceID, tasks.SettingName, doc)
}

// CreateTask stores a new open task. A task with a Ref that the workspace
// already has is not created again: the existing one is returned, whatever
// its status, so that a retried hook or integration call makes one task.
// Without DueAt the task is due after its kind's SLA. A customer merged
// into another is replaced by the survivor; an assignee must be a member
// who can write.
func (s *Store) CreateTask(ctx context.Context, workspaceID int64, in siyu.Task) (siyu.Task, error) {
	in.Kind = strings.TrimSpace(in.Kind)
	in.Title = clip(strings.TrimSpace(in.Title), 200)
	in.Detail = clip(strings.TrimSpace(in.Detail), 4000)
	in.Ref = strings.TrimSpace(in.Ref)
	switch {
	case !tasks.ValidKind(in.Kind):
		return in, fmt.Errorf("%w: task kind %q: use a-z, 0-9 and _, starting with a letter", siyu.ErrInvalid, in.Kind)
	case in.Title == "":
		return in, fmt.Errorf("%w: task title is empty", siyu.ErrInvalid)
	case len(in.Ref) > 200:
		return in, fmt.Errorf("%w: task ref is longer than 200 bytes", siyu.ErrInvalid)
	}
	settings, err := s.TaskSettings(ctx, workspaceID)
	if err != nil {
		return in, err
	}
	in.WorkspaceID = workspaceID
	in.Status = tasks.StatusOpen
	in.DoneAt, in.DoneBy = time.Time{}, 0
	if in.CreatedAt.IsZero() {
		in.CreatedAt = s.now()
	}
	in.CreatedAt = in.CreatedAt.UTC().Truncate(time.Millisecond)
	if in.DueAt.IsZero() {
		in.DueAt = in.CreatedAt.Add(settings.SLAFor(in.Kind))
	}
	in.DueAt = in.DueAt.UTC().Truncate(time.Millisecond)
	var out siyu.Task
	err = s.write(ctx, workspaceID, func(t *tx) error {
		if in.Ref != "" {
			existing, err := scanTask(t.queryRow(ctx, `SELECT `+taskCols+` FROM tasks WHERE workspace_id = ? AND ref = ?`, workspaceID, in.Ref))
			if err == nil {
				out = existing
				return nil
			}
			if !errors.Is(err, siyu.ErrNotFound) {
				return err
			}
		}
		if in.CustomerID != 0 {
			root, err := t.customerInWorkspace(ctx, workspaceID, in.CustomerID)
			if err != nil {
				return fmt.Errorf("task customer %d: %w", in.CustomerID, err)
			}
			in.CustomerID = root
		}
		if in.AccountID != 0 {
			if _, err := t.account(ctx, workspaceID, in.AccountID); err != nil {
				return fmt.Errorf("task account %d: %w", in.AccountID, err)
			}
		}
		if in.AssigneeID != 0 {
			if err := t.checkAssignee(ctx, workspaceID, in.AssigneeID); err != nil {
				return err
			}
		}
		err := t.queryRow(ctx, `INSERT INTO tasks (workspace_id, kind, title, detail, customer_id, account_id, assignee_id, due_at, status, ref, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			workspaceID, in.Kind, in.Title, in.Detail, nullID(in.CustomerID), nullID(in.AccountID), nullID(in.AssigneeID),
			ms(in.DueAt), in.Status, nullString(in.Ref), ms(in.CreatedAt)).Scan(&in.ID)
		out = in
		return err
	})
	if isUnique(err) && in.Ref != "" {
		// Another node created the same work between our look and insert.
		return s.TaskByRef(ctx, workspaceID, in.Ref)
	}
	return out, err
}

// Task returns one task of the workspace.
func (s *Store) Task(ctx context.Context, workspaceID, id int64) (siyu.Task, error) {
	return scanTask(s.queryRow(ctx, `SELECT `+taskCols+` FROM tasks WHERE workspace_id = ? AND id = ?`, workspaceID, id))
}

// TaskByRef returns the task that a ref names.
func (s *Store) TaskByRef(ctx context.Context, workspaceID int64, ref string) (siyu.Task, error) {
	return scanTask(s.queryRow(ctx, `SELECT `+taskCols+` FROM tasks WHERE workspace_id = ? AND ref = ?`, workspaceID, strings.TrimSpace(ref)))
}

// Task scopes: whose tasks a list shows. They need TaskFilter.UserID.
const (
	ScopeMine     = "mine"     // assigned to the user
	ScopePersonas = "personas" // unassigned, of an account the user operates
	ScopePool     = "pool"     // unassigned and of no account: anyone's
	ScopeInbox    = "inbox"    // all three: what a non-admin sees
)

// TaskFilter selects tasks; zero fields match everything.
type TaskFilter struct {
	Scope  string
	UserID int64 // the user the scope is about
	// AssigneeID keeps the tasks of one assignee; -1 keeps unassigned ones.
	AssigneeID int64
	AccountID  int64
	CustomerID int64
	Status     string
	Kind       string
	// Overdue keeps open tasks due before Now (default: the store's clock).
	Overdue bool
	Now     time.Time
	// Limit defaults to 50, at most 500.
	Limit  int
	Offset int
}

// Tasks lists tasks, open ones first by due time, then closed ones newest
// first, with the number that match the filter.
func (s *Store) Tasks(ctx context.Context, workspaceID int64, f TaskFilter) ([]siyu.Task, int, error) {
	where, args, err := s.taskWhere(workspaceID, f)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM tasks WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	if limit > 500 {
		limit = 500
	}
	offset := max(f.Offset, 0)
	q := `SELECT ` + taskCols + ` FROM tasks WHERE ` + where +
		` ORDER BY CASE WHEN status = 'open' THEN 0 ELSE 1 END, CASE WHEN status = 'open' THEN due_at ELSE -COALESCE(done_at, created_at) END, id` +
		` LIMIT ` + strconv.Itoa(limit) + ` OFFSET ` + strconv.Itoa(offset)
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []siyu.Task
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, t)
	}
	return out, total, rows.Err()
}

// OpenTaskCount is the number for the nav badge: open tasks in the user's
// inbox (theirs, their personas' and the pool).
func (s *Store) OpenTaskCount(ctx context.Context, workspaceID, userID int64) (int, error) {
	where, args, err := s.taskWhere(workspaceID, TaskFilter{Scope: ScopeInbox, UserID: userID, Status: tasks.StatusOpen})
	if err != nil {
		return 0, err
	}
	var n int
	err = s.queryRow(ctx, `SELECT COUNT(*) FROM tasks WHERE `+where, args...).Scan(&n)
	return n, err
}

func (s *Store) taskWhere(ws int64, f TaskFilter) (string, []any, error) {
	where := []string{`workspace_id = ?`}
	args := []any{ws}
	mine := `assignee_id = ?`
	personas := `(assignee_id IS NULL AND account_id IN (SELECT account_id FROM account_operators WHERE workspace_id = ? AND user_id = ?))`
	pool := `(assignee_id IS NULL AND account_id IS NULL)`
	switch f.Scope {
	case "":
	case ScopeMine:
		where = append(where, mine)
		args = append(args, f.UserID)
	case ScopePersonas:
		where = append(where, personas)
		args = append(args, ws, f.UserID)
	case ScopePool:
		where = append(where, pool)
	case ScopeInbox:
		where = append(where, `(`+mine+` OR `+personas+` OR `+pool+`)`)
		args = append(args, f.UserID, ws, f.UserID)
	default:
		return "", nil, fmt.Errorf("%w: task scope %q: use mine, personas, pool or inbox", siyu.ErrInvalid, f.Scope)
	}
	switch {
	case f.AssigneeID > 0:
		where = append(where, `assignee_id = ?`)
		args = append(args, f.AssigneeID)
	case f.AssigneeID < 0:
		where = append(where, `assignee_id IS NULL`)
	}
	if f.AccountID != 0 {
		where = append(where, `account_id = ?`)
		args = append(args, f.AccountID)
	}
	if f.CustomerID != 0 {
		where = append(where, `customer_id = ?`)
		args = append(args, f.CustomerID)
	}
	if f.Status != "" {
		if !tasks.ValidStatus(f.Status) {
			return "", nil, fmt.Errorf("%w: task status %q: use open, done or cancelled", siyu.ErrInvalid, f.Status)
		}
		where = append(where, `status = ?`)
		args = append(args, f.Status)
	}
	if f.Kind != "" {
		where = append(where, `kind = ?`)
		args = append(args, f.Kind)
	}
	if f.Overdue {
		now := f.Now
		if now.IsZero() {
			now = s.now()
		}
		where = append(where, `status = 'open' AND due_at < ?`)
		args = append(args, ms(now))
	}
	return strings.Join(where, ` AND `), args, nil
}

// AssignTask gives an open task to a member who can write, or back to the
// pool (assigneeID 0). The change is audited.
func (s *Store) AssignTask(ctx context.Context, workspaceID, id, assigneeID int64, by Actor) (siyu.Task, error) {
	var out siyu.Task
	err := s.write(ctx, workspaceID, func(t *tx) error {
		task, err := t.openTask(ctx, workspaceID, id)
		if err != nil {
			return err
		}
		if assigneeID != 0 {
			if err := t.checkAssignee(ctx, workspaceID, assigneeID); err != nil {
				return err
			}
		}
		if _, err := t.exec(ctx, `UPDATE tasks SET assignee_id = ? WHERE id = ?`, nullID(assigneeID), id); err != nil {
			return err
		}
		detail := "from " + userRef(task.AssigneeID) + " to " + userRef(assigneeID)
		task.AssigneeID = assigneeID
		out = task
		return t.auditTask(ctx, workspaceID, by, "task.assign", task, detail)
	})
	return out, err
}

// CompleteTask marks an open task done by the actor and audits it with the
// persona the work was done as. A task that is already closed gives
// ErrConflict.
func (s *Store) CompleteTask(ctx context.Context, workspaceID, id int64, by Actor) (siyu.Task, error) {
	return s.closeTask(ctx, workspaceID, id, by, tasks.StatusDone, "")
}

// CancelTask closes an open task without doing it; reason is audited.
func (s *Store) CancelTask(ctx context.Context, workspaceID, id int64, by Actor, reason string) (siyu.Task, error) {
	return s.closeTask(ctx, workspaceID, id, by, tasks.StatusCancelled, reason)
}

func (s *Store) closeTask(ctx context.Context, ws, id int64, by Actor, status, reason string) (siyu.Task, error) {
	var out siyu.Task
	err := s.write(ctx, ws, func(t *tx) error {
		task, err := t.openTask(ctx, ws, id)
		if err != nil {
			return err
		}
		now := t.now.Truncate(time.Millisecond)
		var doneAt any
		if status == tasks.StatusDone {
			doneAt = ms(now)
			task.DoneAt, task.DoneBy = now, by.UserID
		}
		if _, err := t.exec(ctx, `UPDATE tasks SET status = ?, done_at = ?, done_by = ? WHERE id = ?`, status, doneAt, nullID(task.DoneBy), id); err != nil {
			return err
		}
		task.Status = status
		out = task
		action := "task.complete"
		if status == tasks.StatusCancelled {
			action = "task.cancel"
		}
		return t.auditTask(ctx, ws, by, action, task, reason)
	})
	return out, err
}

// openTask reads a task for a change; closed tasks give ErrConflict.
func (t *tx) openTask(ctx context.Context, ws, id int64) (siyu.Task, error) {
	task, err := scanTask(t.queryRow(ctx, `SELECT `+taskCols+` FROM tasks WHERE workspace_id = ? AND id = ?`, ws, id))
	if err != nil {
		return task, err
	}
	if task.Status != tasks.StatusOpen {
		return task, fmt.Errorf("task %d is %s: %w", id, task.Status, siyu.ErrConflict)
	}
	return task, nil
}

// checkAssignee makes sure a user can be given tasks in the workspace.
func (t *tx) checkAssignee(ctx context.Context, ws, userID int64) error {
	var role string
	err := t.queryRow(ctx, `SELECT role FROM memberships WHERE workspace_id = ? AND user_id = ?`, ws, userID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: assignee %d is not a member of the workspace", siyu.ErrInvalid, userID)
	}
	if err != nil {
		return err
	}
	if !siyu.Role(role).CanWrite() {
		return fmt.Errorf("%w: assignee %d is an %s and cannot act on tasks", siyu.ErrInvalid, userID, role)
	}
	return nil
}

// account reads one account of the workspace.
func (t *tx) account(ctx context.Context, ws, id int64) (siyu.Account, error) {
	a := siyu.Account{ID: id, WorkspaceID: ws}
	var active int
	var created int64
	err := t.queryRow(ctx, `SELECT wecom_userid, name, persona, active, created_at FROM accounts WHERE workspace_id = ? AND id = ?`, ws, id).
		Scan(&a.WeComUserID, &a.Name, &a.Persona, &active, &created)
	a.Active, a.CreatedAt = active != 0, fromMS(created)
	return a, notFound(err)
}

// auditTask records an action on a task, naming the persona (the account
// the work is done as) next to the real person.
func (t *tx) auditTask(ctx context.Context, ws int64, by Actor, action string, task siyu.Task, detail string) error {
	e := AuditEntry{UserID: by.UserID, Actor: by.Name, Action: action, Target: "task:" + strconv.FormatInt(task.ID, 10), At: t.now}
	if task.AccountID != 0 {
		a, err := t.account(ctx, ws, task.AccountID)
		if err != nil && !errors.Is(err, siyu.ErrNotFound) {
			return err
		}
		e.Persona = PersonaName(a)
	}
	e.Detail = task.Kind
	if detail != "" {
		e.Detail += ": " + detail
	}
	return t.audit(ctx, ws, e)
}

// PersonaName is how an account is named when someone acts as it: its
// persona (创始人号) if it has one, else its name.
func PersonaName(a siyu.Account) string {
	if a.Persona != "" {
		return a.Persona
	}
	if a.Name != "" {
		return a.Name
	}
	return a.WeComUserID
}

func userRef(id int64) string {
	if id == 0 {
		return "pool"
	}
	return "user:" + strconv.FormatInt(id, 10)
}

// TaskMetrics computes completion metrics over the tasks created since
// since, plus every task still open, at now.
func (s *Store) TaskMetrics(ctx context.Context, workspaceID int64, since, now time.Time) (tasks.Report, error) {
	rows, err := s.query(ctx, `SELECT kind, status, COALESCE(assignee_id, 0), COALESCE(done_by, 0), created_at, due_at, COALESCE(done_at, 0)
		FROM tasks WHERE workspace_id = ? AND (created_at >= ? OR status = 'open')`, workspaceID, ms(since))
	if err != nil {
		return tasks.Report{}, err
	}
	defer rows.Close()
	var recs []tasks.Record
	for rows.Next() {
		var r tasks.Record
		var created, due, done int64
		if err := rows.Scan(&r.Kind, &r.Status, &r.AssigneeID, &r.DoneBy, &created, &due, &done); err != nil {
			return tasks.Report{}, err
		}
		r.CreatedAt, r.DueAt = fromMS(created), fromMS(due)
		if done != 0 {
			r.DoneAt = fromMS(done)
		}
		recs = append(recs, r)
	}
	if err := rows.Err(); err != nil {
		return tasks.Report{}, err
	}
	return tasks.Summarize(recs, now), nil
}

const taskCols = `id, workspace_id, kind, title, detail, COALESCE(customer_id, 0), COALESCE(account_id, 0), COALESCE(assignee_id, 0), due_at, status, COALESCE(ref, ''), created_at, done_at, COALESCE(done_by, 0)`

func scanTask(r scanner) (siyu.Task, error) {
	var t siyu.Task
	var due, created int64
	var done sql.NullInt64
	err := r.Scan(&t.ID, &t.WorkspaceID, &t.Kind, &t.Title, &t.Detail, &t.CustomerID, &t.AccountID, &t.AssigneeID, &due, &t.Status, &t.Ref, &created, &done, &t.DoneBy)
	if err != nil {
		return t, notFound(err)
	}
	t.DueAt, t.CreatedAt = fromMS(due), fromMS(created)
	if done.Valid {
		t.DoneAt = fromMS(done.Int64)
	}
	return t, nil
}

// nullID stores 0 as NULL, for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
