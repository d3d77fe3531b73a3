package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"siyu.dev/siyu"
)

// UpsertAccount creates or updates one of the brand's WeCom accounts, keyed
// by its WeCom userid.
func (s *Store) UpsertAccount(ctx context.Context, workspaceID int64, a siyu.Account) (siyu.Account, error) {
	a.WeComUserID = strings.TrimSpace(a.WeComUserID)
	if a.WeComUserID == "" {
		return a, fmt.Errorf("%w: account needs a wecom userid", siyu.ErrInvalid)
	}
	a.WorkspaceID = workspaceID
	if a.CreatedAt.IsZero() {
		a.CreatedAt = s.now()
	}
	a.CreatedAt = a.CreatedAt.UTC().Truncate(time.Millisecond)
	active := 0
	if a.Active {
		active = 1
	}
	err := s.write(ctx, 0, func(t *tx) error {
		return t.queryRow(ctx, `INSERT INTO accounts (workspace_id, wecom_userid, name, persona, active, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (workspace_id, wecom_userid) DO UPDATE SET name = excluded.name, persona = excluded.persona, active = excluded.active
			RETURNING id`, workspaceID, a.WeComUserID, a.Name, a.Persona, active, ms(a.CreatedAt)).Scan(&a.ID)
	})
	return a, err
}

