package store

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

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

func (c CustomerScore) row(workspaceID, at int64) []any {
	return c.appendRow(make([]any, 0, len(scoreColumns)), workspaceID, at)
}

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

// saveScoresCopy is SaveScores on PostgreSQL: delete and COPY in one
// transaction on one connection.
func (s *Store) saveScoresCopy(ctx context.Context, workspaceID, at int64, scores iter.Seq[CustomerScore]) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("save scores: not a pgx connection")
		}
		pc := c.Conn()
		tx, err := pc.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, `DELETE FROM customer_scores WHERE workspace_id = $1`, workspaceID); err != nil {
			return err
		}
		next, stop := iter.Pull(scores)
		defer stop()
		src := pgx.CopyFromFunc(func() ([]any, error) {
			c, ok := next()
			if !ok {
				return nil, nil
			}
			return c.row(workspaceID, at), nil
		})
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"customer_scores"}, scoreColumns, src); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
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
