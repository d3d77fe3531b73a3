package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/journey"
)

// Enrollment states.
const (
	EnrollmentActive    = "active"
	EnrollmentCompleted = "completed"
	EnrollmentExited    = "exited"
)

// Enrollment is one person's walk through one version of a journey. Step is
// the step due next while active, the last one run once ended.
type Enrollment struct {
	ID           int64             `json:"id"`
	WorkspaceID  int64             `json:"workspace_id"`
	JourneyID    int64             `json:"journey_id"`
	Version      int               `json:"version"`
	CustomerID   int64             `json:"customer_id"`
	CustomerName string            `json:"customer_name,omitempty"`
	TriggerKey   string            `json:"trigger_key"`
	Status       string            `json:"status"`
	Step         string            `json:"step"`
	Vars         map[string]string `json:"vars,omitempty"`
	ExitReason   string            `json:"exit_reason,omitempty"`
	EnteredAt    time.Time         `json:"entered_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
	EndedAt      *time.Time        `json:"ended_at,omitempty"`
}

// NewEnrollment is a person to enrol.
type NewEnrollment struct {
	JourneyID  int64
	Version    int
	CustomerID int64
	TriggerKey string
	Reentry    journey.Reentry
	Start      string // the first step
	Vars       map[string]string
	At         time.Time
}

// Enroll enrols a person (the live customer behind CustomerID) if the
// trigger is new and the re-entry rule allows it, and enqueues the first
// step's job in the same transaction. It reports whether the person was
// enrolled; a refusal by the re-entry rule or a trigger already seen is not
// an error.
func (s *Store) Enroll(ctx context.Context, workspaceID int64, in NewEnrollment, firstJob func(enrollmentID int64) NewJob) (Enrollment, bool, error) {
	if in.TriggerKey == "" || in.Start == "" || in.JourneyID == 0 || in.Version == 0 {
		return Enrollment{}, false, fmt.Errorf("%w: enrollment needs a journey, version, trigger key and first step", siyu.ErrInvalid)
	}
	vars, _ := json.Marshal(orEmptyVars(in.Vars))
	var id int64
	enrolled := false
	err := s.write(ctx, workspaceID, func(t *tx) error {
		root, err := t.customerInWorkspace(ctx, workspaceID, in.CustomerID)
		if err != nil {
			return fmt.Errorf("enrol customer %d: %w", in.CustomerID, err)
		}
		var n int
		if err := t.queryRow(ctx, `SELECT COUNT(*) FROM journey_enrollments WHERE journey_id = ? AND trigger_key = ?`, in.JourneyID, in.TriggerKey).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		q := `SELECT COUNT(*) FROM journey_enrollments WHERE journey_id = ? AND customer_id = ?`
		args := []any{in.JourneyID, root}
		switch in.Reentry.Mode {
		case journey.ReentryEvery:
			q = ""
		case journey.ReentryOncePer:
			q += ` AND (status = ? OR entered_at > ?)`
			args = append(args, EnrollmentActive, ms(in.At.AddDate(0, 0, -in.Reentry.Days)))
		}
		if q != "" {
			if err := t.queryRow(ctx, q, args...).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
		}
		if err := t.queryRow(ctx, `INSERT INTO journey_enrollments (workspace_id, journey_id, version, customer_id, trigger_key, status, step, vars, entered_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			workspaceID, in.JourneyID, in.Version, root, in.TriggerKey, EnrollmentActive, in.Start, string(vars), ms(in.At), ms(in.At)).Scan(&id); err != nil {
			return err
		}
		enrolled = true
		if firstJob == nil {
			return nil
		}
		_, err = t.enqueueJobs(ctx, workspaceID, []NewJob{firstJob(id)})
		return err
	})
	if err != nil || !enrolled {
		return Enrollment{}, false, err
	}
	e, err := s.Enrollment(ctx, workspaceID, id)
	return e, err == nil, err
}

func orEmptyVars(v map[string]string) map[string]string {
	if v == nil {
		return map[string]string{}
	}
	return v
}

const enrollmentCols = `e.id, e.workspace_id, e.journey_id, e.version, e.customer_id, c.name, e.trigger_key, e.status, e.step, e.vars, e.exit_reason, e.entered_at, e.updated_at, e.ended_at`

