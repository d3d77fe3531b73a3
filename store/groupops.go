package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"siyu.dev/siyu"
)

// Campaign groups (活动群): templates, activities, the groups they run and
// the messages scheduled for them. The rules live in package groups; the
// store keeps the rows and answers the queries.

// Group activity statuses.
const (
	GroupActivityWaiting   = "waiting"   // no group yet: the owner has to create the first one
	GroupActivityOpen      = "open"      // the join QR works
	GroupActivityEnded     = "ended"     // the guide message went out
	GroupActivityDissolved = "dissolved" // the groups were dismissed
)

// Roles of a group in an activity.
const (
	GroupRoleMain  = "main"  // a rollover group behind the join QR (the class group of a layered activity)
	GroupRoleSmall = "small" // a small group of a layered activity, run by its tutor
)

// Kinds of group messages.
const (
	GroupMessageScheduled = "scheduled"
	GroupMessageGuide     = "guide" // asks members to add the owner account
)

// GroupTemplate describes the groups of an activity.
type GroupTemplate struct {
	ID             int64        `json:"id"`
	WorkspaceID    int64        `json:"workspace_id"`
	Name           string       `json:"name"`
	NamePattern    string       `json:"name_pattern"` // "考前冲刺群{{n}}"
	Notice         string       `json:"notice,omitempty"`
	Welcome        string       `json:"welcome,omitempty"`
	Admins         []string     `json:"admins,omitempty"` // WeCom userids
	MemberCap      int          `json:"member_cap"`
	OwnerAccountID int64        `json:"owner_account_id"`
	Layers         []GroupLayer `json:"layers,omitempty"` // small groups of a layered template
	CreatedAt      time.Time    `json:"created_at"`
}

// GroupLayer is one small group of a layered template, run by a tutor.
type GroupLayer struct {
	Name           string `json:"name"`
	TutorAccountID int64  `json:"tutor_account_id"`
}

// GroupActivity is one run of a template.
type GroupActivity struct {
	ID             int64         `json:"id"`
	WorkspaceID    int64         `json:"workspace_id"`
	Name           string        `json:"name"`
	TemplateID     int64         `json:"template_id,omitempty"`
	Template       GroupTemplate `json:"template"`
	OwnerAccountID int64         `json:"owner_account_id"`
	Status         string        `json:"status"`
	JoinConfigID   string        `json:"join_config_id,omitempty"`
	JoinQR         string        `json:"join_qr,omitempty"`
	JoinState      string        `json:"join_state,omitempty"`
	RebuiltFrom    int64         `json:"rebuilt_from,omitempty"`
	GuideAt        *time.Time    `json:"guide_at,omitempty"`
	EndedAt        *time.Time    `json:"ended_at,omitempty"`
	CreatedAt      time.Time     `json:"created_at"`
}

// ActivityGroup is a group of an activity with its live member count.
type ActivityGroup struct {
	GroupID        int64      `json:"group_id"`
	ChatID         string     `json:"chat_id"`
	Name           string     `json:"name"`
	OwnerAccountID int64      `json:"owner_account_id,omitempty"`
	Seq            int        `json:"seq"`
	Role           string     `json:"role"`
	TutorAccountID int64      `json:"tutor_account_id,omitempty"`
	Members        int        `json:"members"` // in the group now
	CreatedAt      time.Time  `json:"created_at"`
	DismissedAt    *time.Time `json:"dismissed_at,omitempty"`
	AddedAt        time.Time  `json:"added_at"`
}

// GroupMessage is a message for every live group of an activity.
type GroupMessage struct {
	ID          int64        `json:"id"`
	ActivityID  int64        `json:"activity_id"`
	Kind        string       `json:"kind"`
	Message     siyu.Message `json:"message"`
	SendAt      time.Time    `json:"send_at"`
	GroupsSent  int          `json:"groups_sent"`
	EnqueuedAt  *time.Time   `json:"enqueued_at,omitempty"`
	CreatedAt   time.Time    `json:"created_at"`
	WorkspaceID int64        `json:"-"`
}

