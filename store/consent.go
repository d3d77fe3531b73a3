package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"siyu.dev/siyu"
)

// EventOptedIn is recorded when an opt-out is withdrawn (the person asked
// to hear from the brand again, or the opt-out was a mistake).
const EventOptedIn = "consent.opted_in"

// Opt-out sources.
const (
	ConsentSourceKeyword = "keyword" // the person wrote 退订 or the like
	ConsentSourceConsole = "console"
	ConsentSourceAPI     = "api"
)

// SettingConsent names the workspace setting with the opt-out keywords.
const SettingConsent = "consent"

// DefaultOptOutKeywords are what a person writes to stop messages when a
// workspace has not set its own.
var DefaultOptOutKeywords = []string{"退订", "TD", "unsubscribe", "取消订阅", "别再发了"}

// ConsentSettings are a workspace's consent settings: the keywords that,
// in a message or comment, opt the writer out, and phrases that contain
// one but are not an opt-out ("怎么退订" asks how).
type ConsentSettings struct {
	Keywords []string `json:"keywords"`
	Excludes []string `json:"excludes,omitempty"`
}

// ConsentSettings returns the workspace's consent settings (the defaults
// when it has none).
func (s *Store) ConsentSettings(ctx context.Context, workspaceID int64) (ConsentSettings, error) {
	b, err := s.Setting(ctx, workspaceID, SettingConsent)
	if errors.Is(err, siyu.ErrNotFound) {
		return ConsentSettings{Keywords: DefaultOptOutKeywords}, nil
	}
	if err != nil {
		return ConsentSettings{}, err
	}
	var cs ConsentSettings
	if err := json.Unmarshal(b, &cs); err != nil {
		return cs, fmt.Errorf("consent settings: %w", err)
	}
	return cs, nil
}

// SetConsentSettings saves the workspace's consent settings. An empty
// keyword list turns keyword opt-outs off.
func (s *Store) SetConsentSettings(ctx context.Context, workspaceID int64, cs ConsentSettings) error {
	for _, k := range append(append([]string{}, cs.Keywords...), cs.Excludes...) {
		if strings.TrimSpace(k) == "" {
			return fmt.Errorf("%w: consent keywords: an empty keyword", siyu.ErrInvalid)
		}
	}
	if cs.Keywords == nil {
		cs.Keywords = []string{}
	}
	b, err := json.Marshal(cs)
	if err != nil {
		return err
	}
	return s.SetSetting(ctx, workspaceID, SettingConsent, b)
}

// OptOutRecord is a person's opt-out.
type OptOutRecord struct {
	CustomerID int64     `json:"customer_id"`
	At         time.Time `json:"at"`
	Source     string    `json:"source"`
	Note       string    `json:"note,omitempty"`
}

// OptOut records that a customer must not be reached by automation again,
// with an EventOptedOut on their timeline. Opting out someone already
// opted out keeps the first record. The row outlives an erasure.
func (s *Store) OptOut(ctx context.Context, workspaceID, customerID int64, source, note string) error {
	source = strings.TrimSpace(source)
	if source == "" {
		return fmt.Errorf("%w: an opt-out needs a source", siyu.ErrInvalid)
	}
	return s.write(ctx, workspaceID, func(t *tx) error {
		root, err := t.customerInWorkspace(ctx, workspaceID, customerID)
		if err != nil {
			return err
		}
		_, err = t.optOut(ctx, workspaceID, root, source, note, t.now)
		return err
	})
}

// optOut inserts the opt-out and its event; false if there was one.
func (t *tx) optOut(ctx context.Context, ws, customer int64, source, note string, at time.Time) (bool, error) {
	note = clip(note, 500)
	res, err := t.exec(ctx, `INSERT INTO opt_outs (workspace_id, customer_id, at, source, note) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id, customer_id) DO NOTHING`, ws, customer, ms(at), source, note)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	return true, t.recordConsentEvent(ctx, ws, customer, siyu.EventOptedOut, source, note, at)
}

// OptIn withdraws a customer's opt-out, recording EventOptedIn. A customer
// who had not opted out is left alone.
func (s *Store) OptIn(ctx context.Context, workspaceID, customerID int64, source, note string) error {
	return s.write(ctx, workspaceID, func(t *tx) error {
		root, err := t.customerInWorkspace(ctx, workspaceID, customerID)
		if err != nil {
			return err
		}
		// The opt-out may sit on a customer merged into this one.
		family, err := t.family(ctx, root)
		if err != nil {
			return err
		}
		res, err := t.exec(ctx, `DELETE FROM opt_outs WHERE workspace_id = ? AND customer_id IN (`+placeholders(len(family))+`)`,
			append([]any{workspaceID}, int64Args(family)...)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return t.recordConsentEvent(ctx, workspaceID, root, EventOptedIn, source, clip(note, 500), t.now)
	})
}

// family is a live customer and every customer merged into it.
func (t *tx) family(ctx context.Context, root int64) ([]int64, error) {
	ids := []int64{root}
	for i := 0; i < len(ids); i++ {
		more, err := queryIDs(ctx, t, `SELECT id FROM customers WHERE merged_into = ?`, ids[i])
		if err != nil {
			return nil, err
		}
		ids = append(ids, more...)
	}
	return ids, nil
}

func (t *tx) recordConsentEvent(ctx context.Context, ws, customer int64, typ, source, note string, at time.Time) error {
	ids, err := t.newIDs(ctx, "events", 1)
	if err != nil {
		return err
	}
	props := map[string]any{"source": source}
	if note != "" {
		props["note"] = note
	}
	b, err := json.Marshal(props)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO events (id, workspace_id, customer_id, type, source, occurred_at, props) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		ids[0], ws, customer, typ, "consent", ms(at), string(b))
	return err
}

