package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"siyu.dev/siyu"
)

// The job queue keeps work that must survive a restart in the database, so
// that one store API serves both SQLite and PostgreSQL (rather than a queue
// library that only speaks PostgreSQL). A job is unique by (workspace,
// kind, key): enqueueing it again adds nothing. A worker claims due jobs
// with a lease; if it dies, the lease runs out and another worker claims
// them again. A failed job is retried with exponential backoff until it has
// been tried MaxAttempts times; then it is dead and waits for an operator.

// Job states.
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"
	JobDead    = "dead"
)

// DefaultJobAttempts is how often a job is tried when NewJob does not say.
const DefaultJobAttempts = 10

// NewJob is a job to enqueue.
type NewJob struct {
	Kind        string
	Key         string // unique per workspace and kind
	Payload     []byte
	RunAt       time.Time // zero: now
	MaxAttempts int       // zero: DefaultJobAttempts
}

// Job is a job as stored.
type Job struct {
	ID          int64
	WorkspaceID int64
	Kind        string
	Key         string
	Payload     []byte
	State       string
	RunAt       time.Time
	Attempts    int // including the current one, once claimed
	MaxAttempts int
	LastError   string
	LockedBy    string
	LockedUntil time.Time
	CreatedAt   time.Time
}

// EnqueueJobs adds jobs whose (kind, key) the workspace does not have yet,
// and reports how many it added.
func (s *Store) EnqueueJobs(ctx context.Context, workspaceID int64, jobs []NewJob) (int, error) {
	added := 0
	err := s.write(ctx, 0, func(t *tx) error {
		var err error
		added, err = t.enqueueJobs(ctx, workspaceID, jobs)
		return err
	})
	return added, err
}

func (t *tx) enqueueJobs(ctx context.Context, ws int64, jobs []NewJob) (int, error) {
	added := 0
	for i, j := range jobs {
		if j.Kind == "" || j.Key == "" {
			return added, fmt.Errorf("%w: job %d: kind and key are required", siyu.ErrInvalid, i+1)
		}
		runAt := j.RunAt
		if runAt.IsZero() {
			runAt = t.now
		}
		max := j.MaxAttempts
		if max <= 0 {
			max = DefaultJobAttempts
		}
		res, err := t.exec(ctx, `INSERT INTO jobs (workspace_id, kind, key, payload, state, run_at, max_attempts, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (workspace_id, kind, key) DO NOTHING`,
			ws, j.Kind, j.Key, string(j.Payload), JobQueued, ms(runAt), max, ms(t.now))
		if err != nil {
			return added, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return added, err
		}
		added += int(n)
	}
	return added, nil
}

const jobColumns = `id, workspace_id, kind, key, payload, state, run_at, attempts, max_attempts, last_error, locked_by, locked_until, created_at`

func scanJob(r scanner) (Job, error) {
	var j Job
	var payload string
	var runAt, created int64
	var until sql.NullInt64
	if err := r.Scan(&j.ID, &j.WorkspaceID, &j.Kind, &j.Key, &payload, &j.State, &runAt, &j.Attempts, &j.MaxAttempts, &j.LastError, &j.LockedBy, &until, &created); err != nil {
		return j, err
	}
	j.Payload = []byte(payload)
	j.RunAt, j.CreatedAt = fromMS(runAt), fromMS(created)
	if until.Valid {
		j.LockedUntil = fromMS(until.Int64)
	}
	return j, nil
}

