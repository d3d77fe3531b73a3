package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/keyword"
)

// TagRule is a keyword auto-tag rule: a message or comment (of EventTypes)
// containing one of Keywords and none of Excludes, written within the last
// WindowDays, puts Tag on its author. Tags a rule put on (source
// "rule:<id>") are taken off again by RefreshTagRules once the person has
// no matching text in the window any more.
type TagRule struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Tag        string    `json:"tag"`
	Keywords   []string  `json:"keywords"`
	Excludes   []string  `json:"excludes,omitempty"`
	EventTypes []string  `json:"event_types"`
	WindowDays int       `json:"window_days"`
	Enabled    bool      `json:"enabled"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`

	tagID int64
}

// DefaultRuleEventTypes are the events whose "text" prop rules read when a
// rule names none: 1:1 messages and moment comments.
var DefaultRuleEventTypes = []string{siyu.EventMessage, siyu.EventMomentComment}

// consentEventTypes are the events whose text can opt the writer out.
var consentEventTypes = []string{siyu.EventMessage, siyu.EventMomentComment}

// Limits of a rule.
const (
	DefaultRuleWindowDays = 30
	MaxRuleWindowDays     = 3650
	MaxRuleKeywords       = 500
)

// Validate checks and tidies a rule; the error names the field.
func (r *TagRule) Validate() error {
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" || len([]rune(r.Name)) > 100 {
		return fmt.Errorf("%w: name: must be 1..100 characters", siyu.ErrInvalid)
	}
	tag, err := cleanTagName(r.Tag)
	if err != nil {
		return fmt.Errorf("%w: tag: must be 1..%d characters", siyu.ErrInvalid, MaxTagNameLen)
	}
	r.Tag = tag
	r.Keywords, r.Excludes = trimAll(r.Keywords), trimAll(r.Excludes)
	if len(r.Keywords) == 0 {
		return fmt.Errorf("%w: keywords: at least one keyword", siyu.ErrInvalid)
	}
	if len(r.Keywords)+len(r.Excludes) > MaxRuleKeywords {
		return fmt.Errorf("%w: keywords: at most %d keywords and excludes", siyu.ErrInvalid, MaxRuleKeywords)
	}
	if _, err := keyword.Compile([]keyword.Rule{{ID: r.Name, Keywords: r.Keywords, Excludes: r.Excludes}}); err != nil {
		return fmt.Errorf("%w: keywords: %v", siyu.ErrInvalid, strings.TrimPrefix(err.Error(), "keyword: "))
	}
	r.EventTypes = trimAll(r.EventTypes)
	if len(r.EventTypes) == 0 {
		r.EventTypes = slices.Clone(DefaultRuleEventTypes)
	}
	for _, t := range r.EventTypes {
		if strings.Contains(t, ",") {
			return fmt.Errorf("%w: event_types: %q", siyu.ErrInvalid, t)
		}
	}
	if r.WindowDays == 0 {
		r.WindowDays = DefaultRuleWindowDays
	}
	if r.WindowDays < 1 || r.WindowDays > MaxRuleWindowDays {
		return fmt.Errorf("%w: window_days: must be 1..%d", siyu.ErrInvalid, MaxRuleWindowDays)
	}
	return nil
}

