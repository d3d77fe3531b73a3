package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"siyu.dev/siyu"
)

const customerCols = `id, workspace_id, name, province, city, COALESCE(merged_into, 0), created_at, updated_at, order_count, total_paid, first_order_at, last_order_at`

func scanCustomer(r scanner) (siyu.Customer, error) {
	var c siyu.Customer
	var created, updated int64
	var first, last sql.NullInt64
	if err := r.Scan(&c.ID, &c.WorkspaceID, &c.Name, &c.Province, &c.City, &c.MergedInto, &created, &updated, &c.OrderCount, &c.TotalPaid, &first, &last); err != nil {
		return c, notFound(err)
	}
	c.CreatedAt, c.UpdatedAt = fromMS(created), fromMS(updated)
	c.FirstOrderAt, c.LastOrderAt = fromNullMS(first), fromNullMS(last)
	return c, nil
}

// SearchCustomers finds live (not merged-away) customers of a workspace. An
// empty query lists everyone, most recent buyers first. A query that is a
// phone number finds its owner; otherwise it matches a name by substring, any
// identifier exactly, or a customer id.
func (s *Store) SearchCustomers(ctx context.Context, workspaceID int64, q siyu.CustomerQuery) (siyu.CustomerPage, error) {
	limit := q.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	offset := max(q.Offset, 0)
	where := `workspace_id = ? AND merged_into IS NULL`
	args := []any{workspaceID}
	var page siyu.CustomerPage
	if text := strings.TrimSpace(q.Query); text != "" {
		ids, capped, err := s.matchCustomers(ctx, workspaceID, text)
		if err != nil {
			return page, err
		}
		if len(ids) == 0 {
			page.Customers = []siyu.Customer{}
			return page, nil
		}
		page.Capped = capped
		where += ` AND id IN (` + placeholders(len(ids)) + `)`
		args = append(args, int64Args(ids)...)
	}
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM customers WHERE `+where, args...).Scan(&page.Total); err != nil {
		return page, err
	}
	// Most recent buyers first, then everyone without an order, newest
	// first: an order the customers_ws_last_order index walks backwards
	// (SQLite sorts NULL lowest; PostgreSQL is told so).
	order := ` ORDER BY last_order_at DESC, id DESC`
	if s.dialect == postgres {
		order = ` ORDER BY last_order_at DESC NULLS LAST, id DESC`
	}
	rows, err := s.query(ctx, `SELECT `+customerCols+` FROM customers WHERE `+where+order+` LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	page.Customers = []siyu.Customer{}
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			return page, err
		}
		page.Customers = append(page.Customers, c)
	}
	return page, rows.Err()
}

// nameLike says whether text could be part of a name: not only digits,
// separators and plus signs (a phone number or an id) and no @.
func nameLike(text string) bool {
	if strings.Contains(text, "@") {
		return false
	}
	for _, r := range text {
		if !strings.ContainsRune("0123456789 +-()", r) {
			return true
		}
	}
	return false
}

// maxMatches is how many customers a search collects at most.
const maxMatches = 1000