// Accounts lists a workspace's accounts.
func (s *Store) Accounts(ctx context.Context, workspaceID int64) ([]siyu.Account, error) {
	rows, err := s.query(ctx, `SELECT id, wecom_userid, name, persona, active, created_at FROM accounts WHERE workspace_id = ? ORDER BY id`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []siyu.Account
	for rows.Next() {
		a := siyu.Account{WorkspaceID: workspaceID}
		var active int
		var created int64
		if err := rows.Scan(&a.ID, &a.WeComUserID, &a.Name, &a.Persona, &active, &created); err != nil {
			return nil, err
		}
		a.Active, a.CreatedAt = active != 0, fromMS(created)
		out = append(out, a)
	}
	return out, rows.Err()
}

// ContactInput is a contact relationship as it arrives from WeCom (a callback,
// a sync) or the demo: the account by WeCom userid, the customer by
// identifiers. The external_userid is itself an identifier and is added.
type ContactInput struct {
	// CustomerID, when set, is the customer this contact is known to be
	// (from a channel code made for them); Via names the code's state.
	CustomerID     int64
	AccountUserID  string
	ExternalUserID string
	Identifiers    []siyu.Identifier
	Name           string
	State          string
	Remark         string
	AddedAt        time.Time
	DeletedAt      *time.Time
	DeletedBy      string
}

// UpsertContacts records contact relationships, resolving each person. A
// known (account, external_userid) pair is updated (state kept if the new one
// is empty; deletion recorded, an earlier recorded end kept). It returns the
// customer of each input.
func (s *Store) UpsertContacts(ctx context.Context, workspaceID int64, in []ContactInput) ([]int64, error) {
	out := make([]int64, 0, len(in))
	for start := 0; start < len(in); start += importChunk {
		part := in[start:min(start+importChunk, len(in))]
		err := s.write(ctx, workspaceID, func(t *tx) error {
			accounts, err := t.accountIDs(ctx, workspaceID)
			if err != nil {
				return err
			}
			people := make([]person, len(part))
			for i, c := range part {
				if c.ExternalUserID == "" {
					return siyu.RowError{Line: start + i + 1, Field: "external_userid", Msg: "missing"}
				}
				if _, ok := accounts[c.AccountUserID]; !ok {
					return siyu.RowError{Line: start + i + 1, Field: "account", Msg: fmt.Sprintf("unknown account %q", c.AccountUserID)}
				}
				norm, err := normalizeAll(append([]siyu.Identifier{{Kind: siyu.KindExternalUser, Value: c.ExternalUserID}}, c.Identifiers...), start+i+1)
				if err != nil {
					return err
				}
				people[i] = person{ids: norm, name: c.Name}
				if c.CustomerID != 0 {
					root, err := t.customerInWorkspace(ctx, workspaceID, c.CustomerID)
					if err != nil {
						return siyu.RowError{Line: start + i + 1, Field: "customer_id", Msg: fmt.Sprintf("no customer %d in this workspace", c.CustomerID)}
					}
					people[i].known = root
					people[i].via = siyu.Identifier{Kind: "channel_code", Value: c.State}
				}
			}
			r, err := s.resolveTx(ctx, t, workspaceID, people, "wecom")
			if err != nil {
				return err
			}
			for i, c := range part {
				if r.erased[i] {
					continue // an erased person's WeCom relation is not kept again
				}
				var deleted any
				if c.DeletedAt != nil {
					deleted = ms(*c.DeletedAt)
				}
				added := c.AddedAt
				if added.IsZero() {
					added = t.now
				}
				_, err := t.exec(ctx, `INSERT INTO contacts (workspace_id, customer_id, account_id, external_userid, state, remark, added_at, deleted_at, deleted_by)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
					ON CONFLICT (workspace_id, account_id, external_userid) DO UPDATE SET
					  state = CASE WHEN excluded.state = '' THEN contacts.state ELSE excluded.state END,
					  remark = excluded.remark,
					  deleted_at = CASE WHEN contacts.deleted_at IS NOT NULL AND excluded.deleted_at IS NOT NULL THEN contacts.deleted_at ELSE excluded.deleted_at END,
					  deleted_by = CASE WHEN contacts.deleted_at IS NOT NULL AND excluded.deleted_at IS NOT NULL THEN contacts.deleted_by ELSE excluded.deleted_by END`,
					workspaceID, r.customers[i], accounts[c.AccountUserID], c.ExternalUserID, c.State, c.Remark, ms(added), deleted, c.DeletedBy)
				if err != nil {
					return err
				}
			}
			out = append(out, r.customers...)
			return t.refreshSummaries(ctx, r.touched)
		})
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

func (t *tx) accountIDs(ctx context.Context, ws int64) (map[string]int64, error) {
	rows, err := t.query(ctx, `SELECT wecom_userid, id FROM accounts WHERE workspace_id = ?`, ws)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]int64{}
	for rows.Next() {
		var u string
		var id int64
		if err := rows.Scan(&u, &id); err != nil {
			return nil, err
		}
		m[u] = id
	}
	return m, rows.Err()
}

// GroupInput is a customer group chat with its members named by identifiers.
type GroupInput struct {
	ChatID      string
	Name        string
	OwnerUserID string
	CreatedAt   time.Time
	DismissedAt *time.Time
	Members     []GroupMemberInput
	// Complete says Members is the whole current member list: stored
	// members missing from it have left (at LeftAt, or now).
	Complete bool
	LeftAt   time.Time
}

// GroupMemberInput is one member of a group.
type GroupMemberInput struct {
	Identifiers []siyu.Identifier
	Name        string
	JoinedAt    time.Time
	LeftAt      *time.Time
}

// UpsertGroup records a group and its members.
func (s *Store) UpsertGroup(ctx context.Context, workspaceID int64, g GroupInput) (siyu.Group, error) {
	out := siyu.Group{WorkspaceID: workspaceID, ChatID: g.ChatID, Name: g.Name, CreatedAt: g.CreatedAt, DismissedAt: g.DismissedAt}
	if strings.TrimSpace(g.ChatID) == "" {
		return out, fmt.Errorf("%w: group needs a chat_id", siyu.ErrInvalid)
	}
	err := s.write(ctx, workspaceID, func(t *tx) error {
		accounts, err := t.accountIDs(ctx, workspaceID)
		if err != nil {
			return err
		}
		var owner any
		if id, ok := accounts[g.OwnerUserID]; ok {
			owner = id
			out.OwnerAccountID = id
		}
		if err := t.queryRow(ctx, `INSERT INTO chat_groups (workspace_id, chat_id, name, owner_account_id, created_at, dismissed_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (workspace_id, chat_id) DO UPDATE SET name = excluded.name, owner_account_id = excluded.owner_account_id, dismissed_at = excluded.dismissed_at
			RETURNING id`, workspaceID, g.ChatID, g.Name, owner, ms(g.CreatedAt), msPtr(g.DismissedAt)).Scan(&out.ID); err != nil {
			return err
		}
		people := make([]person, len(g.Members))
		for i, m := range g.Members {
			ids, err := normalizeAll(m.Identifiers, i+1)
			if err != nil {
				return err
			}
			people[i].ids = ids
			if len(people[i].ids) == 0 {
				return siyu.RowError{Line: i + 1, Field: "identifiers", Msg: "a member needs an identifier"}
			}
			people[i].name = m.Name
		}
		r, err := s.resolveTx(ctx, t, workspaceID, people, "wecom")
		if err != nil {
			return err
		}
		for i, m := range g.Members {
			if _, err := t.exec(ctx, `INSERT INTO group_members (group_id, customer_id, joined_at, left_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (group_id, customer_id) DO UPDATE SET left_at = excluded.left_at`,
				out.ID, r.customers[i], ms(m.JoinedAt), msPtr(m.LeftAt)); err != nil {
				return err
			}
		}
		if g.Complete {
			left := g.LeftAt
			if left.IsZero() {
				left = t.now
			}
			q := `UPDATE group_members SET left_at = ? WHERE group_id = ? AND left_at IS NULL`
			args := []any{ms(left), out.ID}
			if ids := uniq(r.customers); len(ids) > 0 {
				q += ` AND customer_id NOT IN (` + placeholders(len(ids)) + `)`
				args = append(args, int64Args(ids)...)
			}
			if _, err := t.exec(ctx, q, args...); err != nil {
				return err
			}
		}
		return t.refreshSummaries(ctx, r.touched)
	})
	return out, err
}

// TagCustomers puts a tag (created if new) on the customers named by the
// identifier lists.
func (s *Store) TagCustomers(ctx context.Context, workspaceID int64, tag siyu.Tag, people [][]siyu.Identifier, source string) error {
	tag.Name = strings.TrimSpace(tag.Name)
	if tag.Name == "" || len([]rune(tag.Name)) > 64 {
		return fmt.Errorf("%w: tag name must be 1..64 characters", siyu.ErrInvalid)
	}
	return s.write(ctx, workspaceID, func(t *tx) error {
		var tagID int64
		if err := t.queryRow(ctx, `INSERT INTO tags (workspace_id, name, group_name, wecom_tag_id) VALUES (?, ?, ?, ?)
			ON CONFLICT (workspace_id, name) DO UPDATE SET group_name = excluded.group_name RETURNING id`,
			workspaceID, tag.Name, tag.GroupName, tag.WeComTagID).Scan(&tagID); err != nil {
			return err
		}
		ps := make([]person, len(people))
		for i, ids := range people {
			norm, err := normalizeAll(ids, i+1)
			if err != nil {
				return err
			}
			ps[i].ids = norm
		}
		r, err := s.resolveTx(ctx, t, workspaceID, ps, source)
		if err != nil {
			return err
		}
		rows := make([][]any, 0, len(r.customers))
		for _, c := range uniq(r.customers) {
			rows = append(rows, []any{c, tagID, source, ms(t.now)})
		}
		if err := t.insertRows(ctx, "customer_tags", []string{"customer_id", "tag_id", "source", "created_at"}, rows, " ON CONFLICT (customer_id, tag_id) DO NOTHING"); err != nil {
			return err
		}
		return t.refreshSummaries(ctx, r.touched)
	})
}

// ContactQuery filters the contacts list.
type ContactQuery struct {
	State     string // only contacts added through this channel code state
	AccountID int64
	Deleted   *bool // nil: all; true: only ended relationships; false: only live ones
	Limit     int
	Offset    int
}

// ContactRow is a contact with the names a list shows.
type ContactRow struct {
	siyu.Contact
	CustomerName string `json:"customer_name"`
}

// ContactPage is one page of contacts.
type ContactPage struct {
	Contacts []ContactRow `json:"contacts"`
	Total    int          `json:"total"`
}

// ListContacts lists a workspace's contacts, newest first.
func (s *Store) ListContacts(ctx context.Context, workspaceID int64, q ContactQuery) (ContactPage, error) {
	limit := q.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	where, args := `c.workspace_id = ?`, []any{workspaceID}
	if q.State != "" {
		where, args = where+` AND c.state = ?`, append(args, q.State)
	}
	if q.AccountID != 0 {
		where, args = where+` AND c.account_id = ?`, append(args, q.AccountID)
	}
	if q.Deleted != nil {
		if *q.Deleted {
			where += ` AND c.deleted_at IS NOT NULL`
		} else {
			where += ` AND c.deleted_at IS NULL`
		}
	}
	var page ContactPage
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM contacts c WHERE `+where, args...).Scan(&page.Total); err != nil {
		return page, err
	}
	rows, err := s.query(ctx, `SELECT c.id, c.customer_id, cu.name, c.account_id, a.name, c.external_userid, c.state, c.remark, c.added_at, c.deleted_at, c.deleted_by
		FROM contacts c JOIN accounts a ON a.id = c.account_id JOIN customers cu ON cu.id = c.customer_id
		WHERE `+where+` ORDER BY c.added_at DESC, c.id DESC LIMIT ? OFFSET ?`, append(args, limit, max(q.Offset, 0))...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	page.Contacts = []ContactRow{}
	for rows.Next() {
		r := ContactRow{Contact: siyu.Contact{WorkspaceID: workspaceID}}
		var added int64
		var deleted sql.NullInt64
		if err := rows.Scan(&r.ID, &r.CustomerID, &r.CustomerName, &r.AccountID, &r.AccountName, &r.ExternalUserID, &r.State, &r.Remark, &added, &deleted, &r.DeletedBy); err != nil {
			return page, err
		}
		r.AddedAt, r.DeletedAt = fromMS(added), fromNullMS(deleted)
		page.Contacts = append(page.Contacts, r)
	}
	return page, rows.Err()
}

// IdentitiesOf returns the identities of several customers at once (for
// lists), keyed by customer.
func (s *Store) IdentitiesOf(ctx context.Context, workspaceID int64, customerIDs []int64) (map[int64][]siyu.Identity, error) {
	out := map[int64][]siyu.Identity{}
	err := chunks(uniq(customerIDs), 500, func(part []int64) error {
		// "+workspace_id": probe identities_customer per id instead of
		// reading the workspace's whole unique index.
		rows, err := s.query(ctx, `SELECT id, customer_id, kind, display, source, created_at FROM identities
			WHERE +workspace_id = ? AND customer_id IN (`+placeholders(len(part))+`) ORDER BY id`, append([]any{workspaceID}, int64Args(part)...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var i siyu.Identity
			var created int64
			if err := rows.Scan(&i.ID, &i.CustomerID, &i.Kind, &i.Display, &i.Source, &created); err != nil {
				return err
			}
			i.CreatedAt = fromMS(created)
			out[i.CustomerID] = append(out[i.CustomerID], i)
		}
		return rows.Err()
	})
	return out, err
}

// deletedUnknown is the deleted_by of an end whose author is unknown
// (wecomsync.DeletedBySync).
const deletedUnknown = "sync"

// EndContact records that a contact relationship ended: by the customer
// (del_follow_user) or by the account (del_external_contact).
func (s *Store) EndContact(ctx context.Context, workspaceID int64, accountUserID, externalUserID string, at time.Time, by string) error {
	return s.write(ctx, workspaceID, func(t *tx) error {
		// An end found by reconciliation or by a late add ("sync": who ended
		// it was unknown) gives way to the callback that says who did.
		res, err := t.exec(ctx, `UPDATE contacts SET deleted_at = ?, deleted_by = ? WHERE workspace_id = ? AND external_userid = ?
			AND account_id = (SELECT id FROM accounts WHERE workspace_id = ? AND wecom_userid = ?) AND (deleted_at IS NULL OR deleted_by = ?)`,
			ms(at), by, workspaceID, externalUserID, workspaceID, accountUserID, deletedUnknown)
		if err != nil {
			return err
		}
		_, err = res.RowsAffected()
		return err
	})
}

// DismissGroup records that a group was dissolved.
func (s *Store) DismissGroup(ctx context.Context, workspaceID int64, chatID string, at time.Time) error {
	_, err := s.exec(ctx, `UPDATE chat_groups SET dismissed_at = ? WHERE workspace_id = ? AND chat_id = ? AND dismissed_at IS NULL`, ms(at), workspaceID, chatID)
	return err
}

// LiveContacts lists the (account userid, external_userid) pairs the store
// believes are live, for reconciliation with WeCom.
func (s *Store) LiveContacts(ctx context.Context, workspaceID int64) (map[[2]string]bool, error) {
	rows, err := s.query(ctx, `SELECT a.wecom_userid, c.external_userid FROM contacts c JOIN accounts a ON a.id = c.account_id
		WHERE c.workspace_id = ? AND c.deleted_at IS NULL`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[[2]string]bool{}
	for rows.Next() {
		var u, e string
		if err := rows.Scan(&u, &e); err != nil {
			return nil, err
		}
		out[[2]string{u, e}] = true
	}
	return out, rows.Err()
}

// DeleteChannelCode removes a code that WeCom refused to create.
func (s *Store) DeleteChannelCode(ctx context.Context, workspaceID, id int64) error {
	res, err := s.exec(ctx, `DELETE FROM channel_codes WHERE id = ? AND workspace_id = ?`, id, workspaceID)
	return oneRow(res, err)
}

// UpsertTags creates or updates tags by name (WeCom corp tags carry their id).
func (s *Store) UpsertTags(ctx context.Context, workspaceID int64, tags []siyu.Tag) error {
	return s.write(ctx, workspaceID, func(t *tx) error {
		for _, tag := range tags {
			if strings.TrimSpace(tag.Name) == "" {
				continue
			}
			if _, err := t.exec(ctx, `INSERT INTO tags (workspace_id, name, group_name, wecom_tag_id) VALUES (?, ?, ?, ?)
				ON CONFLICT (workspace_id, name) DO UPDATE SET group_name = excluded.group_name, wecom_tag_id = excluded.wecom_tag_id`,
				workspaceID, strings.TrimSpace(tag.Name), tag.GroupName, tag.WeComTagID); err != nil {
				return err
			}
		}
		return nil
	})
}

// SyncWeComTags makes the WeCom-sourced tags of customers match WeCom: byExt
// maps external_userids to the corp tags their members put on them; a
// customer gets the union over its contacts. With removeMissing, WeCom tags
// a customer has that no contact carries any more are removed (only a
// complete sync knows that). Customers tagged in Siyu itself keep those.
func (s *Store) SyncWeComTags(ctx context.Context, workspaceID int64, byExt map[string][]siyu.Tag, removeMissing bool) error {
	if len(byExt) == 0 {
		return nil
	}
	return s.write(ctx, workspaceID, func(t *tx) error {
		owner := map[string]int64{}
		exts := make([]any, 0, len(byExt))
		for e := range byExt {
			exts = append(exts, e)
		}
		for start := 0; start < len(exts); start += 5000 {
			part := exts[start:min(start+5000, len(exts))]
			rows, err := t.query(ctx, `SELECT value, customer_id FROM identities WHERE workspace_id = ? AND kind = ? AND value IN (`+placeholders(len(part))+`)`,
				append([]any{workspaceID, string(siyu.KindExternalUser)}, part...)...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var e string
				var c int64
				if err := rows.Scan(&e, &c); err != nil {
					rows.Close()
					return err
				}
				owner[e] = c
			}
			rows.Close()
		}
		want := map[int64]map[string]siyu.Tag{}
		for e, tags := range byExt {
			c, ok := owner[e]
			if !ok {
				continue
			}
			if want[c] == nil {
				want[c] = map[string]siyu.Tag{}
			}
			for _, tag := range tags {
				want[c][tag.Name] = tag
			}
		}
		tagIDs := map[string]int64{}
		for c, tags := range want {
			keep := []any{c}
			for name, tag := range tags {
				id, ok := tagIDs[name]
				if !ok {
					if err := t.queryRow(ctx, `INSERT INTO tags (workspace_id, name, group_name, wecom_tag_id) VALUES (?, ?, ?, ?)
						ON CONFLICT (workspace_id, name) DO UPDATE SET group_name = excluded.group_name, wecom_tag_id = excluded.wecom_tag_id RETURNING id`,
						workspaceID, name, tag.GroupName, tag.WeComTagID).Scan(&id); err != nil {
						return err
					}
					tagIDs[name] = id
				}
				if _, err := t.exec(ctx, `INSERT INTO customer_tags (customer_id, tag_id, source, created_at) VALUES (?, ?, 'wecom', ?) ON CONFLICT (customer_id, tag_id) DO NOTHING`,
					c, id, ms(t.now)); err != nil {
					return err
				}
				keep = append(keep, id)
			}
			if removeMissing {
				q := `DELETE FROM customer_tags WHERE customer_id = ? AND source = 'wecom'`
				if len(keep) > 1 {
					q += ` AND tag_id NOT IN (` + placeholders(len(keep)-1) + `)`
				}
				if _, err := t.exec(ctx, q, keep...); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// normalizeAll normalises a record's identifiers; a bad one is a RowError
// naming the record (1-based line) and the identifier's kind.
func normalizeAll(ids []siyu.Identifier, line int) ([]siyu.Identifier, error) {
	out := make([]siyu.Identifier, 0, len(ids))
	for _, id := range ids {
		n, err := siyu.NormalizeIdentifier(id)
		if err != nil {
			return nil, siyu.RowError{Line: line, Field: string(id.Kind), Msg: err.Error()}
		}
		out = append(out, n)
	}
	return out, nil
}
