package store

import (
	"context"
	"fmt"
	"time"

	"siyu.dev/siyu"
)

// ExportCustomer gathers everything stored about a person, with phone
// numbers and emails decrypted: the answer to a data access request (PIPL).
func (s *Store) ExportCustomer(ctx context.Context, workspaceID, customerID int64) (siyu.PersonalData, error) {
	v, err := s.Customer360(ctx, workspaceID, customerID)
	if err != nil {
		return siyu.PersonalData{}, err
	}
	out := siyu.PersonalData{Customer360: v, ExportedAt: s.now().UTC()}
	rows, err := s.query(ctx, `SELECT kind, value, secret FROM identities WHERE customer_id = ? AND workspace_id = ? ORDER BY id`, v.Customer.ID, workspaceID)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, value, secret string
		if err := rows.Scan(&kind, &value, &secret); err != nil {
			return out, err
		}
		id := siyu.Identifier{Kind: siyu.IdentityKind(kind), Value: value}
		if secret != "" {
			if id.Value, err = s.pii.open(id.Kind, secret); err != nil {
				return out, err
			}
		}
		out.Identifiers = append(out.Identifiers, id)
	}
	return out, rows.Err()
}

// personTables are the tables whose rows, keyed by customer_id, are a
// person's data or derived from it: an erasure deletes them. Every new
// customer-keyed table belongs here unless it must outlive the erasure
// (opt_outs: the person still must not be reached).
var personTables = []string{
	"identities",
	"events",
	"contacts",
	"group_members",
	"customer_tags",
	"customer_scores",
	"reach_log",
	"campaign_recipients",
	"moment_interactions",
	"segment_members",
	"tasks",
	"sends",
	"douyin_users",
	"douyin_comments",
	"fission_invites",
	"fission_rewards",
	"fission_participants",
	"journey_enrollments",
	"journey_step_log",
}

// EraseCustomer deletes a person's personal data (PIPL erasure), including
// from derived tables: identities, events, contacts, group memberships and
// tags go; orders stay as anonymous revenue (amounts and dates, no receiver,
// region, phone or items) so the brand's totals remain right; the customer
// row stays as an empty shell so merge history keeps its ids, and merge log
// entries lose the identifier they showed. Customers merged into this one
// are erased with it. who is recorded.
func (s *Store) EraseCustomer(ctx context.Context, workspaceID, customerID int64, who string) error {
	return s.write(ctx, workspaceID, func(t *tx) error {
		root, err := t.customerInWorkspace(ctx, workspaceID, customerID)
		if err != nil {
			return err
		}
		// The person is the live customer and everyone merged into it.
		ids := []int64{root}
		for i := 0; i < len(ids); i++ {
			more, err := queryIDs(ctx, t, `SELECT id FROM customers WHERE merged_into = ?`, ids[i])
			if err != nil {
				return err
			}
			ids = append(ids, more...)
		}
		in := `(` + placeholders(len(ids)) + `)`
		args := int64Args(ids)
		// Remember the identifiers before they go, so that they stay gone.
		if _, err := t.exec(ctx, `INSERT INTO erased_identities (workspace_id, kind, value, customer_id, erased_at)
			SELECT workspace_id, kind, value, ?, ? FROM identities WHERE workspace_id = ? AND customer_id IN `+in+`
			ON CONFLICT (workspace_id, kind, value) DO NOTHING`, append([]any{root, ms(t.now), workspaceID}, args...)...); err != nil {
			return fmt.Errorf("erase: %w", err)
		}
		var erase []string
		for _, table := range personTables {
			erase = append(erase, `DELETE FROM `+table+` WHERE customer_id IN `+in)
		}
		for _, q := range append(erase,
			`UPDATE orders SET receiver = '', province = '', city = '', masked_phone = '', items = '' WHERE customer_id IN `+in,
			`UPDATE merges SET display = '', moved = '{}' WHERE survivor_id IN `+in,
			`UPDATE merges SET display = '', moved = '{}' WHERE merged_id IN `+in,
			`UPDATE channel_codes SET customer_id = NULL WHERE customer_id IN `+in,
		) {
			if _, err := t.exec(ctx, q, args...); err != nil {
				return fmt.Errorf("erase: %w", err)
			}
		}
		if _, err := t.exec(ctx, `UPDATE customers SET name = '', province = '', city = '', updated_at = ? WHERE id IN `+in,
			append([]any{ms(t.now)}, args...)...); err != nil {
			return err
		}
		_, err = t.exec(ctx, `INSERT INTO erasures (workspace_id, customer_id, erased_by, erased_at) VALUES (?, ?, ?, ?)`, workspaceID, root, who, ms(t.now))
		return err
	})
}

// Erased reports when a customer was erased, if it was.
func (s *Store) Erased(ctx context.Context, workspaceID, customerID int64) (*time.Time, error) {
	var at int64
	err := s.queryRow(ctx, `SELECT erased_at FROM erasures WHERE workspace_id = ? AND customer_id = ?`, workspaceID, customerID).Scan(&at)
	if err != nil {
		if notFound(err) == siyu.ErrNotFound {
			return nil, nil
		}
		return nil, err
	}
	t := fromMS(at)
	return &t, nil
}
