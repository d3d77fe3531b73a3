package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"siyu.dev/siyu"
	"siyu.dev/siyu/journey"
)

// Journey states.
const (
	JourneyDraft  = "draft"
	JourneyActive = "active"
	JourneyPaused = "paused"
)

// Journey is a journey with the definition of its latest version.
// LiveVersion is the version new enrollments take (0 before the first
// activation); people already enrolled stay on the version they entered.
type Journey struct {
	ID          int64              `json:"id"`
	WorkspaceID int64              `json:"workspace_id"`
	Name        string             `json:"name"`
	Status      string             `json:"status"`
	Version     int                `json:"version"`
	LiveVersion int                `json:"live_version"`
	Template    string             `json:"template,omitempty"`
	Definition  journey.Definition `json:"definition"`
	CreatedAt   time.Time          `json:"created_at"`
	UpdatedAt   time.Time          `json:"updated_at"`
}

// JourneyVersion is one stored version.
type JourneyVersion struct {
	Version     int                `json:"version"`
	Definition  journey.Definition `json:"definition"`
	CreatedAt   time.Time          `json:"created_at"`
	Enrollments int                `json:"enrollments"`
}

const maxJourneyName = 100

func (t *tx) checkJourney(ctx context.Context, ws int64, name string, def *journey.Definition) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > maxJourneyName {
		return "", fmt.Errorf("%w: name: 1..%d characters", siyu.ErrInvalid, maxJourneyName)
	}
	if err := def.Validate(); err != nil {
		return "", err
	}
	if id := def.Trigger.SegmentID; id != 0 {
		var n int
		if err := t.queryRow(ctx, `SELECT COUNT(*) FROM segments WHERE id = ? AND workspace_id = ?`, id, ws).Scan(&n); err != nil {
			return "", err
		}
		if n == 0 {
			return "", fmt.Errorf("%w: trigger.segment_id: no segment %d in this workspace", siyu.ErrInvalid, id)
		}
	}
	return name, nil
}

// CreateJourney stores a new journey as a draft, version 1.
func (s *Store) CreateJourney(ctx context.Context, workspaceID int64, name, template string, def journey.Definition) (Journey, error) {
	var id int64
	err := s.write(ctx, workspaceID, func(t *tx) error {
		n, err := t.checkJourney(ctx, workspaceID, name, &def)
		if err != nil {
			return err
		}
		if err := t.queryRow(ctx, `INSERT INTO journeys (workspace_id, name, status, version, live_version, template, created_at, updated_at)
			VALUES (?, ?, ?, 1, 0, ?, ?, ?) RETURNING id`, workspaceID, n, JourneyDraft, template, ms(t.now), ms(t.now)).Scan(&id); err != nil {
			return err
		}
		return t.insertJourneyVersion(ctx, workspaceID, id, 1, def)
	})
	if err != nil {
		return Journey{}, err
	}
	return s.Journey(ctx, workspaceID, id)
}