func trimAll(in []string) []string {
	var out []string
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

const tagRuleColumns = `r.id, r.name, t.id, t.name, r.keywords, r.excludes, r.event_types, r.window_days, r.enabled, r.created_at, r.updated_at`

func scanTagRule(sc scanner) (TagRule, error) {
	var r TagRule
	var kws, exs, types string
	var enabled int
	var created, updated int64
	if err := sc.Scan(&r.ID, &r.Name, &r.tagID, &r.Tag, &kws, &exs, &types, &r.WindowDays, &enabled, &created, &updated); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(kws), &r.Keywords); err != nil {
		return r, fmt.Errorf("tag rule %d: keywords: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(exs), &r.Excludes); err != nil {
		return r, fmt.Errorf("tag rule %d: excludes: %w", r.ID, err)
	}
	r.EventTypes = strings.Split(types, ",")
	r.Enabled, r.CreatedAt, r.UpdatedAt = enabled != 0, fromMS(created), fromMS(updated)
	return r, nil
}

// TagRules lists a workspace's keyword rules by name.
func (s *Store) TagRules(ctx context.Context, workspaceID int64) ([]TagRule, error) {
	rows, err := s.query(ctx, `SELECT `+tagRuleColumns+` FROM tag_rules r JOIN tags t ON t.id = r.tag_id WHERE r.workspace_id = ? ORDER BY r.name`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []TagRule{}
	for rows.Next() {
		r, err := scanTagRule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// TagRule returns one rule.
func (s *Store) TagRule(ctx context.Context, workspaceID, id int64) (TagRule, error) {
	r, err := scanTagRule(s.queryRow(ctx, `SELECT `+tagRuleColumns+` FROM tag_rules r JOIN tags t ON t.id = r.tag_id WHERE r.workspace_id = ? AND r.id = ?`, workspaceID, id))
	return r, notFound(err)
}

// SaveTagRule creates a rule (ID 0) or replaces one; its tag is created
// when the workspace does not have it. The rule applies to text recorded
// from now on; RefreshTagRules applies it to the text already there.
func (s *Store) SaveTagRule(ctx context.Context, workspaceID int64, r TagRule) (TagRule, error) {
	if err := r.Validate(); err != nil {
		return r, err
	}
	kws, _ := json.Marshal(r.Keywords)
	exs, _ := json.Marshal(orEmptyStrings(r.Excludes))
	err := s.write(ctx, workspaceID, func(t *tx) error {
		tag, err := t.ensureTagInfo(ctx, workspaceID, r.Tag)
		if err != nil {
			return err
		}
		r.tagID = tag.ID
		r.UpdatedAt = t.now.Truncate(time.Millisecond)
		if r.ID == 0 {
			r.CreatedAt = r.UpdatedAt
			return t.queryRow(ctx, `INSERT INTO tag_rules (workspace_id, name, tag_id, keywords, excludes, event_types, window_days, enabled, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, workspaceID, r.Name, tag.ID, string(kws), string(exs), strings.Join(r.EventTypes, ","),
				r.WindowDays, boolInt(r.Enabled), ms(r.CreatedAt), ms(r.UpdatedAt)).Scan(&r.ID)
		}
		res, err := t.exec(ctx, `UPDATE tag_rules SET name = ?, tag_id = ?, keywords = ?, excludes = ?, event_types = ?, window_days = ?, enabled = ?, updated_at = ?
			WHERE id = ? AND workspace_id = ?`, r.Name, tag.ID, string(kws), string(exs), strings.Join(r.EventTypes, ","), r.WindowDays, boolInt(r.Enabled), ms(r.UpdatedAt), r.ID, workspaceID)
		return oneRow(res, err)
	})
	if isUnique(err) {
		return r, fmt.Errorf("%w: a rule named %q exists", siyu.ErrConflict, r.Name)
	}
	return r, err
}

// DeleteTagRule deletes a rule. The tags it put on stay, as the source
// "rule:<id>" that no rule refreshes any more.
func (s *Store) DeleteTagRule(ctx context.Context, workspaceID, id int64) error {
	res, err := s.exec(ctx, `DELETE FROM tag_rules WHERE id = ? AND workspace_id = ?`, id, workspaceID)
	return oneRow(res, err)
}

func orEmptyStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// InboundResult counts what reading inbound text did.
type InboundResult struct {
	Scanned     int   `json:"scanned"`   // events read
	Tagged      int   `json:"tagged"`    // tags newly put on customers
	Untagged    int   `json:"untagged"`  // rule tags taken off (refresh only)
	OptedOut    int   `json:"opted_out"` // customers newly opted out
	LastEventID int64 `json:"last_event_id"`
}

// textScanner is the compiled matching of a workspace: its enabled rules
// and its opt-out keywords, in one automaton.
type textScanner struct {
	rules   []TagRule
	tags    map[int64]TagInfo // by tag id
	matcher *keyword.Matcher
	optOut  int // index of the opt-out rule in the matcher, or -1
	types   []string
}

const optOutRuleID = "consent"

func (s *Store) textScanner(ctx context.Context, ws int64, withConsent bool) (*textScanner, error) {
	all, err := s.TagRules(ctx, ws)
	if err != nil {
		return nil, err
	}
	ts := &textScanner{tags: map[int64]TagInfo{}, optOut: -1}
	var krs []keyword.Rule
	types := map[string]bool{}
	for _, r := range all {
		if !r.Enabled {
			continue
		}
		ts.rules = append(ts.rules, r)
		krs = append(krs, keyword.Rule{ID: strconv.FormatInt(r.ID, 10), Keywords: r.Keywords, Excludes: r.Excludes})
		for _, t := range r.EventTypes {
			types[t] = true
		}
		tag, err := scanTagInfo(s.queryRow(ctx, `SELECT `+tagColumns+` FROM tags t WHERE t.id = ?`, r.tagID))
		if err != nil {
			return nil, err
		}
		ts.tags[tag.ID] = tag
	}
	if withConsent {
		cs, err := s.ConsentSettings(ctx, ws)
		if err != nil {
			return nil, err
		}
		if len(cs.Keywords) > 0 {
			ts.optOut = len(krs)
			krs = append(krs, keyword.Rule{ID: optOutRuleID, Keywords: cs.Keywords, Excludes: cs.Excludes})
			for _, t := range consentEventTypes {
				types[t] = true
			}
		}
	}
	if len(krs) == 0 {
		return ts, nil
	}
	if ts.matcher, err = keyword.Compile(krs); err != nil {
		return nil, fmt.Errorf("%w: %v", siyu.ErrInvalid, err)
	}
	for t := range types {
		ts.types = append(ts.types, t)
	}
	slices.Sort(ts.types)
	return ts, nil
}

// inboundText is one message or comment.
type inboundText struct {
	eventID  int64
	customer int64
	typ      string
	at       time.Time
	text     string
}

// readTexts reads up to limit events of the types after an event id, in
// id order, with their "text" prop.
func (s *Store) readTexts(ctx context.Context, ws, afterID int64, types []string, since time.Time, limit int) ([]inboundText, error) {
	q := `SELECT id, customer_id, type, occurred_at, props FROM events WHERE workspace_id = ? AND id > ? AND type IN (` + placeholders(len(types)) + `)`
	args := append([]any{ws, afterID}, stringArgs(types)...)
	if !since.IsZero() {
		q += ` AND occurred_at >= ?`
		args = append(args, ms(since))
	}
	rows, err := s.query(ctx, q+` ORDER BY id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []inboundText
	for rows.Next() {
		var e inboundText
		var at int64
		var props string
		if err := rows.Scan(&e.eventID, &e.customer, &e.typ, &at, &props); err != nil {
			return nil, err
		}
		e.at = fromMS(at)
		if props != "" {
			var p struct {
				Text any `json:"text"`
			}
			if json.Unmarshal([]byte(props), &p) == nil {
				if s, ok := p.Text.(string); ok {
					e.text = s
				}
			}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func stringArgs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// inboundBatch is how many events one round of ProcessInbound reads.
const inboundBatch = 2000

// ProcessInbound reads the messages and comments recorded since the last
// call and applies the workspace's keyword rules (tagging the writers whose
// text is within the rule's window) and opt-out keywords (opting them
// out). It keeps its place per workspace, so calling it after every batch
// of events and from a periodic worker is cheap, and a crash only means
// the same events are read again (tagging and opting out are idempotent).
// Events must be recorded through the store (ids grow per workspace).
func (s *Store) ProcessInbound(ctx context.Context, workspaceID int64) (InboundResult, error) {
	var res InboundResult
	ts, err := s.textScanner(ctx, workspaceID, true)
	if err != nil {
		return res, err
	}
	cursor, err := s.inboundCursor(ctx, workspaceID)
	if err != nil {
		return res, err
	}
	res.LastEventID = cursor
	if ts.matcher == nil {
		// Nothing to look for: move the cursor to the end, so that rules
		// made later do not start with the whole history (the refresh
		// does that, on purpose).
		var last sql.NullInt64
		if err := s.queryRow(ctx, `SELECT MAX(id) FROM events WHERE workspace_id = ?`, workspaceID).Scan(&last); err != nil {
			return res, err
		}
		if last.Valid && last.Int64 > cursor {
			res.LastEventID = last.Int64
			return res, s.write(ctx, workspaceID, func(t *tx) error { return t.setInboundCursor(ctx, workspaceID, last.Int64) })
		}
		return res, nil
	}
	for {
		texts, err := s.readTexts(ctx, workspaceID, cursor, ts.types, time.Time{}, inboundBatch)
		if err != nil {
			return res, err
		}
		if len(texts) == 0 {
			return res, nil
		}
		last := texts[len(texts)-1].eventID
		err = s.write(ctx, workspaceID, func(t *tx) error {
			if err := ts.apply(ctx, t, workspaceID, texts, &res); err != nil {
				return err
			}
			return t.setInboundCursor(ctx, workspaceID, last)
		})
		if err != nil {
			return res, err
		}
		res.Scanned += len(texts)
		cursor, res.LastEventID = last, last
		if len(texts) < inboundBatch {
			return res, nil
		}
	}
}

// apply matches texts and writes the tags and opt-outs they call for.
func (ts *textScanner) apply(ctx context.Context, t *tx, ws int64, texts []inboundText, res *InboundResult) error {
	roots := map[int64]int64{}
	for _, e := range texts {
		if e.text == "" {
			continue
		}
		matched := ts.matcher.Match(e.text)
		if len(matched) == 0 {
			continue
		}
		root, ok := roots[e.customer]
		if !ok {
			r, err := t.root(ctx, e.customer)
			if err != nil {
				return err
			}
			root, roots[e.customer] = r, r
		}
		for _, i := range matched {
			if i == ts.optOut {
				if !slices.Contains(consentEventTypes, e.typ) {
					continue
				}
				note := clip(e.text, 200)
				added, err := t.optOut(ctx, ws, root, ConsentSourceKeyword, note, t.now)
				if err != nil {
					return err
				}
				if added {
					res.OptedOut++
				}
				continue
			}
			r := ts.rules[i]
			if !slices.Contains(r.EventTypes, e.typ) || e.at.Before(t.now.AddDate(0, 0, -r.WindowDays)) {
				continue
			}
			added, err := t.tagCustomer(ctx, ws, root, ts.tags[r.tagID], RuleTagSource(r.ID))
			if err != nil {
				return err
			}
			if added {
				res.Tagged++
			}
		}
	}
	return nil
}

func (s *Store) inboundCursor(ctx context.Context, ws int64) (int64, error) {
	var id int64
	err := s.queryRow(ctx, `SELECT last_event_id FROM inbound_scan WHERE workspace_id = ?`, ws).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// setInboundCursor moves the cursor forward (never back: two processors
// running at once leave it at the furthest).
func (t *tx) setInboundCursor(ctx context.Context, ws, id int64) error {
	_, err := t.exec(ctx, `INSERT INTO inbound_scan (workspace_id, last_event_id, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (workspace_id) DO UPDATE SET updated_at = excluded.updated_at,
		last_event_id = CASE WHEN excluded.last_event_id > inbound_scan.last_event_id THEN excluded.last_event_id ELSE inbound_scan.last_event_id END`,
		ws, id, ms(t.now))
	return err
}

// RefreshTagRules applies the workspace's enabled keyword rules (or only
// rule ruleID, when not 0) to all the text within their windows: the
// backfill after a rule is made or changed, and the expiry of rule tags
// whose reason has left the window. A customer the rule tagged who no
// longer matches loses the tag; tags from other sources are left alone.
// Opt-outs are not part of it: ProcessInbound reads every message once.
func (s *Store) RefreshTagRules(ctx context.Context, workspaceID, ruleID int64) (InboundResult, error) {
	var res InboundResult
	ts, err := s.textScanner(ctx, workspaceID, false)
	if err != nil {
		return res, err
	}
	if ruleID != 0 {
		keep := slices.IndexFunc(ts.rules, func(r TagRule) bool { return r.ID == ruleID })
		if keep < 0 {
			if _, err := s.TagRule(ctx, workspaceID, ruleID); err != nil {
				return res, err
			}
			return res, nil // disabled: nothing to refresh
		}
	}
	if ts.matcher == nil {
		return res, nil
	}
	now := s.now().UTC()
	widest := 0
	for _, r := range ts.rules {
		widest = max(widest, r.WindowDays)
	}
	// Who matches each rule now, reading the widest window once.
	matches := make([]map[int64]bool, len(ts.rules))
	for i := range matches {
		matches[i] = map[int64]bool{}
	}
	var cursor int64
	for {
		texts, err := s.readTexts(ctx, workspaceID, cursor, ts.types, now.AddDate(0, 0, -widest), inboundBatch*5)
		if err != nil {
			return res, err
		}
		for _, e := range texts {
			for _, i := range ts.matcher.Match(e.text) {
				r := ts.rules[i]
				if (ruleID == 0 || r.ID == ruleID) && slices.Contains(r.EventTypes, e.typ) && !e.at.Before(now.AddDate(0, 0, -r.WindowDays)) {
					matches[i][e.customer] = true
				}
			}
		}
		res.Scanned += len(texts)
		if len(texts) < inboundBatch*5 {
			break
		}
		cursor = texts[len(texts)-1].eventID
	}
	for i, r := range ts.rules {
		if ruleID != 0 && r.ID != ruleID {
			continue
		}
		tagged, untagged, err := s.refreshRule(ctx, workspaceID, r, ts.tags[r.tagID], matches[i])
		if err != nil {
			return res, fmt.Errorf("rule %q: %w", r.Name, err)
		}
		res.Tagged += tagged
		res.Untagged += untagged
	}
	return res, nil
}

// refreshRule makes the rule's tags match the customers who match it.
func (s *Store) refreshRule(ctx context.Context, ws int64, r TagRule, tag TagInfo, want map[int64]bool) (int, int, error) {
	source := RuleTagSource(r.ID)
	have := map[int64]bool{}
	rows, err := s.query(ctx, `SELECT customer_id FROM customer_tags WHERE tag_id = ? AND source = ?`, tag.ID, source)
	if err != nil {
		return 0, 0, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, 0, err
		}
		have[id] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	tagged, untagged := 0, 0
	add := boolSetKeys(want)
	slices.Sort(add)
	err = chunks(add, 1000, func(part []int64) error {
		return s.write(ctx, ws, func(t *tx) error {
			for _, c := range part {
				root, err := t.root(ctx, c)
				if err != nil {
					return err
				}
				if have[root] {
					continue
				}
				want[root] = true
				added, err := t.tagCustomer(ctx, ws, root, tag, source)
				if err != nil {
					return err
				}
				if added {
					tagged++
				}
			}
			return nil
		})
	})
	if err != nil {
		return tagged, untagged, err
	}
	var drop []int64
	for c := range have {
		if !want[c] {
			drop = append(drop, c)
		}
	}
	slices.Sort(drop)
	err = chunks(drop, 1000, func(part []int64) error {
		return s.write(ctx, ws, func(t *tx) error {
			for _, c := range part {
				// Only the rule's own row: a tag an operator confirmed by hand
				// (source manual) is not the rule's to take off.
				var n int
				if err := t.queryRow(ctx, `SELECT COUNT(*) FROM customer_tags WHERE customer_id = ? AND tag_id = ? AND source = ?`, c, tag.ID, source).Scan(&n); err != nil {
					return err
				}
				if n == 0 {
					continue
				}
				removed, err := t.untagCustomer(ctx, ws, c, tag)
				if err != nil {
					return err
				}
				if removed {
					untagged++
				}
			}
			return nil
		})
	})
	return tagged, untagged, err
}
