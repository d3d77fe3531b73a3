package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"siyu.dev/siyu"
)

// CreateUser adds a console user. passwordHash comes from auth.HashPassword.
func (s *Store) CreateUser(ctx context.Context, login, name, passwordHash string) (siyu.User, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	if login == "" || len(login) > 128 {
		return siyu.User{}, fmt.Errorf("%w: login must be 1..128 characters", siyu.ErrInvalid)
	}
	if passwordHash == "" {
		return siyu.User{}, fmt.Errorf("%w: empty password hash", siyu.ErrInvalid)
	}
	u := siyu.User{Login: login, Name: strings.TrimSpace(name), PasswordHash: passwordHash, CreatedAt: s.now().UTC().Truncate(time.Millisecond)}
	if u.Name == "" {
		u.Name = login
	}
	err := s.write(ctx, 0, func(t *tx) error {
		return t.queryRow(ctx, `INSERT INTO users (login, name, password_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			u.Login, u.Name, u.PasswordHash, ms(u.CreatedAt)).Scan(&u.ID)
	})
	if isUnique(err) {
		return u, fmt.Errorf("user %q: %w", login, siyu.ErrConflict)
	}
	return u, err
}

// SetPassword replaces a user's password hash.
func (s *Store) SetPassword(ctx context.Context, userID int64, passwordHash string) error {
	res, err := s.exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, passwordHash, userID)
	return oneRow(res, err)
}

// User returns a user by id.
func (s *Store) User(ctx context.Context, id int64) (siyu.User, error) {
	return scanUser(s.queryRow(ctx, `SELECT id, login, name, password_hash, created_at FROM users WHERE id = ?`, id))
}

// UserByLogin returns a user by login name (case-insensitive).
func (s *Store) UserByLogin(ctx context.Context, login string) (siyu.User, error) {
	return scanUser(s.queryRow(ctx, `SELECT id, login, name, password_hash, created_at FROM users WHERE login = ?`, strings.ToLower(strings.TrimSpace(login))))
}

func scanUser(r scanner) (siyu.User, error) {
	var u siyu.User
	var created int64
	if err := r.Scan(&u.ID, &u.Login, &u.Name, &u.PasswordHash, &created); err != nil {
		return u, notFound(err)
	}
	u.CreatedAt = fromMS(created)
	return u, nil
}

// SetMembership gives a user a role in a workspace (replacing any earlier one).
func (s *Store) SetMembership(ctx context.Context, workspaceID, userID int64, role siyu.Role) error {
	if !role.Valid() {
		return fmt.Errorf("%w: role %q", siyu.ErrInvalid, role)
	}
	return s.write(ctx, 0, func(t *tx) error {
		_, err := t.exec(ctx, `INSERT INTO memberships (workspace_id, user_id, role) VALUES (?, ?, ?)
			ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role`, workspaceID, userID, string(role))
		return err
	})
}

// Memberships lists the workspaces a user belongs to.
func (s *Store) Memberships(ctx context.Context, userID int64) ([]siyu.Membership, error) {
	rows, err := s.query(ctx, `SELECT w.id, w.slug, w.name, w.created_at, m.role FROM memberships m
		JOIN workspaces w ON w.id = m.workspace_id WHERE m.user_id = ? ORDER BY w.id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []siyu.Membership
	for rows.Next() {
		var m siyu.Membership
		var created int64
		if err := rows.Scan(&m.Workspace.ID, &m.Workspace.Slug, &m.Workspace.Name, &created, &m.Role); err != nil {
			return nil, err
		}
		m.Workspace.CreatedAt = fromMS(created)
		out = append(out, m)
	}
	return out, rows.Err()
}

// Role returns a user's role in a workspace, ErrNotFound if not a member.
func (s *Store) Role(ctx context.Context, workspaceID, userID int64) (siyu.Role, error) {
	var r string
	err := s.queryRow(ctx, `SELECT role FROM memberships WHERE workspace_id = ? AND user_id = ?`, workspaceID, userID).Scan(&r)
	return siyu.Role(r), notFound(err)
}

// CreateSession stores a console session.
func (s *Store) CreateSession(ctx context.Context, se siyu.Session) error {
	if se.CreatedAt.IsZero() {
		se.CreatedAt = s.now()
	}
	return s.write(ctx, 0, func(t *tx) error {
		_, err := t.exec(ctx, `INSERT INTO sessions (id_hash, user_id, workspace_id, csrf, lang, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			se.IDHash, se.UserID, se.WorkspaceID, se.CSRF, se.Lang, ms(se.CreatedAt), ms(se.ExpiresAt))
		return err
	})
}

// SessionByHash returns a live session; expired ones are not found.
func (s *Store) SessionByHash(ctx context.Context, idHash string) (siyu.Session, error) {
	var se siyu.Session
	var created, expires int64
	err := s.queryRow(ctx, `SELECT id_hash, user_id, workspace_id, csrf, lang, created_at, expires_at FROM sessions WHERE id_hash = ? AND expires_at > ?`,
		idHash, ms(s.now())).Scan(&se.IDHash, &se.UserID, &se.WorkspaceID, &se.CSRF, &se.Lang, &created, &expires)
	if err != nil {
		return se, notFound(err)
	}
	se.CreatedAt, se.ExpiresAt = fromMS(created), fromMS(expires)
	return se, nil
}

// UpdateSession saves a session's workspace, language and expiry.
func (s *Store) UpdateSession(ctx context.Context, se siyu.Session) error {
	res, err := s.exec(ctx, `UPDATE sessions SET workspace_id = ?, lang = ?, csrf = ?, expires_at = ? WHERE id_hash = ?`,
		se.WorkspaceID, se.Lang, se.CSRF, ms(se.ExpiresAt), se.IDHash)
	return oneRow(res, err)
}

// DeleteSession logs a session out. Expired sessions are swept at the same time.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	_, err := s.exec(ctx, `DELETE FROM sessions WHERE id_hash = ? OR expires_at < ?`, idHash, ms(s.now()))
	return err
}

// CreateAPIToken stores a new API token's hash.
func (s *Store) CreateAPIToken(ctx context.Context, workspaceID int64, name string, role siyu.Role, hash, prefix string) (siyu.APIToken, error) {
	if !role.Valid() {
		return siyu.APIToken{}, fmt.Errorf("%w: role %q", siyu.ErrInvalid, role)
	}
	tok := siyu.APIToken{WorkspaceID: workspaceID, Name: strings.TrimSpace(name), Prefix: prefix, Role: role, CreatedAt: s.now().UTC().Truncate(time.Millisecond)}
	err := s.write(ctx, 0, func(t *tx) error {
		return t.queryRow(ctx, `INSERT INTO api_tokens (workspace_id, name, prefix, hash, role, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			workspaceID, tok.Name, prefix, hash, string(role), ms(tok.CreatedAt)).Scan(&tok.ID)
	})
	return tok, err
}

// APITokenByHash finds a live token by the hash of its secret and notes its use.
func (s *Store) APITokenByHash(ctx context.Context, hash string) (siyu.APIToken, error) {
	tok, err := scanToken(s.queryRow(ctx, `SELECT id, workspace_id, name, prefix, role, created_at, last_used_at FROM api_tokens WHERE hash = ? AND revoked_at IS NULL`, hash))
	if err != nil {
		return tok, err
	}
	now := s.now()
	// Noting every use would make each API call a write; a minute's precision is enough.
	if tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) > time.Minute {
		s.exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, ms(now), tok.ID)
	}
	return tok, nil
}

// ListAPITokens lists a workspace's live tokens.
func (s *Store) ListAPITokens(ctx context.Context, workspaceID int64) ([]siyu.APIToken, error) {
	rows, err := s.query(ctx, `SELECT id, workspace_id, name, prefix, role, created_at, last_used_at FROM api_tokens WHERE workspace_id = ? AND revoked_at IS NULL ORDER BY id`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []siyu.APIToken
	for rows.Next() {
		tok, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, tok)
	}
	return out, rows.Err()
}

// RevokeAPIToken revokes a token of the workspace.
func (s *Store) RevokeAPIToken(ctx context.Context, workspaceID, id int64) error {
	res, err := s.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND workspace_id = ? AND revoked_at IS NULL`, ms(s.now()), id, workspaceID)
	return oneRow(res, err)
}

func scanToken(r scanner) (siyu.APIToken, error) {
	var tok siyu.APIToken
	var created int64
	var used sql.NullInt64
	if err := r.Scan(&tok.ID, &tok.WorkspaceID, &tok.Name, &tok.Prefix, &tok.Role, &created, &used); err != nil {
		return tok, notFound(err)
	}
	tok.CreatedAt = fromMS(created)
	tok.LastUsedAt = fromNullMS(used)
	return tok, nil
}

// oneRow turns "no row changed" into ErrNotFound.
func oneRow(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return siyu.ErrNotFound
	}
	return nil
}
