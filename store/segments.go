package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"siyu.dev/siyu"
	"siyu.dev/siyu/segment"
)

// Segment is a saved rule whose members the store keeps (segment_members),
// refreshed by RefreshSegment.
type Segment struct {
	ID          int64      `json:"id"`
	WorkspaceID int64      `json:"workspace_id"`
	Name        string     `json:"name"`
	Rule        string     `json:"rule"`
	Tag         string     `json:"tag,omitempty"` // put on members while they are in
	Members     int        `json:"members"`       // as of the last refresh
	RefreshedAt *time.Time `json:"refreshed_at,omitempty"`
	RefreshMS   int64      `json:"refresh_ms"` // how long the last refresh took
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// LockSegment is the TryLock class of a segment's refresh.
const LockSegment int32 = 0x5347 // "SG"

// Limits of a saved segment.
const (
	maxSegmentName = 100
	maxTagName     = 100
)

// checkSegment validates a segment and parses its rule. A rule error is an
// ErrInvalid wrapping the *segment.Error with its line and column.
func checkSegment(g *Segment) (*segment.Rule, error) {
	g.Name = strings.TrimSpace(g.Name)
	g.Tag = strings.TrimSpace(g.Tag)
	switch {
	case g.Name == "":
		return nil, siyu.RowError{Field: "name", Msg: "a segment needs a name"}
	case utf8.RuneCountInString(g.Name) > maxSegmentName:
		return nil, siyu.RowError{Field: "name", Msg: fmt.Sprintf("the name is longer than %d characters", maxSegmentName)}
	case utf8.RuneCountInString(g.Tag) > maxTagName:
		return nil, siyu.RowError{Field: "tag", Msg: fmt.Sprintf("the tag is longer than %d characters", maxTagName)}
	}
	r, err := segment.Parse(g.Rule)
	if err != nil {
		return nil, fmt.Errorf("%w: rule %w", siyu.ErrInvalid, err)
	}
	return r, nil
}

const segmentCols = `id, workspace_id, name, rule, tag, members, refreshed_at, refresh_ms, created_at, updated_at`

func scanSegment(r scanner) (Segment, error) {
	var g Segment
	var refreshed sql.NullInt64
	var created, updated int64
	if err := r.Scan(&g.ID, &g.WorkspaceID, &g.Name, &g.Rule, &g.Tag, &g.Members, &refreshed, &g.RefreshMS, &created, &updated); err != nil {
		return g, notFound(err)
	}
	g.RefreshedAt = fromNullMS(refreshed)
	g.CreatedAt, g.UpdatedAt = fromMS(created), fromMS(updated)
	return g, nil
}

// CreateSegment saves a new segment. It has no members until refreshed.
func (s *Store) CreateSegment(ctx context.Context, workspaceID int64, g Segment) (Segment, error) {
	if _, err := checkSegment(&g); err != nil {
		return g, err
	}
	err := s.write(ctx, workspaceID, func(t *tx) error {
		ids, err := t.newIDs(ctx, "segments", 1)
		if err != nil {
			return err
		}
		_, err = t.exec(ctx, `INSERT INTO segments (id, workspace_id, name, rule, tag, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			ids[0], workspaceID, g.Name, g.Rule, g.Tag, ms(t.now), ms(t.now))
		if isUnique(err) {
			return fmt.Errorf("%w: a segment named %q", siyu.ErrConflict, g.Name)
		}
		g.ID = ids[0]
		return err
	})
	if err != nil {
		return g, err
	}
	return s.Segment(ctx, workspaceID, g.ID)
}

// UpdateSegment changes a segment's name, rule and tag. Members stay until
// the next refresh applies the new rule; a changed tag moves at once: the
// old one comes off the members the segment tagged, the new one goes on.
func (s *Store) UpdateSegment(ctx context.Context, workspaceID int64, g Segment) (Segment, error) {
	if _, err := checkSegment(&g); err != nil {
		return g, err
	}
	err := s.write(ctx, workspaceID, func(t *tx) error {
		var oldTag string
		if err := t.queryRow(ctx, `SELECT tag FROM segments WHERE id = ? AND workspace_id = ?`, g.ID, workspaceID).Scan(&oldTag); err != nil {
			return notFound(err)
		}
		_, err := t.exec(ctx, `UPDATE segments SET name = ?, rule = ?, tag = ?, updated_at = ? WHERE id = ? AND workspace_id = ?`,
			g.Name, g.Rule, g.Tag, ms(t.now), g.ID, workspaceID)
		if isUnique(err) {
			return fmt.Errorf("%w: a segment named %q", siyu.ErrConflict, g.Name)
		}
		if err != nil || oldTag == g.Tag {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM customer_tags WHERE source = ?`, segmentSource(g.ID)); err != nil {
			return err
		}
		if g.Tag == "" {
			return nil
		}
		tagID, err := t.segmentTagID(ctx, workspaceID, g.Tag)
		if err != nil {
			return err
		}
		_, err = t.exec(ctx, `INSERT INTO customer_tags (customer_id, tag_id, source, created_at)
			SELECT customer_id, ?, ?, ? FROM segment_members WHERE segment_id = ?
			ON CONFLICT (customer_id, tag_id) DO NOTHING`, tagID, segmentSource(g.ID), ms(t.now), g.ID)
		return err
	})
	if err != nil {
		return g, err
	}
	return s.Segment(ctx, workspaceID, g.ID)
}

// DeleteSegment deletes a segment, its membership and the tags it put on.
// No exit events are recorded: the segment is gone rather than left.
func (s *Store) DeleteSegment(ctx context.Context, workspaceID, id int64) error {
	return s.write(ctx, workspaceID, func(t *tx) error {
		var n int
		if err := t.queryRow(ctx, `SELECT COUNT(*) FROM segments WHERE id = ? AND workspace_id = ?`, id, workspaceID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return siyu.ErrNotFound
		}
		for _, q := range []string{
			`DELETE FROM customer_tags WHERE source = ?`,
			`DELETE FROM segment_members WHERE segment_id = ?`,
			`DELETE FROM segments WHERE id = ?`,
		} {
			arg := any(id)
			if strings.Contains(q, "source") {
				arg = segmentSource(id)
			}
			if _, err := t.exec(ctx, q, arg); err != nil {
				return err
			}
		}
		return nil
	})
}

// Segment returns one segment.
func (s *Store) Segment(ctx context.Context, workspaceID, id int64) (Segment, error) {
	return scanSegment(s.queryRow(ctx, `SELECT `+segmentCols+` FROM segments WHERE id = ? AND workspace_id = ?`, id, workspaceID))
}

// Segments lists the workspace's segments by name.
func (s *Store) Segments(ctx context.Context, workspaceID int64) ([]Segment, error) {
	return s.segments(ctx, `SELECT `+segmentCols+` FROM segments WHERE workspace_id = ? ORDER BY name, id`, workspaceID)
}

// SegmentRefs lists every segment of every workspace, for the worker that
// keeps them fresh.
func (s *Store) SegmentRefs(ctx context.Context) ([]segment.Ref, error) {
	rows, err := s.query(ctx, `SELECT workspace_id, id FROM segments ORDER BY workspace_id, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []segment.Ref
	for rows.Next() {
		var r segment.Ref
		if err := rows.Scan(&r.WorkspaceID, &r.ID); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *Store) segments(ctx context.Context, q string, args ...any) ([]Segment, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Segment{}
	for rows.Next() {
		g, err := scanSegment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

func segmentSource(id int64) string { return fmt.Sprintf("segment:%d", id) }

// ensureTag returns the id of the workspace's tag of that name, creating it.
func (t *tx) segmentTagID(ctx context.Context, ws int64, name string) (int64, error) {
	if _, err := t.exec(ctx, `INSERT INTO tags (workspace_id, name) VALUES (?, ?) ON CONFLICT (workspace_id, name) DO NOTHING`, ws, name); err != nil {
		return 0, err
	}
	var id int64
	err := t.queryRow(ctx, `SELECT id FROM tags WHERE workspace_id = ? AND name = ?`, ws, name).Scan(&id)
	return id, err
}

func (s *Store) dialectName() segment.Dialect { return segment.Dialect(s.dialect) }

// CountRule counts the workspace's live customers who match rule at at.
func (s *Store) CountRule(ctx context.Context, workspaceID int64, rule *segment.Rule, at time.Time) (int, error) {
	q := rule.Count(s.dialectName(), workspaceID, at)
	var n int
	err := s.queryRow(ctx, q.SQL, q.Args...).Scan(&n)
	return n, err
}

// SampleRule returns up to n of the customers who match rule, newest first:
// what a preview shows next to the count.
func (s *Store) SampleRule(ctx context.Context, workspaceID int64, rule *segment.Rule, at time.Time, n int) ([]siyu.Customer, error) {
	q := rule.Select(s.dialectName(), workspaceID, at)
	ids, err := s.collectIDs(ctx, q.SQL+` DESC LIMIT ?`, append(q.Args, n)...)
	if err != nil {
		return nil, err
	}
	return s.customersByID(ctx, workspaceID, ids)
}

// StreamRule calls fn with the id of every live customer who matches rule
// at at, in id order, without holding them in memory: an ad-hoc audience.
func (s *Store) StreamRule(ctx context.Context, workspaceID int64, rule *segment.Rule, at time.Time, fn func(customerID int64) error) error {
	q := rule.Select(s.dialectName(), workspaceID, at)
	return s.streamIDs(ctx, q.SQL, q.Args, fn)
}

// SegmentMembers calls fn with the id of every member of a saved segment,
// as of its last refresh, in id order: a campaign's audience.
func (s *Store) SegmentMembers(ctx context.Context, workspaceID, segmentID int64, fn func(customerID int64) error) error {
	if _, err := s.Segment(ctx, workspaceID, segmentID); err != nil {
		return err
	}
	return s.streamIDs(ctx, `SELECT customer_id FROM segment_members WHERE segment_id = ? ORDER BY customer_id`, []any{segmentID}, fn)
}

// SegmentMember is a member with the customer's profile.
type SegmentMember struct {
	Customer  siyu.Customer `json:"customer"`
	EnteredAt time.Time     `json:"entered_at"`
}

// SegmentMemberPage returns a page of a segment's members, latest entries
// first, and how many there are.
func (s *Store) SegmentMemberPage(ctx context.Context, workspaceID, segmentID int64, limit, offset int) ([]SegmentMember, int, error) {
	g, err := s.Segment(ctx, workspaceID, segmentID)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM segment_members WHERE segment_id = ?`, g.ID).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.query(ctx, `SELECT customer_id, entered_at FROM segment_members WHERE segment_id = ?
		ORDER BY entered_at DESC, customer_id DESC LIMIT ? OFFSET ?`, g.ID, limit, max(offset, 0))
	if err != nil {
		return nil, 0, err
	}
	var ids []int64
	entered := map[int64]time.Time{}
	for rows.Next() {
		var id, at int64
		if err := rows.Scan(&id, &at); err != nil {
			rows.Close()
			return nil, 0, err
		}
		ids = append(ids, id)
		entered[id] = fromMS(at)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	cs, err := s.customersByID(ctx, workspaceID, ids)
	if err != nil {
		return nil, 0, err
	}
	out := make([]SegmentMember, 0, len(cs))
	for _, c := range cs {
		out = append(out, SegmentMember{Customer: c, EnteredAt: entered[c.ID]})
	}
	return out, total, nil
}

// customersByID loads customers of the workspace in the order of ids.
func (s *Store) customersByID(ctx context.Context, workspaceID int64, ids []int64) ([]siyu.Customer, error) {
	out := make([]siyu.Customer, 0, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.query(ctx, `SELECT `+customerCols+` FROM customers WHERE workspace_id = ? AND id IN (`+placeholders(len(ids))+`)`,
		append([]any{workspaceID}, int64Args(ids)...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byID := map[int64]siyu.Customer{}
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			return nil, err
		}
		byID[c.ID] = c
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if c, ok := byID[id]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

func (s *Store) collectIDs(ctx context.Context, q string, args ...any) ([]int64, error) {
	var ids []int64
	err := s.streamIDs(ctx, q, args, func(id int64) error {
		ids = append(ids, id)
		return nil
	})
	return ids, err
}

func (s *Store) streamIDs(ctx context.Context, q string, args []any, fn func(int64) error) error {
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
		if err := fn(id); err != nil {
			return err
		}
	}
	return rows.Err()
}

// errRefreshRunning is returned when another refresh of the segment holds
// its lock.
var errRefreshRunning = errors.New("a refresh of this segment is running")