// checkAccount makes sure an account belongs to the workspace.
func (t *tx) checkAccount(ctx context.Context, ws, id int64, field string) error {
	var n int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM accounts WHERE workspace_id = ? AND id = ?`, ws, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: %s: no account %d in this workspace", siyu.ErrInvalid, field, id)
	}
	return nil
}

// CreateGroupTemplate stores a template the caller has validated.
func (s *Store) CreateGroupTemplate(ctx context.Context, workspaceID int64, g GroupTemplate) (GroupTemplate, error) {
	admins, _ := json.Marshal(nonNil(g.Admins))
	layers, _ := json.Marshal(g.Layers)
	if g.Layers == nil {
		layers = []byte("[]")
	}
	g.WorkspaceID = workspaceID
	g.CreatedAt = s.now().UTC().Truncate(time.Millisecond)
	err := s.write(ctx, workspaceID, func(t *tx) error {
		if err := t.checkAccount(ctx, workspaceID, g.OwnerAccountID, "owner_account_id"); err != nil {
			return err
		}
		for i, l := range g.Layers {
			if err := t.checkAccount(ctx, workspaceID, l.TutorAccountID, fmt.Sprintf("layers[%d].tutor_account_id", i)); err != nil {
				return err
			}
		}
		err := t.queryRow(ctx, `INSERT INTO group_templates (workspace_id, name, name_pattern, notice, welcome, admins, member_cap, owner_account_id, layers, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			workspaceID, g.Name, g.NamePattern, g.Notice, g.Welcome, string(admins), g.MemberCap, g.OwnerAccountID, string(layers), ms(g.CreatedAt)).Scan(&g.ID)
		if isUnique(err) {
			return fmt.Errorf("%w: name: a template named %q exists", siyu.ErrConflict, g.Name)
		}
		return err
	})
	return g, err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

const templateColumns = `id, workspace_id, name, name_pattern, notice, welcome, admins, member_cap, owner_account_id, layers, created_at`

func scanTemplate(r scanner) (GroupTemplate, error) {
	var g GroupTemplate
	var admins, layers string
	var created int64
	if err := r.Scan(&g.ID, &g.WorkspaceID, &g.Name, &g.NamePattern, &g.Notice, &g.Welcome, &admins, &g.MemberCap, &g.OwnerAccountID, &layers, &created); err != nil {
		return g, err
	}
	g.CreatedAt = fromMS(created)
	if err := json.Unmarshal([]byte(admins), &g.Admins); err != nil {
		return g, fmt.Errorf("group template %d: admins: %w", g.ID, err)
	}
	if err := json.Unmarshal([]byte(layers), &g.Layers); err != nil {
		return g, fmt.Errorf("group template %d: layers: %w", g.ID, err)
	}
	return g, nil
}

// GroupTemplate returns one template.
func (s *Store) GroupTemplate(ctx context.Context, workspaceID, id int64) (GroupTemplate, error) {
	g, err := scanTemplate(s.queryRow(ctx, `SELECT `+templateColumns+` FROM group_templates WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	return g, notFound(err)
}

// GroupTemplates lists a workspace's templates by name.
func (s *Store) GroupTemplates(ctx context.Context, workspaceID int64) ([]GroupTemplate, error) {
	rows, err := s.query(ctx, `SELECT `+templateColumns+` FROM group_templates WHERE workspace_id = ? ORDER BY name`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []GroupTemplate
	for rows.Next() {
		g, err := scanTemplate(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// CreateGroupActivity stores a new activity (status waiting) with a copy
// of its template.
func (s *Store) CreateGroupActivity(ctx context.Context, workspaceID int64, a GroupActivity) (GroupActivity, error) {
	tmpl, err := json.Marshal(a.Template)
	if err != nil {
		return a, err
	}
	a.WorkspaceID, a.Status = workspaceID, GroupActivityWaiting
	a.CreatedAt = s.now().UTC().Truncate(time.Millisecond)
	err = s.write(ctx, workspaceID, func(t *tx) error {
		if err := t.checkAccount(ctx, workspaceID, a.OwnerAccountID, "owner_account_id"); err != nil {
			return err
		}
		var templateID, rebuilt any
		if a.TemplateID != 0 {
			templateID = a.TemplateID
		}
		if a.RebuiltFrom != 0 {
			rebuilt = a.RebuiltFrom
		}
		return t.queryRow(ctx, `INSERT INTO group_activities (workspace_id, name, template_id, template, owner_account_id, status, join_state, rebuilt_from, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			workspaceID, a.Name, templateID, string(tmpl), a.OwnerAccountID, a.Status, a.JoinState, rebuilt, ms(a.CreatedAt)).Scan(&a.ID)
	})
	return a, err
}

