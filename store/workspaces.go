package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"siyu.dev/siyu"
)

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// CreateWorkspace creates a workspace. The slug is its stable short name.
func (s *Store) CreateWorkspace(ctx context.Context, slug, name string) (siyu.Workspace, error) {
	slug = strings.ToLower(strings.TrimSpace(slug))
	if !slugPattern.MatchString(slug) {
		return siyu.Workspace{}, fmt.Errorf("%w: workspace slug %q: use a-z, 0-9 and -", siyu.ErrInvalid, slug)
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = slug
	}
	w := siyu.Workspace{Slug: slug, Name: name, CreatedAt: s.now().UTC().Truncate(1e6)}
	err := s.write(ctx, 0, func(t *tx) error {
		return t.queryRow(ctx, `INSERT INTO workspaces (slug, name, created_at) VALUES (?, ?, ?) RETURNING id`, slug, name, ms(w.CreatedAt)).Scan(&w.ID)
	})
	if isUnique(err) {
		return w, fmt.Errorf("workspace %q: %w", slug, siyu.ErrConflict)
	}
	return w, err
}

// Workspace returns a workspace by id.
func (s *Store) Workspace(ctx context.Context, id int64) (siyu.Workspace, error) {
	return s.scanWorkspace(s.queryRow(ctx, `SELECT id, slug, name, created_at FROM workspaces WHERE id = ?`, id))
}

// WorkspaceBySlug returns a workspace by slug.
func (s *Store) WorkspaceBySlug(ctx context.Context, slug string) (siyu.Workspace, error) {
	return s.scanWorkspace(s.queryRow(ctx, `SELECT id, slug, name, created_at FROM workspaces WHERE slug = ?`, strings.ToLower(slug)))
}

// Workspaces lists all workspaces.
func (s *Store) Workspaces(ctx context.Context) ([]siyu.Workspace, error) {
	rows, err := s.query(ctx, `SELECT id, slug, name, created_at FROM workspaces ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []siyu.Workspace
	for rows.Next() {
		w, err := s.scanWorkspace(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

type scanner interface{ Scan(...any) error }

func (s *Store) scanWorkspace(r scanner) (siyu.Workspace, error) {
	var w siyu.Workspace
	var created int64
	if err := r.Scan(&w.ID, &w.Slug, &w.Name, &created); err != nil {
		return w, notFound(err)
	}
	w.CreatedAt = fromMS(created)
	return w, nil
}