// ClaimJobs leases up to n due jobs of the given kinds to worker for lease:
// queued jobs whose time has come and running jobs whose lease ran out (their
// worker died). Each claim counts as an attempt. On PostgreSQL concurrent
// claimers skip each other's rows (FOR UPDATE SKIP LOCKED); on SQLite the
// single writer makes the UPDATE ... RETURNING atomic.
func (s *Store) ClaimJobs(ctx context.Context, worker string, kinds []string, n int, lease time.Duration) ([]Job, error) {
	if worker == "" || len(kinds) == 0 || n <= 0 || lease <= 0 {
		return nil, fmt.Errorf("%w: claim needs a worker, kinds, a count and a lease", siyu.ErrInvalid)
	}
	now := s.now().UTC()
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
		return nil, fmt.Errorf("claim jobs: %w", err)
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

// ErrLeaseLost is returned when a worker reports on a job it no longer holds:
// its lease ran out and another worker claimed the job.
var ErrLeaseLost = fmt.Errorf("%w: job lease lost", siyu.ErrConflict)

// finishJob updates a job the worker still holds.
func (s *Store) finishJob(ctx context.Context, id int64, worker, set string, args ...any) error {
	res, err := s.exec(ctx, `UPDATE jobs SET `+set+` WHERE id = ? AND state = ? AND locked_by = ?`, append(args, id, JobRunning, worker)...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrLeaseLost
	}
	return nil
}

// ExtendJob renews worker's lease on a running job (a heartbeat).
func (s *Store) ExtendJob(ctx context.Context, id int64, worker string, lease time.Duration) error {
	return s.finishJob(ctx, id, worker, `locked_until = ?`, ms(s.now().Add(lease)))
}

// CompleteJob marks a job done.
func (s *Store) CompleteJob(ctx context.Context, id int64, worker string) error {
	now := ms(s.now())
	return s.finishJob(ctx, id, worker, `state = ?, locked_by = '', locked_until = NULL, finished_at = ?, last_error = ''`, JobDone, now)
}

// SnoozeJob puts a job back to run at at without counting the attempt: the
// work is waiting for something else (a member to confirm a mass message),
// not failing.
func (s *Store) SnoozeJob(ctx context.Context, id int64, worker string, at time.Time) error {
	return s.finishJob(ctx, id, worker, `state = ?, run_at = ?, attempts = attempts - 1, locked_by = '', locked_until = NULL`, JobQueued, ms(at))
}

// RetryJob records a failed attempt. The job runs again at retryAt (zero:
// after the backoff for its attempts) unless it has used up its attempts;
// then it is dead and dead reports true.
func (s *Store) RetryJob(ctx context.Context, j Job, worker string, cause error, retryAt time.Time) (dead bool, err error) {
	msg := "unknown error"
	if cause != nil {
		msg = cause.Error()
	}
	if len(msg) > 2000 {
		msg = msg[:2000]
	}
	now := s.now()
	if j.Attempts >= j.MaxAttempts {
		return true, s.finishJob(ctx, j.ID, worker, `state = ?, last_error = ?, locked_by = '', locked_until = NULL, finished_at = ?`, JobDead, msg, ms(now))
	}
	if retryAt.IsZero() {
		retryAt = now.Add(JobBackoff(j.Attempts))
	}
	return false, s.finishJob(ctx, j.ID, worker, `state = ?, last_error = ?, run_at = ?, locked_by = '', locked_until = NULL`, JobQueued, msg, ms(retryAt))
}

// JobBackoff is the wait after the given number of failed attempts: 1 s
// doubling up to 10 min, with up to a quarter more at random so that jobs
// failing together do not retry together.
func JobBackoff(attempts int) time.Duration {
	d := time.Second << min(max(attempts-1, 0), 10)
	d = min(d, 10*time.Minute)
	return d + time.Duration(rand.Int64N(int64(d)/4+1))
}

// JobByKey returns a workspace's job by kind and key.
func (s *Store) JobByKey(ctx context.Context, workspaceID int64, kind, key string) (Job, error) {
	j, err := scanJob(s.queryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE workspace_id = ? AND kind = ? AND key = ?`, workspaceID, kind, key))
	return j, notFound(err)
}

// JobCount is how many jobs of a kind are in a state.
type JobCount struct {
	Kind  string `json:"kind"`
	State string `json:"state"`
	N     int    `json:"n"`
}

// JobCounts counts a workspace's jobs by kind and state (workspaceID 0: all
// workspaces), for operators and for waiting until a queue is drained.
func (s *Store) JobCounts(ctx context.Context, workspaceID int64) ([]JobCount, error) {
	q := `SELECT kind, state, COUNT(*) FROM jobs`
	var args []any
	if workspaceID != 0 {
		q += ` WHERE workspace_id = ?`
		args = append(args, workspaceID)
	}
	rows, err := s.query(ctx, q+` GROUP BY kind, state ORDER BY kind, state`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []JobCount
	for rows.Next() {
		var c JobCount
		if err := rows.Scan(&c.Kind, &c.State, &c.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// DeadJobs lists a workspace's dead jobs with their last error, oldest first.
func (s *Store) DeadJobs(ctx context.Context, workspaceID int64, limit int) ([]Job, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.query(ctx, `SELECT `+jobColumns+` FROM jobs WHERE workspace_id = ? AND state = ? ORDER BY id LIMIT ?`, workspaceID, JobDead, limit)
	if err != nil {
		return nil, err
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

// RetryDeadJobs gives a workspace's dead jobs (of one kind, or all when kind
// is empty) a fresh set of attempts, to run now. It returns how many.
func (s *Store) RetryDeadJobs(ctx context.Context, workspaceID int64, kind string) (int, error) {
	q := `UPDATE jobs SET state = ?, attempts = 0, run_at = ?, finished_at = NULL WHERE workspace_id = ? AND state = ?`
	args := []any{JobQueued, ms(s.now()), workspaceID, JobDead}
	if kind != "" {
		q += ` AND kind = ?`
		args = append(args, kind)
	}
	res, err := s.exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// PruneJobs deletes jobs that finished (done) before the given time; dead
// jobs stay until an operator retries them. A pruned key can be enqueued
// again, so callers keep jobs at least as long as a duplicate could arrive.
func (s *Store) PruneJobs(ctx context.Context, before time.Time) (int, error) {
	res, err := s.exec(ctx, `DELETE FROM jobs WHERE state = ? AND finished_at < ?`, JobDone, ms(before))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// IsLeaseLost reports whether err is ErrLeaseLost.
func IsLeaseLost(err error) bool { return errors.Is(err, ErrLeaseLost) }