const groupActivityColumns = `id, workspace_id, name, template_id, template, owner_account_id, status, join_config_id, join_qr, join_state,
	rebuilt_from, guide_at, ended_at, created_at`

func scanGroupActivity(r scanner) (GroupActivity, error) {
	var a GroupActivity
	var templateID, rebuilt, guide, ended sql.NullInt64
	var tmpl string
	var created int64
	if err := r.Scan(&a.ID, &a.WorkspaceID, &a.Name, &templateID, &tmpl, &a.OwnerAccountID, &a.Status, &a.JoinConfigID, &a.JoinQR, &a.JoinState,
		&rebuilt, &guide, &ended, &created); err != nil {
		return a, err
	}
	a.TemplateID, a.RebuiltFrom = templateID.Int64, rebuilt.Int64
	a.GuideAt, a.EndedAt, a.CreatedAt = fromNullMS(guide), fromNullMS(ended), fromMS(created)
	if err := json.Unmarshal([]byte(tmpl), &a.Template); err != nil {
		return a, fmt.Errorf("group activity %d: template: %w", a.ID, err)
	}
	return a, nil
}

// GroupActivity returns one activity.
func (s *Store) GroupActivity(ctx context.Context, workspaceID, id int64) (GroupActivity, error) {
	a, err := scanGroupActivity(s.queryRow(ctx, `SELECT `+groupActivityColumns+` FROM group_activities WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	return a, notFound(err)
}

// GroupActivities lists a workspace's activities, newest first.
func (s *Store) GroupActivities(ctx context.Context, workspaceID int64) ([]GroupActivity, error) {
	rows, err := s.query(ctx, `SELECT `+groupActivityColumns+` FROM group_activities WHERE workspace_id = ? ORDER BY created_at DESC, id DESC`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []GroupActivity
	for rows.Next() {
		a, err := scanGroupActivity(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// UpdateGroupActivity writes an activity's status, join way and end times.
func (s *Store) UpdateGroupActivity(ctx context.Context, workspaceID int64, a GroupActivity) error {
	res, err := s.exec(ctx, `UPDATE group_activities SET status = ?, join_config_id = ?, join_qr = ?, join_state = ?, guide_at = ?, ended_at = ?
		WHERE workspace_id = ? AND id = ?`, a.Status, a.JoinConfigID, a.JoinQR, a.JoinState, msPtr(a.GuideAt), msPtr(a.EndedAt), workspaceID, a.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return siyu.ErrNotFound
	}
	return nil
}

// AttachActivityGroup adds a stored group to an activity; attaching it
// again changes nothing. A group of another activity is refused.
func (s *Store) AttachActivityGroup(ctx context.Context, workspaceID, activityID int64, chatID string, seq int, role string, tutorAccountID int64) error {
	return s.write(ctx, workspaceID, func(t *tx) error {
		var groupID int64
		if err := t.queryRow(ctx, `SELECT id FROM chat_groups WHERE workspace_id = ? AND chat_id = ?`, workspaceID, chatID).Scan(&groupID); err != nil {
			return notFound(err)
		}
		var other int64
		err := t.queryRow(ctx, `SELECT activity_id FROM group_activity_groups WHERE group_id = ?`, groupID).Scan(&other)
		switch {
		case err == nil && other == activityID:
			return nil
		case err == nil:
			return fmt.Errorf("%w: group %s belongs to activity %d", siyu.ErrConflict, chatID, other)
		case err != sql.ErrNoRows:
			return err
		}
		var tutor any
		if tutorAccountID != 0 {
			tutor = tutorAccountID
		}
		_, err = t.exec(ctx, `INSERT INTO group_activity_groups (workspace_id, activity_id, group_id, seq, role, tutor_account_id, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			workspaceID, activityID, groupID, seq, role, tutor, ms(t.now))
		return err
	})
}

