package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"siyu.dev/siyu"
	"siyu.dev/siyu/tasks"
)

// WorkspaceMember is a user of a workspace with their role.
type WorkspaceMember struct {
	UserID int64     `json:"user_id"`
	Login  string    `json:"login"`
	Name   string    `json:"name"`
	Role   siyu.Role `json:"role"`
}

// WorkspaceMembers lists the users of a workspace, by name.
func (s *Store) WorkspaceMembers(ctx context.Context, workspaceID int64) ([]WorkspaceMember, error) {
	rows, err := s.query(ctx, `SELECT u.id, u.login, u.name, m.role FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.workspace_id = ? ORDER BY u.name, u.id`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []WorkspaceMember
	for rows.Next() {
		var m WorkspaceMember
		if err := rows.Scan(&m.UserID, &m.Login, &m.Name, &m.Role); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// SetAccountOperators replaces the people who act as an account (persona).
// Each must be a member of the workspace who can write. The change is audited.
func (s *Store) SetAccountOperators(ctx context.Context, workspaceID, accountID int64, userIDs []int64, by Actor) error {
	ids := dedupe(userIDs)
	return s.write(ctx, workspaceID, func(t *tx) error {
		a, err := t.account(ctx, workspaceID, accountID)
		if err != nil {
			return fmt.Errorf("account %d: %w", accountID, err)
		}
		for _, id := range ids {
			if err := t.checkAssignee(ctx, workspaceID, id); err != nil {
				return fmt.Errorf("operator: %w", err)
			}
		}
		if _, err := t.exec(ctx, `DELETE FROM account_operators WHERE workspace_id = ? AND account_id = ?`, workspaceID, accountID); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := t.exec(ctx, `INSERT INTO account_operators (workspace_id, account_id, user_id, created_at) VALUES (?, ?, ?, ?)`,
				workspaceID, accountID, id, ms(t.now)); err != nil {
				return err
			}
		}
		users := make([]string, len(ids))
		for i, id := range ids {
			users[i] = userRef(id)
		}
		return t.audit(ctx, workspaceID, AuditEntry{UserID: by.UserID, Actor: by.Name, Persona: PersonaName(a),
			Action: "account.operators", Target: "account:" + strconv.FormatInt(accountID, 10), Detail: strings.Join(users, ",")})
	})
}

// AccountOperators returns the operators of every account of the workspace
// that has some, by account id.
func (s *Store) AccountOperators(ctx context.Context, workspaceID int64) (map[int64][]int64, error) {
	rows, err := s.query(ctx, `SELECT account_id, user_id FROM account_operators WHERE workspace_id = ? ORDER BY account_id, user_id`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var a, u int64
		if err := rows.Scan(&a, &u); err != nil {
			return nil, err
		}
		out[a] = append(out[a], u)
	}
	return out, rows.Err()
}

// OperatedAccounts returns the accounts a user acts as.
func (s *Store) OperatedAccounts(ctx context.Context, workspaceID, userID int64) ([]int64, error) {
	rows, err := s.query(ctx, `SELECT account_id FROM account_operators WHERE workspace_id = ? AND user_id = ? ORDER BY account_id`, workspaceID, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Reassigned counts what happened to the open tasks of someone who left.
type Reassigned struct {
	Moved     int `json:"moved"`     // to another operator
	ToPool    int `json:"to_pool"`   // unassigned: the account's operators or anyone
	Cancelled int `json:"cancelled"` // could only be done by the deactivated account
}

func (r *Reassigned) add(o Reassigned) {
	r.Moved += o.Moved
	r.ToPool += o.ToPool
	r.Cancelled += o.Cancelled
}

// RemoveMember takes a user out of a workspace: their membership and the
// personas they operate go, and their open tasks go to another operator of
// the same account (the one with the fewest open tasks) or back to the
// pool. The last admin cannot be removed.
func (s *Store) RemoveMember(ctx context.Context, workspaceID, userID int64, by Actor) (Reassigned, error) {
	var res Reassigned
	err := s.write(ctx, workspaceID, func(t *tx) error {
		var role string
		err := t.queryRow(ctx, `SELECT role FROM memberships WHERE workspace_id = ? AND user_id = ?`, workspaceID, userID).Scan(&role)
		if err != nil {
			return notFound(err)
		}
		if siyu.Role(role) == siyu.RoleAdmin {
			var admins int
			if err := t.queryRow(ctx, `SELECT COUNT(*) FROM memberships WHERE workspace_id = ? AND role = 'admin'`, workspaceID).Scan(&admins); err != nil {
				return err
			}
			if admins <= 1 {
				return fmt.Errorf("user %d is the workspace's last admin: %w", userID, siyu.ErrConflict)
			}
		}
		if _, err := t.exec(ctx, `DELETE FROM memberships WHERE workspace_id = ? AND user_id = ?`, workspaceID, userID); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM account_operators WHERE workspace_id = ? AND user_id = ?`, workspaceID, userID); err != nil {
			return err
		}
		if err := t.audit(ctx, workspaceID, AuditEntry{UserID: by.UserID, Actor: by.Name, Action: "member.remove", Target: userRef(userID)}); err != nil {
			return err
		}
		res, err = t.rehomeTasks(ctx, workspaceID, `assignee_id = ?`, userID)
		return err
	})
	return res, err
}

// DeactivateAccount marks a WeCom account inactive (the member left the
// company) and rehomes its open tasks: a mass send only that member could
// confirm is cancelled; other work follows the customer to the account that
// inherited them (离职继承: their live contact with another active account),
// or goes back to the pool.
func (s *Store) DeactivateAccount(ctx context.Context, workspaceID, accountID int64, by Actor) (Reassigned, error) {
	var res Reassigned
	err := s.write(ctx, workspaceID, func(t *tx) error {
		a, err := t.account(ctx, workspaceID, accountID)
		if err != nil {
			return fmt.Errorf("account %d: %w", accountID, err)
		}
		if _, err := t.exec(ctx, `UPDATE accounts SET active = 0 WHERE id = ?`, accountID); err != nil {
			return err
		}
		if err := t.audit(ctx, workspaceID, AuditEntry{UserID: by.UserID, Actor: by.Name, Persona: PersonaName(a), Action: "account.deactivate",
			Target: "account:" + strconv.FormatInt(accountID, 10)}); err != nil {
			return err
		}
		res, err = t.rehomeTasks(ctx, workspaceID, `account_id = ?`, accountID)
		return err
	})
	return res, err
}

// RehomeStrandedTasks finds open tasks whose assignee is no longer a member
// who can write, or whose account is inactive (however that happened: a
// WeCom sync, a removed membership), and rehomes them as RemoveMember and
// DeactivateAccount do. It is safe to run at any time.
func (s *Store) RehomeStrandedTasks(ctx context.Context, workspaceID int64) (Reassigned, error) {
	var res Reassigned
	err := s.write(ctx, workspaceID, func(t *tx) error {
		var err error
		res, err = t.rehomeTasks(ctx, workspaceID, `(account_id IN (SELECT id FROM accounts WHERE workspace_id = ? AND active = 0)
			OR (assignee_id IS NOT NULL AND assignee_id NOT IN (SELECT user_id FROM memberships WHERE workspace_id = ? AND role IN ('admin', 'operator'))))`,
			workspaceID, workspaceID)
		return err
	})
	return res, err
}

// rehomeTasks rehomes the open tasks matching cond. Every change is audited
// as the system's.
func (t *tx) rehomeTasks(ctx context.Context, ws int64, cond string, args ...any) (Reassigned, error) {
	var res Reassigned
	rows, err := t.query(ctx, `SELECT `+taskCols+` FROM tasks WHERE workspace_id = ? AND status = 'open' AND `+cond+` ORDER BY due_at, id`,
		append([]any{ws}, args...)...)
	if err != nil {
		return res, err
	}
	var stranded []siyu.Task
	for rows.Next() {
		task, err := scanTask(rows)
		if err != nil {
			rows.Close()
			return res, err
		}
		stranded = append(stranded, task)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, err
	}
	for _, task := range stranded {
		o, err := t.rehome(ctx, ws, task)
		if err != nil {
			return res, fmt.Errorf("task %d: %w", task.ID, err)
		}
		res.add(o)
	}
	return res, nil
}

// rehome decides where one stranded task goes and moves it there.
func (t *tx) rehome(ctx context.Context, ws int64, task siyu.Task) (Reassigned, error) {
	account := task.AccountID
	if account != 0 {
		a, err := t.account(ctx, ws, account)
		if err != nil && !errors.Is(err, siyu.ErrNotFound) {
			return Reassigned{}, err
		}
		if !a.Active {
			if tasks.StrandedOnDeactivation(task.Kind) {
				if _, err := t.exec(ctx, `UPDATE tasks SET status = 'cancelled' WHERE id = ?`, task.ID); err != nil {
					return Reassigned{}, err
				}
				task.Status = tasks.StatusCancelled
				return Reassigned{Cancelled: 1}, t.auditTask(ctx, ws, System, "task.cancel", task, "account "+strconv.FormatInt(account, 10)+" deactivated")
			}
			if account, err = t.successorAccount(ctx, ws, task.CustomerID, account); err != nil {
				return Reassigned{}, err
			}
		}
	}
	assignee := task.AssigneeID
	if task.AccountID != 0 && account == 0 {
		// Nobody inherited the work's customer: without the account it was
		// meant to be done as, the task is anyone's to pick up again.
		assignee = 0
	}
	if assignee != 0 {
		ok, err := t.canTakeTasks(ctx, ws, assignee, account)
		if err != nil {
			return Reassigned{}, err
		}
		if !ok {
			assignee = 0
		}
	}
	if assignee == 0 && account != 0 && task.AssigneeID != 0 {
		// The holder left: the persona's other operators take over.
		cands, err := t.operatorLoads(ctx, ws, account)
		if err != nil {
			return Reassigned{}, err
		}
		assignee = tasks.Pick(cands, task.AssigneeID)
	}
	if _, err := t.exec(ctx, `UPDATE tasks SET account_id = ?, assignee_id = ? WHERE id = ?`, nullID(account), nullID(assignee), task.ID); err != nil {
		return Reassigned{}, err
	}
	detail := "from " + userRef(task.AssigneeID) + " to " + userRef(assignee)
	if account != task.AccountID {
		detail += "; account " + strconv.FormatInt(task.AccountID, 10) + " to " + strconv.FormatInt(account, 10)
	}
	task.AccountID, task.AssigneeID = account, assignee
	if err := t.auditTask(ctx, ws, System, "task.reassign", task, detail); err != nil {
		return Reassigned{}, err
	}
	if assignee != 0 {
		return Reassigned{Moved: 1}, nil
	}
	return Reassigned{ToPool: 1}, nil
}

// successorAccount is the active account that now holds the customer (a
// live contact), 0 when there is none.
func (t *tx) successorAccount(ctx context.Context, ws, customerID, old int64) (int64, error) {
	if customerID == 0 {
		return 0, nil
	}
	var id int64
	err := t.queryRow(ctx, `SELECT c.account_id FROM contacts c JOIN accounts a ON a.id = c.account_id
		WHERE c.workspace_id = ? AND c.customer_id = ? AND c.deleted_at IS NULL AND c.account_id <> ? AND a.active = 1
		ORDER BY c.added_at DESC, c.id DESC LIMIT 1`, ws, customerID, old).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// canTakeTasks reports whether a user still can hold a task of the account:
// a member who can write and, when the task has an account, one of its
// operators if the account has any.
func (t *tx) canTakeTasks(ctx context.Context, ws, userID, account int64) (bool, error) {
	if err := t.checkAssignee(ctx, ws, userID); err != nil {
		if errors.Is(err, siyu.ErrInvalid) {
			return false, nil
		}
		return false, err
	}
	if account == 0 {
		return true, nil
	}
	var ops, mine int
	err := t.queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN user_id = ? THEN 1 ELSE 0 END), 0) FROM account_operators WHERE workspace_id = ? AND account_id = ?`,
		userID, ws, account).Scan(&ops, &mine)
	if err != nil {
		return false, err
	}
	return ops == 0 || mine > 0, nil
}

// operatorLoads lists an active account's operators who can write, with
// their open task counts.
func (t *tx) operatorLoads(ctx context.Context, ws, account int64) ([]tasks.Candidate, error) {
	rows, err := t.query(ctx, `SELECT o.user_id,
			(SELECT COUNT(*) FROM tasks x WHERE x.workspace_id = o.workspace_id AND x.assignee_id = o.user_id AND x.status = 'open')
		FROM account_operators o
		JOIN memberships m ON m.workspace_id = o.workspace_id AND m.user_id = o.user_id
		JOIN accounts a ON a.id = o.account_id
		WHERE o.workspace_id = ? AND o.account_id = ? AND a.active = 1 AND m.role IN ('admin', 'operator')`, ws, account)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tasks.Candidate
	for rows.Next() {
		var c tasks.Candidate
		if err := rows.Scan(&c.UserID, &c.Open); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func dedupe(ids []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