// matchCustomers finds the customers a search text names: by any
// identifier (exact, through the identities index — phones and emails by
// their keyed hash), by id, and by a part of the name (a scan, stopped at
// maxMatches). capped says there were more.
func (s *Store) matchCustomers(ctx context.Context, workspaceID int64, text string) ([]int64, bool, error) {
	seen := map[int64]bool{}
	var ids []int64
	add := func(q string, args ...any) error {
		rows, err := s.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		return rows.Err()
	}
	// One exact lookup per kind, each through the unique index (an OR of
	// them would read the whole workspace's identities).
	var lookups []string
	var keys []any
	for _, k := range siyu.IdentityKinds {
		id := siyu.Identifier{Kind: k, Value: text}
		if n, err := siyu.NormalizeIdentifier(id); err == nil {
			id = n
		} else if k.IsPII() {
			continue // not a phone or an email: no key to look up
		}
		lookups = append(lookups, `SELECT customer_id FROM identities WHERE workspace_id = ? AND kind = ? AND value = ?`)
		keys = append(keys, workspaceID, string(k), s.pii.key(id))
	}
	if err := add(strings.Join(lookups, " UNION ALL "), keys...); err != nil {
		return nil, false, err
	}
	if id, err := strconv.ParseInt(text, 10, 64); err == nil {
		if err := add(`SELECT id FROM customers WHERE workspace_id = ? AND id = ?`, workspaceID, id); err != nil {
			return nil, false, err
		}
	}
	// A phone number, an email or an id is not part of anyone's name:
	// only other text costs the scan of the names.
	if nameLike(text) {
		if err := add(`SELECT id FROM customers WHERE workspace_id = ? AND merged_into IS NULL AND name LIKE ? ESCAPE '\' LIMIT ?`,
			workspaceID, "%"+escapeLike(text)+"%", maxMatches+1); err != nil {
			return nil, false, err
		}
	}
	if len(ids) > maxMatches {
		return ids[:maxMatches], true, nil
	}
	return ids, false, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Customer returns one customer of the workspace (merged-away ones too).
func (s *Store) Customer(ctx context.Context, workspaceID, id int64) (siyu.Customer, error) {
	return scanCustomer(s.queryRow(ctx, `SELECT `+customerCols+` FROM customers WHERE id = ? AND workspace_id = ?`, id, workspaceID))
}

// Customer360 gathers everything about a customer. The id of a customer
// merged into another gives the survivor's view.
func (s *Store) Customer360(ctx context.Context, workspaceID, customerID int64) (siyu.Customer360, error) {
	var v siyu.Customer360
	c, err := s.Customer(ctx, workspaceID, customerID)
	for hops := 0; err == nil && c.MergedInto != 0 && hops < 64; hops++ {
		c, err = s.Customer(ctx, workspaceID, c.MergedInto)
	}
	if err != nil {
		return v, err
	}
	v.Customer = c
	id := c.ID
	if v.Identities, err = s.identities(ctx, id); err != nil {
		return v, err
	}
	if v.Orders, err = s.customerOrders(ctx, workspaceID, id); err != nil {
		return v, err
	}
	if v.Contacts, err = s.customerContacts(ctx, workspaceID, id); err != nil {
		return v, err
	}
	if v.Groups, err = s.customerGroups(ctx, id); err != nil {
		return v, err
	}
	if v.Tags, err = s.customerTags(ctx, id); err != nil {
		return v, err
	}
	if v.Merges, err = s.customerMerges(ctx, workspaceID, id); err != nil {
		return v, err
	}
	events, err := s.customerEvents(ctx, workspaceID, id, 500)
	if err != nil {
		return v, err
	}
	v.Timeline = timeline(c, events, v.Orders, v.Contacts, v.Groups)
	return v, nil
}

func (s *Store) identities(ctx context.Context, customerID int64) ([]siyu.Identity, error) {
	rows, err := s.query(ctx, `SELECT id, customer_id, kind, display, source, created_at FROM identities WHERE customer_id = ? ORDER BY id`, customerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []siyu.Identity{}
	for rows.Next() {
		var i siyu.Identity
		var created int64
		if err := rows.Scan(&i.ID, &i.CustomerID, &i.Kind, &i.Display, &i.Source, &created); err != nil {
			return nil, err
		}
		i.CreatedAt = fromMS(created)
		out = append(out, i)
	}
	return out, rows.Err()
}

func (s *Store) customerOrders(ctx context.Context, ws, customerID int64) ([]siyu.Order, error) {
	rows, err := s.query(ctx, `SELECT id, customer_id, channel, external_id, status, placed_at, paid_at, amount, refund, receiver, province, city, items, imported_at
		FROM orders WHERE customer_id = ? AND workspace_id = ? ORDER BY placed_at DESC, id DESC LIMIT 1000`, customerID, ws)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []siyu.Order{}
	for rows.Next() {
		o := siyu.Order{WorkspaceID: ws}
		var placed, imported int64
		var paid sql.NullInt64
		var items string
		if err := rows.Scan(&o.ID, &o.CustomerID, &o.Channel, &o.ExternalID, &o.Status, &placed, &paid, &o.Amount, &o.Refund, &o.Receiver, &o.Province, &o.City, &items, &imported); err != nil {
			return nil, err
		}
		o.PlacedAt, o.PaidAt, o.ImportedAt = fromMS(placed), fromNullMS(paid), fromMS(imported)
		if items != "" {
			if err := json.Unmarshal([]byte(items), &o.Items); err != nil {
				return nil, err
			}
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func (s *Store) customerContacts(ctx context.Context, ws, customerID int64) ([]siyu.Contact, error) {
	rows, err := s.query(ctx, `SELECT c.id, c.customer_id, c.account_id, a.name, c.external_userid, c.state, c.remark, c.added_at, c.deleted_at, c.deleted_by
		FROM contacts c JOIN accounts a ON a.id = c.account_id WHERE c.customer_id = ? AND c.workspace_id = ? ORDER BY c.added_at DESC`, customerID, ws)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []siyu.Contact{}
	for rows.Next() {
		c := siyu.Contact{WorkspaceID: ws}
		var added int64
		var deleted sql.NullInt64
		if err := rows.Scan(&c.ID, &c.CustomerID, &c.AccountID, &c.AccountName, &c.ExternalUserID, &c.State, &c.Remark, &added, &deleted, &c.DeletedBy); err != nil {
			return nil, err
		}
		c.AddedAt, c.DeletedAt = fromMS(added), fromNullMS(deleted)
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *Store) customerGroups(ctx context.Context, customerID int64) ([]siyu.GroupMember, error) {
	rows, err := s.query(ctx, `SELECT m.group_id, g.name, m.customer_id, m.joined_at, m.left_at FROM group_members m
		JOIN chat_groups g ON g.id = m.group_id WHERE m.customer_id = ? ORDER BY m.joined_at DESC`, customerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []siyu.GroupMember{}
	for rows.Next() {
		var m siyu.GroupMember
		var joined int64
		var left sql.NullInt64
		if err := rows.Scan(&m.GroupID, &m.GroupName, &m.CustomerID, &joined, &left); err != nil {
			return nil, err
		}
		m.JoinedAt, m.LeftAt = fromMS(joined), fromNullMS(left)
		out = append(out, m)
	}
	return out, rows.Err()
}

func (s *Store) customerTags(ctx context.Context, customerID int64) ([]siyu.Tag, error) {
	rows, err := s.query(ctx, `SELECT t.id, t.workspace_id, t.name, t.group_name, t.wecom_tag_id FROM customer_tags ct
		JOIN tags t ON t.id = ct.tag_id WHERE ct.customer_id = ? ORDER BY t.group_name, t.name`, customerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []siyu.Tag{}
	for rows.Next() {
		var t siyu.Tag
		if err := rows.Scan(&t.ID, &t.WorkspaceID, &t.Name, &t.GroupName, &t.WeComTagID); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (s *Store) customerMerges(ctx context.Context, ws, customerID int64) ([]siyu.Merge, error) {
	rows, err := s.query(ctx, `SELECT id, workspace_id, survivor_id, merged_id, kind, display, source, at, undone_at FROM merges
		WHERE workspace_id = ? AND (survivor_id = ? OR merged_id = ?) ORDER BY id DESC`, ws, customerID, customerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []siyu.Merge{}
	for rows.Next() {
		var m siyu.Merge
		var at int64
		var undone sql.NullInt64
		if err := rows.Scan(&m.ID, &m.WorkspaceID, &m.SurvivorID, &m.MergedID, &m.Kind, &m.Display, &m.Source, &at, &undone); err != nil {
			return nil, err
		}
		m.At, m.UndoneAt = fromMS(at), fromNullMS(undone)
		out = append(out, m)
	}
	return out, rows.Err()
}

func (s *Store) customerEvents(ctx context.Context, ws, customerID int64, limit int) ([]siyu.Event, error) {
	rows, err := s.query(ctx, `SELECT id, customer_id, type, source, occurred_at, props FROM events WHERE customer_id = ? AND workspace_id = ?
		ORDER BY occurred_at DESC, id DESC LIMIT ?`, customerID, ws, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []siyu.Event{}
	for rows.Next() {
		e := siyu.Event{WorkspaceID: ws}
		var at int64
		var props string
		if err := rows.Scan(&e.ID, &e.CustomerID, &e.Type, &e.Source, &at, &props); err != nil {
			return nil, err
		}
		e.OccurredAt = fromMS(at)
		if props != "" {
			if err := json.Unmarshal([]byte(props), &e.Props); err != nil {
				return nil, err
			}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// timeline merges stored events with what orders, contacts and groups say
// happened, newest first. Derived entries have id 0.
func timeline(c siyu.Customer, events []siyu.Event, orders []siyu.Order, contacts []siyu.Contact, groups []siyu.GroupMember) []siyu.Event {
	out := append([]siyu.Event{}, events...)
	add := func(typ string, at siyu.Event) {
		at.Type, at.WorkspaceID, at.CustomerID = typ, c.WorkspaceID, c.ID
		out = append(out, at)
	}
	for _, o := range orders {
		props := map[string]any{"order_id": o.ID, "external_id": o.ExternalID, "channel": string(o.Channel), "amount_fen": int64(o.Amount)}
		if o.PaidAt != nil {
			add(siyu.EventOrderPaid, siyu.Event{Source: string(o.Channel), OccurredAt: *o.PaidAt, Props: props})
		}
		if o.Refund > 0 || o.Status == siyu.StatusRefunded {
			refund := o.Refund
			if refund == 0 {
				refund = o.Amount
			}
			p := map[string]any{"order_id": o.ID, "external_id": o.ExternalID, "channel": string(o.Channel), "refund_fen": int64(refund)}
			add(siyu.EventOrderRefunded, siyu.Event{Source: string(o.Channel), OccurredAt: o.ImportedAt, Props: p})
		}
	}
	for _, ct := range contacts {
		add(siyu.EventContactAdded, siyu.Event{Source: "wecom", OccurredAt: ct.AddedAt, Props: map[string]any{"account": ct.AccountName, "state": ct.State}})
		if ct.DeletedAt != nil {
			add(siyu.EventContactDeleted, siyu.Event{Source: "wecom", OccurredAt: *ct.DeletedAt, Props: map[string]any{"account": ct.AccountName, "deleted_by": ct.DeletedBy}})
		}
	}
	for _, g := range groups {
		add(siyu.EventGroupJoined, siyu.Event{Source: "wecom", OccurredAt: g.JoinedAt, Props: map[string]any{"group": g.GroupName}})
		if g.LeftAt != nil {
			add(siyu.EventGroupLeft, siyu.Event{Source: "wecom", OccurredAt: *g.LeftAt, Props: map[string]any{"group": g.GroupName}})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].OccurredAt.After(out[j].OccurredAt) })
	return out
}