// ActivityGroups lists an activity's groups in order with their live member
// counts.
func (s *Store) ActivityGroups(ctx context.Context, workspaceID, activityID int64) ([]ActivityGroup, error) {
	rows, err := s.query(ctx, `SELECT g.id, g.chat_id, g.name, g.owner_account_id, ag.seq, ag.role, ag.tutor_account_id, g.created_at, g.dismissed_at, ag.added_at,
			(SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id AND m.left_at IS NULL)
		FROM group_activity_groups ag JOIN chat_groups g ON g.id = ag.group_id
		WHERE ag.workspace_id = ? AND ag.activity_id = ? ORDER BY ag.role, ag.seq, g.id`, workspaceID, activityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ActivityGroup
	for rows.Next() {
		var g ActivityGroup
		var owner, tutor, dismissed sql.NullInt64
		var created, added int64
		if err := rows.Scan(&g.GroupID, &g.ChatID, &g.Name, &owner, &g.Seq, &g.Role, &tutor, &created, &dismissed, &added, &g.Members); err != nil {
			return nil, err
		}
		g.OwnerAccountID, g.TutorAccountID = owner.Int64, tutor.Int64
		g.CreatedAt, g.DismissedAt, g.AddedAt = fromMS(created), fromNullMS(dismissed), fromMS(added)
		out = append(out, g)
	}
	return out, rows.Err()
}

// UnattachedGroups lists the live groups of an owner account, with a name
// in names, that no activity has: the groups an owner created by hand for
// an activity.
func (s *Store) UnattachedGroups(ctx context.Context, workspaceID, ownerAccountID int64, names []string) ([]siyu.Group, error) {
	if len(names) == 0 {
		return nil, nil
	}
	args := []any{workspaceID, ownerAccountID}
	for _, n := range names {
		args = append(args, n)
	}
	return s.groupsWhere(ctx, `g.owner_account_id = ? AND g.name IN (`+placeholders(len(names))+`)
		AND NOT EXISTS (SELECT 1 FROM group_activity_groups ag WHERE ag.group_id = g.id)`, args...)
}

// GroupsByName lists the live groups whose name matches a pattern where *
// stands for any text ("考前冲刺群*").
func (s *Store) GroupsByName(ctx context.Context, workspaceID int64, pattern string) ([]siyu.Group, error) {
	like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`, `*`, `%`).Replace(pattern)
	return s.groupsWhere(ctx, `g.name LIKE ? ESCAPE '\'`, workspaceID, like)
}

// GroupsOfActivities lists the live groups of activities.
func (s *Store) GroupsOfActivities(ctx context.Context, workspaceID int64, activityIDs []int64) ([]siyu.Group, error) {
	if len(activityIDs) == 0 {
		return nil, nil
	}
	args := append([]any{workspaceID, workspaceID}, int64Args(activityIDs)...)
	return s.groupsWhere(ctx, `g.id IN (SELECT group_id FROM group_activity_groups WHERE workspace_id = ? AND activity_id IN (`+placeholders(len(activityIDs))+`))`, args...)
}

// groupsWhere lists live groups of a workspace matching cond; args start
// with the workspace id.
func (s *Store) groupsWhere(ctx context.Context, cond string, args ...any) ([]siyu.Group, error) {
	rows, err := s.query(ctx, `SELECT g.id, g.workspace_id, g.chat_id, g.name, g.owner_account_id, g.created_at FROM chat_groups g
		WHERE g.workspace_id = ? AND g.dismissed_at IS NULL AND `+cond+` ORDER BY g.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []siyu.Group
	for rows.Next() {
		var g siyu.Group
		var owner sql.NullInt64
		var created int64
		if err := rows.Scan(&g.ID, &g.WorkspaceID, &g.ChatID, &g.Name, &owner, &created); err != nil {
			return nil, err
		}
		g.OwnerAccountID, g.CreatedAt = owner.Int64, fromMS(created)
		out = append(out, g)
	}
	return out, rows.Err()
}

// AddGroupMessage schedules a message for an activity's groups.
func (s *Store) AddGroupMessage(ctx context.Context, workspaceID int64, m GroupMessage) (GroupMessage, error) {
	body, err := json.Marshal(m.Message)
	if err != nil {
		return m, err
	}
	m.WorkspaceID = workspaceID
	m.CreatedAt = s.now().UTC().Truncate(time.Millisecond)
	m.SendAt = m.SendAt.UTC().Truncate(time.Millisecond)
	err = s.write(ctx, workspaceID, func(t *tx) error {
		var n int
		if err := t.queryRow(ctx, `SELECT COUNT(*) FROM group_activities WHERE workspace_id = ? AND id = ?`, workspaceID, m.ActivityID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return siyu.ErrNotFound
		}
		return t.queryRow(ctx, `INSERT INTO group_messages (workspace_id, activity_id, kind, message, send_at, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			workspaceID, m.ActivityID, m.Kind, string(body), ms(m.SendAt), ms(m.CreatedAt)).Scan(&m.ID)
	})
	return m, err
}

