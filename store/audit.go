package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"siyu.dev/siyu"
)

// AuditEntry is one operator action: who did what, to what, and as which
// persona. UserID is the real person even when they act as a shared account
// (the founder's account run by several operators); Actor is their display
// name at the time, kept so that the log reads well after the user is gone.
type AuditEntry struct {
	ID      int64     `json:"id"`
	UserID  int64     `json:"user_id,omitempty"`
	Actor   string    `json:"actor"`
	Persona string    `json:"persona,omitempty"`
	Action  string    `json:"action"`
	Target  string    `json:"target,omitempty"`
	Detail  string    `json:"detail,omitempty"`
	At      time.Time `json:"at"`
}

// AuditFilter selects audit entries; zero fields match everything.
type AuditFilter struct {
	UserID int64
	// Action matches exactly, or as a prefix when it ends in "." (e.g. "task.").
	Action  string
	Target  string
	Persona string
	Since   time.Time
	Until   time.Time
	// BeforeID pages backwards: only entries with a smaller id.
	BeforeID int64
	// Limit defaults to 100 and is at most 1000.
	Limit int
}

// Audit records an operator action. Phone numbers and secrets in any field
// are masked before the row is written, so the log can be shown to every
// admin and kept after a person's data is erased.
func (s *Store) Audit(ctx context.Context, workspaceID int64, e AuditEntry) error {
	// Workspace 0: an audit row needs no part in the workspace's write lock.
	return s.write(ctx, 0, func(t *tx) error { return t.audit(ctx, workspaceID, e) })
}

// audit writes an audit row inside a transaction, so that an action and its
// record commit together.
func (t *tx) audit(ctx context.Context, workspaceID int64, e AuditEntry) error {
	e.Action = strings.TrimSpace(e.Action)
	if e.Action == "" {
		return fmt.Errorf("%w: audit entry needs an action", siyu.ErrInvalid)
	}
	if e.At.IsZero() {
		e.At = t.now
	}
	e.Actor = clip(RedactAudit(strings.TrimSpace(e.Actor)), 200)
	if e.Actor == "" {
		e.Actor = "system"
	}
	e.Persona = clip(RedactAudit(e.Persona), 200)
	e.Action = clip(RedactAudit(e.Action), 100)
	e.Target = clip(RedactAudit(e.Target), 500)
	e.Detail = clip(RedactAudit(e.Detail), 2000)
	_, err := t.exec(ctx, `INSERT INTO audit_log (workspace_id, user_id, actor, persona, action, target, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		workspaceID, nullID(e.UserID), e.Actor, e.Persona, e.Action, e.Target, e.Detail, ms(e.At))
	return err
}

// AuditLog lists a workspace's audit entries, newest first.
func (s *Store) AuditLog(ctx context.Context, workspaceID int64, f AuditFilter) ([]AuditEntry, error) {
	q := `SELECT id, COALESCE(user_id, 0), actor, persona, action, target, detail, at FROM audit_log WHERE workspace_id = ?`
	args := []any{workspaceID}
	if f.UserID != 0 {
		q += ` AND user_id = ?`
		args = append(args, f.UserID)
	}
	if a := strings.TrimSpace(f.Action); a != "" {
		if strings.HasSuffix(a, ".") {
			// A range instead of LIKE: action names have no wildcards to escape
			// and the comparison is the same on both databases.
			q += ` AND action >= ? AND action < ?`
			args = append(args, a, a[:len(a)-1]+"/")
		} else {
			q += ` AND action = ?`
			args = append(args, a)
		}
	}
	if f.Target != "" {
		q += ` AND target = ?`
		args = append(args, f.Target)
	}
	if f.Persona != "" {
		q += ` AND persona = ?`
		args = append(args, f.Persona)
	}
	if !f.Since.IsZero() {
		q += ` AND at >= ?`
		args = append(args, ms(f.Since))
	}
	if !f.Until.IsZero() {
		q += ` AND at < ?`
		args = append(args, ms(f.Until))
	}
	if f.BeforeID > 0 {
		q += ` AND id < ?`
		args = append(args, f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	if limit > 1000 {
		limit = 1000
	}
	q += fmt.Sprintf(` ORDER BY at DESC, id DESC LIMIT %d`, limit)
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &e.UserID, &e.Actor, &e.Persona, &e.Action, &e.Target, &e.Detail, &at); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

var (
	// A mainland mobile in the spellings people type: optional +86/0086,
	// spaces or dashes between digit groups. Digit boundaries keep order
	// numbers and ids that merely contain 11 digits from being cut up.
	auditPhone = regexp.MustCompile(`(?:^|[^0-9])((?:\+?(?:00)?86[ \-]?)?1[3-9][0-9](?:[ \-]?[0-9]){8})(?:$|[^0-9])`)
	// key=value or key: value where the key names a secret.
	auditSecretKV = regexp.MustCompile(`(?i)\b(password|passwd|pwd|secret|token|api[_\-]?key|aes[_\-]?key|encoding[_\-]?aes[_\-]?key|csrf|session)("?\s*[:=]\s*"?)([^\s",;&]+)`)
	// Our own API tokens and bearer credentials, wherever they appear.
	auditToken  = regexp.MustCompile(`\bsiyu_[A-Za-z0-9_\-]{20,}`)
	auditBearer = regexp.MustCompile(`(?i)\b(bearer)\s+[A-Za-z0-9._~+/\-]{8,}=*`)
)

// RedactAudit masks phone numbers (138****8000) and secrets ([redacted]) in
// free text bound for the audit log.
func RedactAudit(s string) string {
	if s == "" {
		return s
	}
	s = fullWidthDigits(s)
	s = auditToken.ReplaceAllString(s, "[redacted]")
	s = auditBearer.ReplaceAllString(s, "$1 [redacted]")
	s = auditSecretKV.ReplaceAllString(s, "$1$2[redacted]")
	// Matches overlap on their boundary characters (two phones separated by
	// one character), so replace one at a time; each masked number has no
	// 11-digit run left, so this ends.
	for {
		loc := auditPhone.FindStringSubmatchIndex(s)
		if loc == nil {
			break
		}
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, s[loc[2]:loc[3]])
		digits = digits[len(digits)-11:]
		s = s[:loc[2]] + siyu.MaskPhone(digits) + s[loc[3]:]
	}
	return s
}

func fullWidthDigits(s string) string {
	if !strings.ContainsAny(s, "０１２３４５６７８９") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + (r - '０')
		}
		return r
	}, s)
}

// clip cuts s to at most n runes.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