// OptedOut reports which of the customers have opted out. An opt-out
// follows merges: a customer is opted out when it, the customer it was
// merged into, or any customer merged into that one opted out.
func (s *Store) OptedOut(ctx context.Context, workspaceID int64, ids []int64) (map[int64]bool, error) {
	out := make(map[int64]bool, len(ids))
	ids = uniq(ids)
	if len(ids) == 0 {
		return out, nil
	}
	roots, err := s.rootsOf(ctx, workspaceID, ids)
	if err != nil {
		return nil, err
	}
	wanted := map[int64]bool{}
	for _, r := range roots {
		wanted[r] = true
	}
	// Opt-outs of the roots themselves, and every opt-out that sits on a
	// merged-away customer (few: merges are rare and opt-outs rarer).
	var opted []int64
	err = chunks(boolSetKeys(wanted), 5000, func(part []int64) error {
		rows, err := s.query(ctx, `SELECT o.customer_id FROM opt_outs o JOIN customers c ON c.id = o.customer_id
			WHERE o.workspace_id = ? AND (o.customer_id IN (`+placeholders(len(part))+`) OR c.merged_into IS NOT NULL)`,
			append([]any{workspaceID}, int64Args(part)...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			opted = append(opted, id)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	optedRoots, err := s.rootsOf(ctx, workspaceID, uniq(opted))
	if err != nil {
		return nil, err
	}
	optedRoot := map[int64]bool{}
	for _, r := range optedRoots {
		optedRoot[r] = true
	}
	for _, id := range ids {
		if r, ok := roots[id]; ok && optedRoot[r] {
			out[id] = true
		}
	}
	return out, nil
}

// OptOutOf returns a customer's opt-out, or nil when they have not opted
// out (following merges like OptedOut).
func (s *Store) OptOutOf(ctx context.Context, workspaceID, customerID int64) (*OptOutRecord, error) {
	root, err := s.rootOf(ctx, workspaceID, customerID)
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT o.customer_id, o.at, o.source, o.note FROM opt_outs o JOIN customers c ON c.id = o.customer_id
		WHERE o.workspace_id = ? AND (o.customer_id = ? OR c.merged_into IS NOT NULL) ORDER BY o.at`, workspaceID, root)
	if err != nil {
		return nil, err
	}
	var found []OptOutRecord
	for rows.Next() {
		var r OptOutRecord
		var at int64
		if err := rows.Scan(&r.CustomerID, &at, &r.Source, &r.Note); err != nil {
			rows.Close()
			return nil, err
		}
		r.At = fromMS(at)
		found = append(found, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, r := range found {
		rr, err := s.rootOf(ctx, workspaceID, r.CustomerID)
		if err != nil {
			return nil, err
		}
		if rr == root {
			r.CustomerID = root
			return &r, nil
		}
	}
	return nil, nil
}

// rootsOf maps customers of the workspace to their live customers; ids of
// other workspaces are left out.
func (s *Store) rootsOf(ctx context.Context, ws int64, ids []int64) (map[int64]int64, error) {
	out := make(map[int64]int64, len(ids))
	next := map[int64]int64{} // merged customer → where it went
	pending := ids
	for round := 0; len(pending) > 0; round++ {
		if round > 64 {
			return nil, fmt.Errorf("merge chain too long")
		}
		var more []int64
		err := chunks(uniq(pending), 5000, func(part []int64) error {
			rows, err := s.query(ctx, `SELECT id, merged_into FROM customers WHERE workspace_id = ? AND id IN (`+placeholders(len(part))+`)`,
				append([]any{ws}, int64Args(part)...)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id int64
				var into *int64
				if err := rows.Scan(&id, &into); err != nil {
					return err
				}
				if into == nil {
					next[id] = 0
				} else {
					next[id] = *into
					if _, seen := next[*into]; !seen {
						more = append(more, *into)
					}
				}
			}
			return rows.Err()
		})
		if err != nil {
			return nil, err
		}
		pending = more
	}
	for _, id := range ids {
		cur, ok := id, true
		for steps := 0; ok; steps++ {
			n, known := next[cur]
			if !known || steps > 64 {
				ok = false
				break
			}
			if n == 0 {
				break
			}
			cur = n
		}
		if ok {
			out[id] = cur
		}
	}
	return out, nil
}

func boolSetKeys(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
