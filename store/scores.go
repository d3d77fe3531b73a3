package store

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"io"
	"iter"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"siyu.dev/siyu"
)

// CustomerScore is one customer's model outputs as of a refresh: what
// segments select on. Buyer is false for customers without a paid order,
// whose RFM fields are then stored as NULL; HasCLV is false when no CLV
// model could be fitted, HasValue when no spend model could.
type CustomerScore struct {
	CustomerID        int64
	Stage             string
	Buyer             bool
	RecencyDays       int
	Frequency         int
	Monetary          siyu.Fen
	R, F, M           int
	RFMSegment        string
	HasCLV            bool
	PAlive            float64
	ExpectedPurchases float64
	HasValue          bool
	CLV               siyu.Fen
}

var scoreColumns = []string{"customer_id", "workspace_id", "stage", "recency_days", "frequency", "monetary",
	"r_score", "f_score", "m_score", "rfm_segment", "p_alive", "expected_purchases", "clv", "computed_at"}

// appendRow appends the row's values to dst in scoreColumns order.
func (c CustomerScore) appendRow(dst []any, workspaceID, at int64) []any {
	dst = append(dst, c.CustomerID, workspaceID, c.Stage, nil, c.Frequency, int64(c.Monetary), nil, nil, nil, c.RFMSegment, nil, nil, nil, at)
	r := dst[len(dst)-len(scoreColumns):]
	if c.Buyer {
		r[3], r[6], r[7], r[8] = c.RecencyDays, c.R, c.F, c.M
	}
	if c.HasCLV {
		r[10], r[11] = c.PAlive, c.ExpectedPurchases
	}
	if c.HasValue {
		r[12] = int64(c.CLV)
	}
	return dst
}

// SaveScores replaces the workspace's customer scores with scores, in one
// transaction, so that readers see the old set or the new one, never half.
func (s *Store) SaveScores(ctx context.Context, workspaceID int64, computedAt time.Time, scores iter.Seq[CustomerScore]) error {
	at := ms(computedAt)
	if s.dialect == postgres {
		return s.saveScoresCopy(ctx, workspaceID, at, scores)
	}
	return s.write(ctx, workspaceID, func(t *tx) error {
		if _, err := t.exec(ctx, `DELETE FROM customer_scores WHERE workspace_id = ?`, workspaceID); err != nil {
			return err
		}
		// A million rows in one transaction: prepare the many-row INSERT
		// once here (the statement cache only prepares after a commit).
		stmt, err := t.PrepareContext(ctx, "INSERT INTO customer_scores ("+strings.Join(scoreColumns, ", ")+") VALUES "+
			strings.Repeat("("+placeholders(len(scoreColumns))+"), ", rowsPerInsert-1)+"("+placeholders(len(scoreColumns))+")")
		if err != nil {
			return err
		}
		defer stmt.Close()
		args := make([]any, 0, rowsPerInsert*len(scoreColumns))
		var rest [][]any
		for c := range scores {
			args = c.appendRow(args, workspaceID, at)
			if len(args) < cap(args) {
				continue
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				return err
			}
			args = args[:0]
		}
		for len(args) > 0 {
			rest = append(rest, args[:len(scoreColumns)])
			args = args[len(scoreColumns):]
		}
		return t.insertRows(ctx, "customer_scores", scoreColumns, rest, "")
	})
}

// saveScoresCopy is SaveScores on PostgreSQL: the workspace's partition is
// truncated and filled by one binary COPY in one transaction (FREEZE: the
// rows are born visible to all, so nobody rewrites the pages later to say
// so).
func (s *Store) saveScoresCopy(ctx context.Context, workspaceID, at int64, scores iter.Seq[CustomerScore]) error {
	part := pgx.Identifier{fmt.Sprintf("customer_scores_w%d", workspaceID)}.Sanitize()
	return s.withPgx(ctx, func(c *pgx.Conn) error {
		if err := ensureScoresPartition(ctx, c, workspaceID, part); err != nil {
			return err
		}
		tx, err := c.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, `TRUNCATE `+part); err != nil {
			return err
		}
		pr, pw := io.Pipe()
		encoded := make(chan error, 1)
		go func() {
			err := writeScoresCopy(pw, scores, workspaceID, at)
			pw.CloseWithError(err)
			encoded <- err
		}()
		_, err = tx.Conn().PgConn().CopyFrom(ctx, pr,
			`COPY `+part+` (`+strings.Join(scoreColumns, ", ")+`) FROM STDIN (FORMAT binary, FREEZE)`)
		pr.CloseWithError(io.ErrClosedPipe) // lets the encoder stop if COPY gave up
		if encErr := <-encoded; err == nil && encErr != nil && encErr != io.ErrClosedPipe {
			err = encErr
		}
		if err != nil {
			return fmt.Errorf("save scores: %w", err)
		}
		return tx.Commit(ctx)
	})
}

