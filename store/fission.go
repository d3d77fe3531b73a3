package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/fission"
)

// TaskFissionReward is the kind of the task that hands a physical fission
// reward over.
const TaskFissionReward = "fission_reward"

// reader is what the fission loaders need: the store's read pool or a
// write transaction.
type reader interface {
	query(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	queryRow(ctx context.Context, q string, args ...any) *sql.Row
}

// CreateFissionActivity stores a new activity after fission's checks; its
// accounts must be the workspace's and, for a group target, the group must
// be known.
func (s *Store) CreateFissionActivity(ctx context.Context, workspaceID int64, a fission.Activity) (fission.Activity, error) {
	if err := a.Normalize(); err != nil {
		return a, err
	}
	a.WorkspaceID = workspaceID
	accounts, _ := json.Marshal(a.Accounts)
	rules, _ := json.Marshal(a.Rules)
	physical := 0
	if a.Physical {
		physical = 1
	}
	err := s.write(ctx, workspaceID, func(t *tx) error {
		known, err := t.accountIDs(ctx, workspaceID)
		if err != nil {
			return err
		}
		for _, u := range a.Accounts {
			if _, ok := known[u]; !ok {
				return fmt.Errorf("%w: accounts: unknown account %q", siyu.ErrInvalid, u)
			}
		}
		if a.Target == fission.TargetGroup {
			var n int
			if err := t.queryRow(ctx, `SELECT COUNT(*) FROM chat_groups WHERE workspace_id = ? AND chat_id = ?`, workspaceID, a.GroupChatID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("%w: group_chat_id: no group %q in this workspace", siyu.ErrInvalid, a.GroupChatID)
			}
		}
		a.CreatedAt = t.now.Truncate(time.Millisecond)
		return t.queryRow(ctx, `INSERT INTO fission_activities (workspace_id, name, goal, reward, physical, target, accounts, group_chat_id, welcome, start_at, end_at, clawback_hours, rules, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			workspaceID, a.Name, a.Goal, a.Reward, physical, string(a.Target), string(accounts), a.GroupChatID, a.Welcome,
			ms(a.StartAt), ms(a.EndAt), a.ClawbackHours, string(rules), ms(a.CreatedAt)).Scan(&a.ID)
	})
	a.StartAt, a.EndAt = a.StartAt.UTC().Truncate(time.Millisecond), a.EndAt.UTC().Truncate(time.Millisecond)
	return a, err
}

const activityCols = `id, workspace_id, name, goal, reward, physical, target, accounts, group_chat_id, welcome, start_at, end_at, clawback_hours, rules, created_at`

func scanActivity(r scanner) (fission.Activity, error) {
	var a fission.Activity
	var physical int
	var target, accounts, rules string
	var start, end, created int64
	if err := r.Scan(&a.ID, &a.WorkspaceID, &a.Name, &a.Goal, &a.Reward, &physical, &target, &accounts, &a.GroupChatID, &a.Welcome,
		&start, &end, &a.ClawbackHours, &rules, &created); err != nil {
		return a, notFound(err)
	}
	a.Physical, a.Target = physical != 0, fission.Target(target)
	a.StartAt, a.EndAt, a.CreatedAt = fromMS(start), fromMS(end), fromMS(created)
	if err := json.Unmarshal([]byte(accounts), &a.Accounts); err != nil {
		return a, fmt.Errorf("fission activity %d accounts: %w", a.ID, err)
	}
	if err := json.Unmarshal([]byte(rules), &a.Rules); err != nil {
		return a, fmt.Errorf("fission activity %d rules: %w", a.ID, err)
	}
	return a, nil
}

// FissionActivities lists a workspace's activities, newest first.
func (s *Store) FissionActivities(ctx context.Context, workspaceID int64) ([]fission.Activity, error) {
	rows, err := s.query(ctx, `SELECT `+activityCols+` FROM fission_activities WHERE workspace_id = ? ORDER BY id DESC`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []fission.Activity{}
	for rows.Next() {
		a, err := scanActivity(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// FissionActivity returns one activity.
func (s *Store) FissionActivity(ctx context.Context, workspaceID, id int64) (fission.Activity, error) {
	return loadActivity(ctx, s, workspaceID, id)
}

func loadActivity(ctx context.Context, r reader, ws, id int64) (fission.Activity, error) {
	return scanActivity(r.queryRow(ctx, `SELECT `+activityCols+` FROM fission_activities WHERE workspace_id = ? AND id = ?`, ws, id))
}

const participantCols = `p.id, p.activity_id, p.customer_id, cu.name, p.code, p.channel_code_id, p.qr_code, p.joined_at, p.invites, p.counted, p.flags`

func scanParticipant(r scanner) (fission.Participant, error) {
	var p fission.Participant
	var joined int64
	var flags string
	if err := r.Scan(&p.ID, &p.ActivityID, &p.CustomerID, &p.CustomerName, &p.Code, &p.ChannelCodeID, &p.QRCode, &joined, &p.Invites, &p.Counted, &flags); err != nil {
		return p, notFound(err)
	}
	p.JoinedAt = fromMS(joined)
	if flags != "" {
		if err := json.Unmarshal([]byte(flags), &p.Flags); err != nil {
			return p, fmt.Errorf("fission participant %d flags: %w", p.ID, err)
		}
	}
	return p, nil
}

// FissionParticipant returns one participant.
func (s *Store) FissionParticipant(ctx context.Context, workspaceID, id int64) (fission.Participant, error) {
	return scanParticipant(s.queryRow(ctx, `SELECT `+participantCols+` FROM fission_participants p JOIN customers cu ON cu.id = p.customer_id
		WHERE p.workspace_id = ? AND p.id = ?`, workspaceID, id))
}

// FissionParticipantOf returns the participant a customer (or the customer
// it was merged into) is in an activity.
func (s *Store) FissionParticipantOf(ctx context.Context, workspaceID, activityID, customerID int64) (fission.Participant, error) {
	var root int64
	err := s.queryRow(ctx, `SELECT COALESCE(merged_into, id) FROM customers WHERE id = ? AND workspace_id = ?`, customerID, workspaceID).Scan(&root)
	if err != nil {
		return fission.Participant{}, notFound(err)
	}
	return scanParticipant(s.queryRow(ctx, `SELECT `+participantCols+` FROM fission_participants p JOIN customers cu ON cu.id = p.customer_id
		WHERE p.workspace_id = ? AND p.activity_id = ? AND p.customer_id = ?`, workspaceID, activityID, root))
}

// CreateFissionParticipant reserves a participant and its invite code; the
// channel code is attached by SetFissionParticipantCode once WeCom made it.
func (s *Store) CreateFissionParticipant(ctx context.Context, workspaceID int64, p fission.Participant) (fission.Participant, error) {
	if _, ok := fission.ActivityOfCode(p.Code); !ok || len(p.Code) > MaxStateLen {
		return p, fmt.Errorf("%w: code %q is not an invite code", siyu.ErrInvalid, p.Code)
	}
	err := s.write(ctx, workspaceID, func(t *tx) error {
		if _, err := loadActivity(ctx, t, workspaceID, p.ActivityID); err != nil {
			return err
		}
		root, err := t.customerInWorkspace(ctx, workspaceID, p.CustomerID)
		if err != nil {
			return fmt.Errorf("%w: customer %d not in this workspace", siyu.ErrInvalid, p.CustomerID)
		}
		p.CustomerID = root
		p.JoinedAt = t.now.Truncate(time.Millisecond)
		return t.queryRow(ctx, `INSERT INTO fission_participants (workspace_id, activity_id, customer_id, code, joined_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			workspaceID, p.ActivityID, p.CustomerID, p.Code, ms(p.JoinedAt)).Scan(&p.ID)
	})
	if isUnique(err) {
		return p, fmt.Errorf("customer %d already takes part: %w", p.CustomerID, siyu.ErrConflict)
	}
	return p, err
}

// SetFissionParticipantCode attaches the channel code behind an invite code.
func (s *Store) SetFissionParticipantCode(ctx context.Context, workspaceID, participantID, channelCodeID int64, qrCode string) (fission.Participant, error) {
	res, err := s.exec(ctx, `UPDATE fission_participants SET channel_code_id = ?, qr_code = ? WHERE workspace_id = ? AND id = ?`,
		channelCodeID, qrCode, workspaceID, participantID)
	if err := oneRow(res, err); err != nil {
		return fission.Participant{}, err
	}
	return s.FissionParticipant(ctx, workspaceID, participantID)
}

// DeleteFissionParticipant removes a participant whose channel code WeCom
// refused, before anyone could use it.
func (s *Store) DeleteFissionParticipant(ctx context.Context, workspaceID, participantID int64) error {
	res, err := s.exec(ctx, `DELETE FROM fission_participants WHERE workspace_id = ? AND id = ? AND invites = 0`, workspaceID, participantID)
	return oneRow(res, err)
}

// FissionSnapshot returns an activity with everything recorded about it,
// as last evaluated.
func (s *Store) FissionSnapshot(ctx context.Context, workspaceID, activityID int64) (fission.Snapshot, error) {
	return loadSnapshot(ctx, s, workspaceID, activityID)
}

func loadSnapshot(ctx context.Context, r reader, ws, activityID int64) (fission.Snapshot, error) {
	var snap fission.Snapshot
	a, err := loadActivity(ctx, r, ws, activityID)
	if err != nil {
		return snap, err
	}
	snap.Activity = a
	rows, err := r.query(ctx, `SELECT `+participantCols+` FROM fission_participants p JOIN customers cu ON cu.id = p.customer_id
		WHERE p.workspace_id = ? AND p.activity_id = ? ORDER BY p.id`, ws, activityID)
	if err != nil {
		return snap, err
	}
	for rows.Next() {
		p, err := scanParticipant(rows)
		if err != nil {
			rows.Close()
			return snap, err
		}
		snap.Participants = append(snap.Participants, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return snap, err
	}
	// The invitee's first contact that did not come through this activity
	// tells whether they were new; the activity's group, whether they joined.
	rows, err = r.query(ctx, `SELECT i.id, i.participant_id, i.customer_id, cu.name, i.external_userid, i.channel, i.added_at, i.left_at, i.status, i.reasons,
			(SELECT MIN(c2.added_at) FROM contacts c2 WHERE c2.workspace_id = i.workspace_id AND c2.customer_id = i.customer_id
				AND c2.id NOT IN (SELECT i2.contact_id FROM fission_invites i2 WHERE i2.activity_id = i.activity_id)),
			(SELECT MIN(gm.joined_at) FROM group_members gm JOIN chat_groups g ON g.id = gm.group_id
				WHERE g.workspace_id = i.workspace_id AND g.chat_id = ? AND gm.customer_id = i.customer_id),
			(SELECT MAX(gm.left_at) FROM group_members gm JOIN chat_groups g ON g.id = gm.group_id
				WHERE g.workspace_id = i.workspace_id AND g.chat_id = ? AND gm.customer_id = i.customer_id)
		FROM fission_invites i JOIN customers cu ON cu.id = i.customer_id
		WHERE i.workspace_id = ? AND i.activity_id = ? ORDER BY i.added_at, i.id`, a.GroupChatID, a.GroupChatID, ws, activityID)
	if err != nil {
		return snap, err
	}
	for rows.Next() {
		inv := fission.Invite{ActivityID: activityID}
		var added int64
		var left, prior, joined, groupLeft sql.NullInt64
		var reasons string
		if err := rows.Scan(&inv.ID, &inv.InviterID, &inv.CustomerID, &inv.CustomerName, &inv.ExternalUserID, &inv.Channel, &added, &left,
			&inv.Status, &reasons, &prior, &joined, &groupLeft); err != nil {
			rows.Close()
			return snap, err
		}
		inv.AddedAt, inv.LeftAt, inv.PriorContactAt = fromMS(added), fromNullMS(left), fromNullMS(prior)
		if a.Target == fission.TargetGroup {
			inv.GroupJoinedAt, inv.GroupLeftAt = fromNullMS(joined), fromNullMS(groupLeft)
		}
		if reasons != "" {
			inv.Reasons = strings.Split(reasons, ",")
		}
		snap.Invites = append(snap.Invites, inv)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return snap, err
	}
	rows, err = r.query(ctx, `SELECT id, participant_id, customer_id, status, issued_at, clawed_back_at, times, task_id FROM fission_rewards
		WHERE workspace_id = ? AND activity_id = ? ORDER BY id`, ws, activityID)
	if err != nil {
		return snap, err
	}
	defer rows.Close()
	for rows.Next() {
		rw := fission.Reward{ActivityID: activityID}
		var issued int64
		var clawed sql.NullInt64
		if err := rows.Scan(&rw.ID, &rw.ParticipantID, &rw.CustomerID, &rw.Status, &issued, &clawed, &rw.Times, &rw.TaskID); err != nil {
			return snap, err
		}
		rw.IssuedAt, rw.ClawedBackAt = fromMS(issued), fromNullMS(clawed)
		snap.Rewards = append(snap.Rewards, rw)
	}
	return snap, rows.Err()
}

// FissionContactChanged is called when a contact was added or ended: if
// the contact came through an invite code, its activity is evaluated again
// (the invite recorded, rewards issued or clawed back). Any other contact
// costs nothing but a look at its state.
func (s *Store) FissionContactChanged(ctx context.Context, workspaceID int64, accountUserID, externalUserID string) error {
	var state string
	err := s.queryRow(ctx, `SELECT c.state FROM contacts c JOIN accounts a ON a.id = c.account_id
		WHERE c.workspace_id = ? AND a.wecom_userid = ? AND c.external_userid = ?`, workspaceID, accountUserID, externalUserID).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, ok := fission.ActivityOfCode(state); !ok {
		return nil
	}
	var activityID int64
	err = s.queryRow(ctx, `SELECT activity_id FROM fission_participants WHERE workspace_id = ? AND code = ?`, workspaceID, state).Scan(&activityID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	_, _, err = s.EvaluateFission(ctx, workspaceID, activityID)
	return err
}

// FissionGroupChanged is called after a group's members were stored: the
// activities that target the group are evaluated again.
func (s *Store) FissionGroupChanged(ctx context.Context, workspaceID int64, chatID string) error {
	ids, err := s.fissionIDs(ctx, `SELECT id FROM fission_activities WHERE workspace_id = ? AND target = ? AND group_chat_id = ?`,
		workspaceID, string(fission.TargetGroup), chatID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, _, err := s.EvaluateFission(ctx, workspaceID, id); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) fissionIDs(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// EvaluateFission brings an activity up to date: it records as invites the
// contacts added through its participants' codes (with their deletions),
// applies fission.Evaluate, stores the verdicts, issues and claws back
// rewards, and then opens (or cancels) the operator tasks of physical
// rewards. It is idempotent, so it can run after every event and whenever
// the console looks.
func (s *Store) EvaluateFission(ctx context.Context, workspaceID, activityID int64) (fission.Snapshot, fission.Outcome, error) {
	var snap fission.Snapshot
	var out fission.Outcome
	err := s.write(ctx, workspaceID, func(t *tx) error {
		if _, err := t.exec(ctx, `INSERT INTO fission_invites (workspace_id, activity_id, participant_id, customer_id, contact_id, external_userid, channel, added_at, left_at)
			SELECT c.workspace_id, p.activity_id, p.id, c.customer_id, c.id, c.external_userid, 'contact:' || a.wecom_userid, c.added_at, c.deleted_at
			FROM contacts c JOIN fission_participants p ON p.workspace_id = c.workspace_id AND p.code = c.state
			JOIN accounts a ON a.id = c.account_id
			WHERE c.workspace_id = ? AND p.activity_id = ?
			ON CONFLICT (activity_id, contact_id) DO UPDATE SET customer_id = excluded.customer_id, left_at = excluded.left_at`,
			workspaceID, activityID); err != nil {
			return err
		}
		var err error
		snap, err = loadSnapshot(ctx, t, workspaceID, activityID)
		if err != nil {
			return err
		}
		out = fission.Evaluate(snap)
		for i, inv := range snap.Invites {
			v := out.Invites[inv.ID]
			if v.Status == inv.Status && strings.Join(v.Reasons, ",") == strings.Join(inv.Reasons, ",") {
				continue
			}
			if _, err := t.exec(ctx, `UPDATE fission_invites SET status = ?, reasons = ? WHERE id = ?`, v.Status, strings.Join(v.Reasons, ","), inv.ID); err != nil {
				return err
			}
			snap.Invites[i].Status, snap.Invites[i].Reasons = v.Status, v.Reasons
		}
		for i, p := range snap.Participants {
			st := out.Participants[p.ID]
			flags := ""
			if len(st.Flags) > 0 {
				b, _ := json.Marshal(st.Flags)
				flags = string(b)
			}
			if _, err := t.exec(ctx, `UPDATE fission_participants SET invites = ?, counted = ?, flags = ? WHERE id = ?`, st.Invites, st.Counted, flags, p.ID); err != nil {
				return err
			}
			snap.Participants[i].Invites, snap.Participants[i].Counted, snap.Participants[i].Flags = st.Invites, st.Counted, st.Flags
		}
		customer := map[int64]int64{}
		for _, p := range snap.Participants {
			customer[p.ID] = p.CustomerID
		}
		for _, pid := range out.Issue {
			if _, err := t.exec(ctx, `INSERT INTO fission_rewards (workspace_id, activity_id, participant_id, customer_id, status, issued_at, times)
				VALUES (?, ?, ?, ?, ?, ?, 1)
				ON CONFLICT (activity_id, participant_id) DO UPDATE SET status = excluded.status, issued_at = excluded.issued_at,
				  clawed_back_at = NULL, times = fission_rewards.times + 1, task_id = 0`,
				workspaceID, activityID, pid, customer[pid], fission.RewardIssued, ms(t.now)); err != nil {
				return err
			}
		}
		for _, pid := range out.ClawBack {
			if _, err := t.exec(ctx, `UPDATE fission_rewards SET status = ?, clawed_back_at = ? WHERE activity_id = ? AND participant_id = ?`,
				fission.RewardClawedBack, ms(t.now), activityID, pid); err != nil {
				return err
			}
		}
		if len(out.Issue)+len(out.ClawBack) > 0 {
			snap, err = loadSnapshot(ctx, t, workspaceID, activityID)
		}
		return err
	})
	if err != nil {
		return snap, out, err
	}
	if snap.Activity.Physical {
		err = s.fissionRewardTasks(ctx, workspaceID, &snap, out.ClawBack)
	}
	return snap, out, err
}

// fissionRewardTasks opens a task for every standing physical reward that
// has none yet (also one whose earlier attempt failed) and cancels the
// open task of every reward just clawed back.
func (s *Store) fissionRewardTasks(ctx context.Context, ws int64, snap *fission.Snapshot, clawedBack []int64) error {
	a := snap.Activity
	var account int64
	err := s.queryRow(ctx, `SELECT id FROM accounts WHERE workspace_id = ? AND wecom_userid = ?`, ws, a.Accounts[0]).Scan(&account)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	names := map[int64]string{}
	for _, p := range snap.Participants {
		names[p.ID] = p.CustomerName
	}
	back := map[int64]bool{}
	for _, id := range clawedBack {
		back[id] = true
	}
	for i, rw := range snap.Rewards {
		switch {
		case rw.Status == fission.RewardIssued && rw.TaskID == 0:
			task, err := s.CreateTask(ctx, ws, siyu.Task{
				Kind:       TaskFissionReward,
				Title:      clip(fmt.Sprintf("发放裂变奖励：%s → %s", a.Reward, names[rw.ParticipantID]), 200),
				Detail:     fmt.Sprintf("活动「%s」：邀请满 %d 人。奖励：%s", a.Name, a.Goal, a.Reward),
				CustomerID: rw.CustomerID,
				AccountID:  account,
				Ref:        "fission:" + strconv.FormatInt(a.ID, 10) + ":" + strconv.FormatInt(rw.ParticipantID, 10) + ":" + strconv.Itoa(rw.Times),
			})
			if err != nil {
				return err
			}
			if _, err := s.exec(ctx, `UPDATE fission_rewards SET task_id = ? WHERE id = ?`, task.ID, rw.ID); err != nil {
				return err
			}
			snap.Rewards[i].TaskID = task.ID
		case back[rw.ParticipantID] && rw.TaskID != 0:
			_, err := s.CancelTask(ctx, ws, rw.TaskID, System, "fission reward clawed back")
			if err != nil && !errors.Is(err, siyu.ErrConflict) && !errors.Is(err, siyu.ErrNotFound) {
				return err
			}
		}
	}
	return nil
}