func scanEnrollment(r scanner) (Enrollment, error) {
	var e Enrollment
	var vars string
	var entered, updated int64
	var ended sql.NullInt64
	if err := r.Scan(&e.ID, &e.WorkspaceID, &e.JourneyID, &e.Version, &e.CustomerID, &e.CustomerName, &e.TriggerKey, &e.Status, &e.Step, &vars, &e.ExitReason, &entered, &updated, &ended); err != nil {
		return e, err
	}
	e.EnteredAt, e.UpdatedAt, e.EndedAt = fromMS(entered), fromMS(updated), fromNullMS(ended)
	if err := json.Unmarshal([]byte(vars), &e.Vars); err != nil {
		return e, fmt.Errorf("enrollment %d: vars: %w", e.ID, err)
	}
	return e, nil
}

// Enrollment returns one enrollment of the workspace.
func (s *Store) Enrollment(ctx context.Context, workspaceID, id int64) (Enrollment, error) {
	e, err := scanEnrollment(s.queryRow(ctx, `SELECT `+enrollmentCols+` FROM journey_enrollments e JOIN customers c ON c.id = e.customer_id
		WHERE e.id = ? AND e.workspace_id = ?`, id, workspaceID))
	return e, notFound(err)
}

// Enrollments pages a journey's enrollments, newest first; status "" is
// all. It returns the page and the total.
func (s *Store) Enrollments(ctx context.Context, workspaceID, journeyID int64, status string, limit, offset int) ([]Enrollment, int, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	where := `e.workspace_id = ? AND e.journey_id = ?`
	args := []any{workspaceID, journeyID}
	if status != "" {
		where += ` AND e.status = ?`
		args = append(args, status)
	}
	var total int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM journey_enrollments e WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.query(ctx, `SELECT `+enrollmentCols+` FROM journey_enrollments e JOIN customers c ON c.id = e.customer_id
		WHERE `+where+` ORDER BY e.id DESC LIMIT ? OFFSET ?`, append(args, limit, max(offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Enrollment
	for rows.Next() {
		e, err := scanEnrollment(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	return out, total, rows.Err()
}

// ErrStepMoved is returned when an enrollment is no longer at the step a
// job was for (another run advanced it, or it ended).
var ErrStepMoved = fmt.Errorf("%w: enrollment has moved on", siyu.ErrConflict)

// StepDone records that step ran for an enrollment with outcome, moves it to
// next (ending it when next is empty), keeps vars and enqueues jobs (next's,
// a webhook's) — all in one transaction, so a crash leaves the enrollment either before
// the step (the job runs it again, idempotently) or after it.
func (s *Store) StepDone(ctx context.Context, workspaceID, enrollmentID int64, step, outcome, next string, vars map[string]string, jobs []NewJob, at time.Time) error {
	b, _ := json.Marshal(orEmptyVars(vars))
	return s.write(ctx, workspaceID, func(t *tx) error {
		if err := t.logStep(ctx, workspaceID, enrollmentID, step, outcome, at); err != nil {
			return err
		}
		set := `step = ?, vars = ?, updated_at = ?`
		args := []any{next, string(b), ms(at)}
		if next == "" {
			set = `status = ?, step = ?, vars = ?, updated_at = ?, ended_at = ?`
			args = []any{EnrollmentCompleted, step, string(b), ms(at), ms(at)}
		}
		res, err := t.exec(ctx, `UPDATE journey_enrollments SET `+set+` WHERE id = ? AND workspace_id = ? AND status = ? AND step = ?`,
			append(args, enrollmentID, workspaceID, EnrollmentActive, step)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrStepMoved
		}
		if len(jobs) == 0 {
			return nil
		}
		_, err = t.enqueueJobs(ctx, workspaceID, jobs)
		return err
	})
}

// ExitEnrollment ends an active enrollment before step, for reason (e.g.
// "converted"); the step log shows "exited:<reason>" at that step.
func (s *Store) ExitEnrollment(ctx context.Context, workspaceID, enrollmentID int64, step, reason string, at time.Time) error {
	return s.write(ctx, workspaceID, func(t *tx) error {
		if err := t.logStep(ctx, workspaceID, enrollmentID, step, "exited:"+reason, at); err != nil {
			return err
		}
		_, err := t.exec(ctx, `UPDATE journey_enrollments SET status = ?, exit_reason = ?, updated_at = ?, ended_at = ?
			WHERE id = ? AND workspace_id = ? AND status = ?`, EnrollmentExited, reason, ms(at), ms(at), enrollmentID, workspaceID, EnrollmentActive)
		return err
	})
}

func (t *tx) logStep(ctx context.Context, ws, enrollmentID int64, step, outcome string, at time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO journey_step_log (enrollment_id, step, workspace_id, journey_id, version, customer_id, outcome, at)
		SELECT id, ?, workspace_id, journey_id, version, customer_id, ?, ? FROM journey_enrollments WHERE id = ? AND workspace_id = ?
		ON CONFLICT (enrollment_id, step) DO NOTHING`, step, outcome, ms(at), enrollmentID, ws)
	return err
}

// JourneyStepCount is how many walks of a version got an outcome at a step.
type JourneyStepCount struct {
	Version int    `json:"version"`
	Step    string `json:"step"`
	Outcome string `json:"outcome"`
	N       int    `json:"n"`
}

// JourneyStats are a journey's live counts.
type JourneyStats struct {
	Enrollments map[string]int     `json:"enrollments"` // by status
	Waiting     map[string]int     `json:"waiting"`     // active walks by the step due next
	Steps       []JourneyStepCount `json:"steps"`
	Sends       map[string]int     `json:"sends"` // the journey's sends by dispatch status
}

// JourneyStats counts a journey's walks by status, the steps' outcomes and
// its sends' statuses.
func (s *Store) JourneyStats(ctx context.Context, workspaceID, id int64) (JourneyStats, error) {
	st := JourneyStats{Enrollments: map[string]int{}, Waiting: map[string]int{}, Sends: map[string]int{}}
	count := func(q string, args []any, into map[string]int) error {
		rows, err := s.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			var n int
			if err := rows.Scan(&k, &n); err != nil {
				return err
			}
			into[k] = n
		}
		return rows.Err()
	}
	if err := count(`SELECT status, COUNT(*) FROM journey_enrollments WHERE workspace_id = ? AND journey_id = ? GROUP BY status`, []any{workspaceID, id}, st.Enrollments); err != nil {
		return st, err
	}
	if err := count(`SELECT step, COUNT(*) FROM journey_enrollments WHERE workspace_id = ? AND journey_id = ? AND status = ? GROUP BY step`, []any{workspaceID, id, EnrollmentActive}, st.Waiting); err != nil {
		return st, err
	}
	if err := count(`SELECT status, COUNT(*) FROM sends WHERE workspace_id = ? AND key LIKE ? GROUP BY status`, []any{workspaceID, fmt.Sprintf("journey:%d:%%", id)}, st.Sends); err != nil {
		return st, err
	}
	rows, err := s.query(ctx, `SELECT version, step, outcome, COUNT(*) FROM journey_step_log WHERE workspace_id = ? AND journey_id = ?
		GROUP BY version, step, outcome ORDER BY version, step, outcome`, workspaceID, id)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var c JourneyStepCount
		if err := rows.Scan(&c.Version, &c.Step, &c.Outcome, &c.N); err != nil {
			return st, err
		}
		st.Steps = append(st.Steps, c)
	}
	return st, rows.Err()
}

// ClaimJourneyJobs is ClaimJobs with the caller's clock: journeys wait for
// days, and the runner (and its tests) decide what "now" is, so that a
// wait is due exactly when the runner's clock passes it.
func (s *Store) ClaimJourneyJobs(ctx context.Context, worker string, kinds []string, n int, lease time.Duration, now time.Time) ([]Job, error) {
	if worker == "" || len(kinds) == 0 || n <= 0 || lease <= 0 {
		return nil, fmt.Errorf("%w: claim needs a worker, kinds, a count and a lease", siyu.ErrInvalid)
	}
	lock := ""
	if s.dialect == postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	args := []any{JobRunning, worker, ms(now.Add(lease))}
	for _, k := range kinds {
		args = append(args, k)
	}
	args = append(args, JobQueued, ms(now), JobRunning, ms(now), n)
	q := `UPDATE jobs SET state = ?, locked_by = ?, locked_until = ?, attempts = attempts + 1
		WHERE id IN (SELECT id FROM jobs WHERE kind IN (` + placeholders(len(kinds)) + `)
			AND ((state = ? AND run_at <= ?) OR (state = ? AND locked_until <= ?))
			ORDER BY run_at, id LIMIT ?` + lock + `)
		RETURNING ` + jobColumns
	rows, err := s.wdb.QueryContext(ctx, s.dialect.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("claim journey jobs: %w", err)
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// IsStepMoved reports whether err is ErrStepMoved.
func IsStepMoved(err error) bool { return errors.Is(err, ErrStepMoved) }