// ensureScoresPartition creates the workspace's partition of
// customer_scores the first time, taking over any rows of the workspace
// that waited in the default partition.
func ensureScoresPartition(ctx context.Context, c *pgx.Conn, workspaceID int64, part string) error {
	var exists bool
	if err := c.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, part).Scan(&exists); err != nil || exists {
		return err
	}
	return pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
		// Two nodes' first refreshes of one workspace: one creates it.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, advisoryScores, int32(workspaceID)); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, part).Scan(&exists); err != nil || exists {
			return err
		}
		// The scores are about to be replaced: the waiting ones would only
		// stop the new partition from being created.
		if _, err := tx.Exec(ctx, `DELETE FROM customer_scores_default WHERE workspace_id = $1`, workspaceID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, fmt.Sprintf(`CREATE TABLE %s PARTITION OF customer_scores FOR VALUES IN (%d)`, part, workspaceID)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `ALTER TABLE `+part+` ADD PRIMARY KEY (customer_id)`)
		return err
	})
}

// advisoryScores is the first key of the advisory lock that creates a
// workspace's scores partition.
const advisoryScores int32 = 0x5353 // "SS"

// writeScoresCopy writes the scores in PostgreSQL's binary COPY format,
// fields in scoreColumns order: a million rows without a value boxed.
func writeScoresCopy(w io.Writer, scores iter.Seq[CustomerScore], workspaceID, at int64) error {
	bw := bufio.NewWriterSize(w, 1<<18)
	var buf []byte
	buf = append(buf, "PGCOPY\n\xff\r\n\x00"...)
	buf = binary.BigEndian.AppendUint32(buf, 0) // flags
	buf = binary.BigEndian.AppendUint32(buf, 0) // header extension
	i8 := func(v int64) {
		buf = binary.BigEndian.AppendUint32(buf, 8)
		buf = binary.BigEndian.AppendUint64(buf, uint64(v))
	}
	f8 := func(v float64) {
		buf = binary.BigEndian.AppendUint32(buf, 8)
		buf = binary.BigEndian.AppendUint64(buf, math.Float64bits(v))
	}
	text := func(v string) {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(v)))
		buf = append(buf, v...)
	}
	null := func() { buf = binary.BigEndian.AppendUint32(buf, 0xFFFFFFFF) }
	for c := range scores {
		buf = binary.BigEndian.AppendUint16(buf, uint16(len(scoreColumns)))
		i8(c.CustomerID)
		i8(workspaceID)
		text(c.Stage)
		if c.Buyer {
			i8(int64(c.RecencyDays))
		} else {
			null()
		}
		i8(int64(c.Frequency))
		i8(int64(c.Monetary))
		if c.Buyer {
			i8(int64(c.R))
			i8(int64(c.F))
			i8(int64(c.M))
		} else {
			null()
			null()
			null()
		}
		text(c.RFMSegment)
		if c.HasCLV {
			f8(c.PAlive)
			f8(c.ExpectedPurchases)
		} else {
			null()
			null()
		}
		if c.HasValue {
			i8(int64(c.CLV))
		} else {
			null()
		}
		i8(at)
		if _, err := bw.Write(buf); err != nil {
			return err
		}
		buf = buf[:0]
	}
	buf = binary.BigEndian.AppendUint16(buf, 0xFFFF) // trailer
	if _, err := bw.Write(buf); err != nil {
		return err
	}
	return bw.Flush()
}

// CustomerScoreOf returns a customer's latest scores (ErrNotFound before
// the first refresh that saw the customer).
func (s *Store) CustomerScoreOf(ctx context.Context, workspaceID, customerID int64) (CustomerScore, error) {
	var c CustomerScore
	var recency, r, f, m, clv sql.NullInt64
	var alive, expected sql.NullFloat64
	err := s.queryRow(ctx, `SELECT customer_id, stage, recency_days, frequency, monetary, r_score, f_score, m_score, rfm_segment,
		p_alive, expected_purchases, clv FROM customer_scores WHERE workspace_id = ? AND customer_id = ?`, workspaceID, customerID).
		Scan(&c.CustomerID, &c.Stage, &recency, &c.Frequency, &c.Monetary, &r, &f, &m, &c.RFMSegment, &alive, &expected, &clv)
	if err != nil {
		return c, notFound(err)
	}
	c.Buyer = recency.Valid
	c.RecencyDays, c.R, c.F, c.M = int(recency.Int64), int(r.Int64), int(f.Int64), int(m.Int64)
	c.HasCLV, c.HasValue = alive.Valid, clv.Valid
	c.PAlive, c.ExpectedPurchases, c.CLV = alive.Float64, expected.Float64, siyu.Fen(clv.Int64)
	return c, nil
}