const groupMessageColumns = `id, workspace_id, activity_id, kind, message, send_at, groups_sent, enqueued_at, created_at`

func (s *Store) groupMessages(ctx context.Context, cond string, args ...any) ([]GroupMessage, error) {
	rows, err := s.query(ctx, `SELECT `+groupMessageColumns+` FROM group_messages WHERE `+cond+` ORDER BY send_at, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []GroupMessage
	for rows.Next() {
		var m GroupMessage
		var body string
		var sendAt, created int64
		var enqueued sql.NullInt64
		if err := rows.Scan(&m.ID, &m.WorkspaceID, &m.ActivityID, &m.Kind, &body, &sendAt, &m.GroupsSent, &enqueued, &created); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(body), &m.Message); err != nil {
			return nil, fmt.Errorf("group message %d: %w", m.ID, err)
		}
		m.SendAt, m.EnqueuedAt, m.CreatedAt = fromMS(sendAt), fromNullMS(enqueued), fromMS(created)
		out = append(out, m)
	}
	return out, rows.Err()
}

// GroupMessages lists an activity's messages by send time.
func (s *Store) GroupMessages(ctx context.Context, workspaceID, activityID int64) ([]GroupMessage, error) {
	return s.groupMessages(ctx, `workspace_id = ? AND activity_id = ?`, workspaceID, activityID)
}

// DueGroupMessages lists the messages due at at that were not handed to
// dispatch yet.
func (s *Store) DueGroupMessages(ctx context.Context, workspaceID int64, at time.Time) ([]GroupMessage, error) {
	return s.groupMessages(ctx, `workspace_id = ? AND enqueued_at IS NULL AND send_at <= ?`, workspaceID, ms(at))
}

// MarkGroupMessageEnqueued records that a message went to dispatch for n
// groups.
func (s *Store) MarkGroupMessageEnqueued(ctx context.Context, workspaceID, id int64, n int, at time.Time) error {
	_, err := s.exec(ctx, `UPDATE group_messages SET enqueued_at = ?, groups_sent = ? WHERE workspace_id = ? AND id = ? AND enqueued_at IS NULL`,
		ms(at), n, workspaceID, id)
	return err
}

// GroupSpan is one customer's stay in one group.
type GroupSpan struct {
	GroupID    int64
	CustomerID int64
	JoinedAt   time.Time
	LeftAt     *time.Time
}

// GroupSpans lists the memberships, past and present, of groups.
func (s *Store) GroupSpans(ctx context.Context, workspaceID int64, groupIDs []int64) ([]GroupSpan, error) {
	if len(groupIDs) == 0 {
		return nil, nil
	}
	args := append([]any{workspaceID}, int64Args(groupIDs)...)
	rows, err := s.query(ctx, `SELECT m.group_id, m.customer_id, m.joined_at, m.left_at FROM group_members m JOIN chat_groups g ON g.id = m.group_id
		WHERE g.workspace_id = ? AND m.group_id IN (`+placeholders(len(groupIDs))+`) ORDER BY m.group_id, m.joined_at, m.customer_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []GroupSpan
	for rows.Next() {
		var sp GroupSpan
		var joined int64
		var left sql.NullInt64
		if err := rows.Scan(&sp.GroupID, &sp.CustomerID, &joined, &left); err != nil {
			return nil, err
		}
		sp.JoinedAt, sp.LeftAt = fromMS(joined), fromNullMS(left)
		out = append(out, sp)
	}
	return out, rows.Err()
}

// GroupEvent is an event a member had in a group: events carry the group
// as props.chat_id.
type GroupEvent struct {
	GroupID    int64
	CustomerID int64
	Type       string
	At         time.Time
	Session    string // props.session, for check-ins
}

// GroupEvents lists the events of the given types, at or after since, that
// members of the groups had in them (props.chat_id names the group).
// Events are read per member and filtered by their props in Go, which
// keeps the SQL the same on both databases.
func (s *Store) GroupEvents(ctx context.Context, workspaceID int64, groups map[string]int64, types []string, since time.Time) ([]GroupEvent, error) {
	if len(groups) == 0 || len(types) == 0 {
		return nil, nil
	}
	ids := make([]int64, 0, len(groups))
	for _, id := range groups {
		ids = append(ids, id)
	}
	args := []any{workspaceID, ms(since)}
	for _, t := range types {
		args = append(args, t)
	}
	args = append(args, int64Args(ids)...)
	rows, err := s.query(ctx, `SELECT e.customer_id, e.type, e.occurred_at, e.props FROM events e
		WHERE e.workspace_id = ? AND e.occurred_at >= ? AND e.type IN (`+placeholders(len(types))+`)
		AND e.customer_id IN (SELECT DISTINCT customer_id FROM group_members WHERE group_id IN (`+placeholders(len(ids))+`))
		ORDER BY e.occurred_at, e.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []GroupEvent
	for rows.Next() {
		var e GroupEvent
		var at int64
		var props string
		if err := rows.Scan(&e.CustomerID, &e.Type, &at, &props); err != nil {
			return nil, err
		}
		var p struct {
			ChatID  string `json:"chat_id"`
			Session any    `json:"session"`
		}
		if props == "" || json.Unmarshal([]byte(props), &p) != nil {
			continue
		}
		id, ok := groups[p.ChatID]
		if !ok {
			continue
		}
		e.GroupID, e.At = id, fromMS(at)
		if p.Session != nil {
			e.Session = fmt.Sprint(p.Session)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// FirstContacts returns, for each of the customers who ever were a contact
// of the account, when they first added it.
func (s *Store) FirstContacts(ctx context.Context, workspaceID, accountID int64, customerIDs []int64) (map[int64]time.Time, error) {
	out := map[int64]time.Time{}
	err := chunks(customerIDs, 1000, func(part []int64) error {
		args := append([]any{workspaceID, accountID}, int64Args(part)...)
		rows, err := s.query(ctx, `SELECT customer_id, MIN(added_at) FROM contacts WHERE workspace_id = ? AND account_id = ? AND customer_id IN (`+
			placeholders(len(part))+`) GROUP BY customer_id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, at int64
			if err := rows.Scan(&id, &at); err != nil {
				return err
			}
			out[id] = fromMS(at)
		}
		return rows.Err()
	})
	return out, err
}

// LiveContactIDs returns the external_userid through which each of the
// customers is a live contact of the account (the latest added).
func (s *Store) LiveContactIDs(ctx context.Context, workspaceID, accountID int64, customerIDs []int64) (map[int64]string, error) {
	out := map[int64]string{}
	err := chunks(customerIDs, 1000, func(part []int64) error {
		args := append([]any{workspaceID, accountID}, int64Args(part)...)
		rows, err := s.query(ctx, `SELECT customer_id, external_userid FROM contacts WHERE workspace_id = ? AND account_id = ? AND deleted_at IS NULL
			AND customer_id IN (`+placeholders(len(part))+`) ORDER BY added_at`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var ext string
			if err := rows.Scan(&id, &ext); err != nil {
				return err
			}
			out[id] = ext
		}
		return rows.Err()
	})
	return out, err
}
