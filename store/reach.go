package store

import (
	"context"
	"database/sql"
	"time"

	"siyu.dev/siyu"
)

// PersonReach is what the reach policy needs to know about one person.
type PersonReach struct {
	OptedOut bool
	// Contacts are the person's live WeCom contacts with an active
	// account, the most recently added first.
	Contacts []LiveContact
	// Reaches are the person's reach_log rows since the time asked for.
	Reaches []ReachEntry
}

// LiveContact is a live contact relationship through one of our accounts.
type LiveContact struct {
	AccountID      int64
	Sender         string // the account's WeCom userid
	ExternalUserID string
	AddedAt        time.Time
}

// ReachEntry is one row of reach_log: an automated reach that counts
// against the caps.
type ReachEntry struct {
	Key        string
	CustomerID int64 // 0 for a reach of a group or a moment
	AccountID  int64
	Channel    siyu.ReachChannel
	At         time.Time
}

// ReachReader reads what the reach policy decides on. The store's read
// pool provides one for previews (Store.Reach) and AdmitReach's write
// transaction another, so that the same decisions run on both.
type ReachReader interface {
	// People returns, for each customer, opt-out, live contacts and the
	// reach_log rows at or after since. Every asked id has an entry.
	People(ctx context.Context, customers []int64, since time.Time) (map[int64]*PersonReach, error)
	// AccountCounts counts reach_log rows of each account in [from, to).
	AccountCounts(ctx context.Context, accounts []int64, from, to time.Time) (map[int64]int, error)
	// KnownKeys returns which of keys already are in reach_log.
	KnownKeys(ctx context.Context, keys []string) (map[string]bool, error)
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

type reachReader struct {
	q  querier
	d  dialect
	ws int64
}

// Reach returns a reader of a workspace's reach facts on the read pool:
// for previews, which decide without recording.
func (s *Store) Reach(workspaceID int64) ReachReader {
	return reachReader{q: s.db, d: s.dialect, ws: workspaceID}
}

// reachChunk bounds the ids of one IN list.
const reachChunk = 1000

func (r reachReader) People(ctx context.Context, customers []int64, since time.Time) (map[int64]*PersonReach, error) {
	out := make(map[int64]*PersonReach, len(customers))
	for _, id := range customers {
		out[id] = &PersonReach{}
	}
	err := chunks(uniq(customers), reachChunk, func(part []int64) error {
		in := `(` + placeholders(len(part)) + `)`
		args := append([]any{r.ws}, int64Args(part)...)
		if err := r.each(ctx, `SELECT customer_id FROM opt_outs WHERE workspace_id = ? AND customer_id IN `+in, args, func(rows *sql.Rows) error {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out[id].OptedOut = true
			return nil
		}); err != nil {
			return err
		}
		// +c.workspace_id keeps SQLite on contacts_customer: left to itself
		// it picks (workspace_id, state) and scans the whole workspace.
		if err := r.each(ctx, `SELECT c.customer_id, c.account_id, a.wecom_userid, c.external_userid, c.added_at
			FROM contacts c JOIN accounts a ON a.id = c.account_id
			WHERE +c.workspace_id = ? AND c.customer_id IN `+in+` AND c.deleted_at IS NULL AND a.active = 1
			ORDER BY c.customer_id, c.added_at DESC, c.id DESC`, args, func(rows *sql.Rows) error {
			var id, added int64
			var lc LiveContact
			if err := rows.Scan(&id, &lc.AccountID, &lc.Sender, &lc.ExternalUserID, &added); err != nil {
				return err
			}
			lc.AddedAt = fromMS(added)
			out[id].Contacts = append(out[id].Contacts, lc)
			return nil
		}); err != nil {
			return err
		}
		return r.each(ctx, `SELECT customer_id, key, COALESCE(account_id, 0), channel, at FROM reach_log
			WHERE workspace_id = ? AND customer_id IN `+in+` AND at >= ? ORDER BY customer_id, at`, append(args, ms(since)), func(rows *sql.Rows) error {
			var e ReachEntry
			var at int64
			if err := rows.Scan(&e.CustomerID, &e.Key, &e.AccountID, &e.Channel, &at); err != nil {
				return err
			}
			e.At = fromMS(at)
			out[e.CustomerID].Reaches = append(out[e.CustomerID].Reaches, e)
			return nil
		})
	})
	return out, err
}

func (r reachReader) AccountCounts(ctx context.Context, accounts []int64, from, to time.Time) (map[int64]int, error) {
	out := make(map[int64]int, len(accounts))
	err := chunks(uniq(accounts), reachChunk, func(part []int64) error {
		args := append([]any{r.ws}, int64Args(part)...)
		return r.each(ctx, `SELECT account_id, COUNT(*) FROM reach_log WHERE workspace_id = ? AND account_id IN (`+placeholders(len(part))+`)
			AND at >= ? AND at < ? GROUP BY account_id`, append(args, ms(from), ms(to)), func(rows *sql.Rows) error {
			var id int64
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			out[id] = n
			return nil
		})
	})
	return out, err
}

func (r reachReader) KnownKeys(ctx context.Context, keys []string) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(keys); start += reachChunk {
		part := keys[start:min(start+reachChunk, len(keys))]
		args := []any{r.ws}
		for _, k := range part {
			args = append(args, k)
		}
		err := r.each(ctx, `SELECT key FROM reach_log WHERE workspace_id = ? AND key IN (`+placeholders(len(part))+`)`, args, func(rows *sql.Rows) error {
			var k string
			if err := rows.Scan(&k); err != nil {
				return err
			}
			out[k] = true
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (r reachReader) each(ctx context.Context, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := r.q.QueryContext(ctx, r.d.rebind(q), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// AdmitReach runs decide in a write transaction that sees every admission
// committed before it and records the entries decide returns in reach_log.
// Admissions of a workspace are serialised (one SQLite writer; on
// PostgreSQL the workspace's advisory lock, which holds across nodes), so
// two concurrent admissions can never both take the last unit of a cap. An
// entry whose key is already logged is not logged again.
func (s *Store) AdmitReach(ctx context.Context, workspaceID int64, decide func(ReachReader) ([]ReachEntry, error)) error {
	return s.write(ctx, workspaceID, func(t *tx) error {
		record, err := decide(reachReader{q: t.Tx, d: t.d, ws: workspaceID})
		if err != nil || len(record) == 0 {
			return err
		}
		rows := make([][]any, len(record))
		for i, e := range record {
			var account any
			if e.AccountID != 0 {
				account = e.AccountID
			}
			rows[i] = []any{workspaceID, e.Key, e.CustomerID, account, string(e.Channel), ms(e.At)}
		}
		return t.insertRows(ctx, "reach_log", []string{"workspace_id", "key", "customer_id", "account_id", "channel", "at"}, rows,
			" ON CONFLICT (workspace_id, key) DO NOTHING")
	})
}
