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
	if text := strings.TrimSpace(q.Query); text != "" {
		var alts []string
		var altArgs []any
		if p, err := siyu.NormalizePhone(text); err == nil {
			alts = append(alts, `id IN (SELECT customer_id FROM identities WHERE workspace_id = ? AND kind = ? AND value = ?)`)
			altArgs = append(altArgs, workspaceID, string(siyu.KindPhone), s.pii.key(siyu.Identifier{Kind: siyu.KindPhone, Value: p}))
		}
		if strings.Contains(text, "@") {
			e := siyu.Identifier{Kind: siyu.KindEmail, Value: strings.ToLower(text)}
			alts = append(alts, `id IN (SELECT customer_id FROM identities WHERE workspace_id = ? AND kind = ? AND value = ?)`)
			altArgs = append(altArgs, workspaceID, string(siyu.KindEmail), s.pii.key(e))
		}
		alts = append(alts, `id IN (SELECT customer_id FROM identities WHERE workspace_id = ? AND value = ?)`)
		altArgs = append(altArgs, workspaceID, text)
		alts = append(alts, `name LIKE ? ESCAPE '\'`)
		altArgs = append(altArgs, "%"+escapeLike(text)+"%")
		if id, err := strconv.ParseInt(text, 10, 64); err == nil {
			alts = append(alts, `id = ?`)
			altArgs = append(altArgs, id)
		}
		where += ` AND (` + strings.Join(alts, " OR ") + `)`
		args = append(args, altArgs...)
	}
	var page siyu.CustomerPage
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM customers WHERE `+where, args...).Scan(&page.Total); err != nil {
		return page, err
	}
	rows, err := s.query(ctx, `SELECT `+customerCols+` FROM customers WHERE `+where+
		` ORDER BY (last_order_at IS NULL), last_order_at DESC, id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
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