func (t *tx) insertJourneyVersion(ctx context.Context, ws, id int64, version int, def journey.Definition) error {
	b, err := json.Marshal(def)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO journey_versions (journey_id, version, workspace_id, definition, created_at) VALUES (?, ?, ?, ?, ?)`,
		id, version, ws, string(b), ms(t.now))
	return err
}

// UpdateJourney saves an edit as a new version. On an active journey the new
// version goes live at once for new enrollments; people already walking it
// continue on theirs.
func (s *Store) UpdateJourney(ctx context.Context, workspaceID, id int64, name string, def journey.Definition) (Journey, error) {
	err := s.write(ctx, workspaceID, func(t *tx) error {
		var status string
		var version int
		if err := t.queryRow(ctx, `SELECT status, version FROM journeys WHERE id = ? AND workspace_id = ?`, id, workspaceID).Scan(&status, &version); err != nil {
			return notFound(err)
		}
		n, err := t.checkJourney(ctx, workspaceID, name, &def)
		if err != nil {
			return err
		}
		version++
		if err := t.insertJourneyVersion(ctx, workspaceID, id, version, def); err != nil {
			return err
		}
		set, args := `name = ?, version = ?, updated_at = ?`, []any{n, version, ms(t.now)}
		if status == JourneyActive {
			set += `, live_version = ?`
			args = append(args, version)
		}
		_, err = t.exec(ctx, `UPDATE journeys SET `+set+` WHERE id = ?`, append(args, id)...)
		return err
	})
	if err != nil {
		return Journey{}, err
	}
	return s.Journey(ctx, workspaceID, id)
}

// SetJourneyStatus activates or pauses a journey. Activating makes the
// latest version live. A paused journey enrols nobody, and its walks wait
// where they are until it is active again.
func (s *Store) SetJourneyStatus(ctx context.Context, workspaceID, id int64, status string) (Journey, error) {
	if status != JourneyActive && status != JourneyPaused {
		return Journey{}, fmt.Errorf("%w: status: %q; use active or paused", siyu.ErrInvalid, status)
	}
	set := `status = ?, updated_at = ?`
	if status == JourneyActive {
		set += `, live_version = version`
	}
	res, err := s.exec(ctx, `UPDATE journeys SET `+set+` WHERE id = ? AND workspace_id = ?`, status, ms(s.now()), id, workspaceID)
	if err != nil {
		return Journey{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Journey{}, siyu.ErrNotFound
	}
	return s.Journey(ctx, workspaceID, id)
}

const journeyCols = `j.id, j.workspace_id, j.name, j.status, j.version, j.live_version, j.template, j.created_at, j.updated_at, v.definition`

func scanJourney(r scanner) (Journey, error) {
	var j Journey
	var created, updated int64
	var def string
	if err := r.Scan(&j.ID, &j.WorkspaceID, &j.Name, &j.Status, &j.Version, &j.LiveVersion, &j.Template, &created, &updated, &def); err != nil {
		return j, err
	}
	j.CreatedAt, j.UpdatedAt = fromMS(created), fromMS(updated)
	if err := json.Unmarshal([]byte(def), &j.Definition); err != nil {
		return j, fmt.Errorf("journey %d: stored definition: %w", j.ID, err)
	}
	return j, nil
}

// Journey returns a journey of the workspace with its latest version.
func (s *Store) Journey(ctx context.Context, workspaceID, id int64) (Journey, error) {
	j, err := scanJourney(s.queryRow(ctx, `SELECT `+journeyCols+` FROM journeys j
		JOIN journey_versions v ON v.journey_id = j.id AND v.version = j.version
		WHERE j.id = ? AND j.workspace_id = ?`, id, workspaceID))
	return j, notFound(err)
}

// Journeys lists the workspace's journeys, newest first.
func (s *Store) Journeys(ctx context.Context, workspaceID int64) ([]Journey, error) {
	return s.journeys(ctx, `SELECT `+journeyCols+` FROM journeys j
		JOIN journey_versions v ON v.journey_id = j.id AND v.version = j.version
		WHERE j.workspace_id = ? ORDER BY j.id DESC`, workspaceID)
}

// ActiveJourneys lists the active journeys with the definition of their
// live version (the one that enrols).
func (s *Store) ActiveJourneys(ctx context.Context, workspaceID int64) ([]Journey, error) {
	return s.journeys(ctx, `SELECT `+journeyCols+` FROM journeys j
		JOIN journey_versions v ON v.journey_id = j.id AND v.version = j.live_version
		WHERE j.workspace_id = ? AND j.status = ? ORDER BY j.id`, workspaceID, JourneyActive)
}

func (s *Store) journeys(ctx context.Context, q string, args ...any) ([]Journey, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Journey
	for rows.Next() {
		j, err := scanJourney(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// JourneyDefinition returns one version of a journey.
func (s *Store) JourneyDefinition(ctx context.Context, workspaceID, id int64, version int) (journey.Definition, error) {
	var def journey.Definition
	var raw string
	err := s.queryRow(ctx, `SELECT definition FROM journey_versions WHERE journey_id = ? AND version = ? AND workspace_id = ?`, id, version, workspaceID).Scan(&raw)
	if err != nil {
		return def, notFound(err)
	}
	return def, json.Unmarshal([]byte(raw), &def)
}

// JourneyVersions lists a journey's versions, newest first, with how many
// people entered each.
func (s *Store) JourneyVersions(ctx context.Context, workspaceID, id int64) ([]JourneyVersion, error) {
	rows, err := s.query(ctx, `SELECT v.version, v.definition, v.created_at,
			(SELECT COUNT(*) FROM journey_enrollments e WHERE e.journey_id = v.journey_id AND e.version = v.version)
		FROM journey_versions v WHERE v.journey_id = ? AND v.workspace_id = ? ORDER BY v.version DESC`, id, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []JourneyVersion
	for rows.Next() {
		var v JourneyVersion
		var raw string
		var created int64
		if err := rows.Scan(&v.Version, &raw, &created, &v.Enrollments); err != nil {
			return nil, err
		}
		v.CreatedAt = fromMS(created)
		if err := json.Unmarshal([]byte(raw), &v.Definition); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, siyu.ErrNotFound
	}
	return out, nil
}

// JourneyWorkspaces lists the workspaces that have an active journey.
func (s *Store) JourneyWorkspaces(ctx context.Context) ([]int64, error) {
	return s.collectIDs(ctx, `SELECT DISTINCT workspace_id FROM journeys WHERE status = ? ORDER BY workspace_id`, JourneyActive)
}
