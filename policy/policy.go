// Package policy is the one place where Siyu's reach limits live: opt-out,
// a frequency cap per person across all automation, quiet hours, a live
// WeCom contact for 1:1 messages, a daily quota per WeCom account and
// WeCom's own cap on mass messages per customer.
//
// Everything that reaches people asks it: the campaign planner through Plan
// (read-only, for the preview) and the dispatcher through Admit, which
// re-checks at send time and records what it admits in reach_log in the
// same transaction, so that caps hold however many senders run at once.
package policy

import (
	"context"
	"fmt"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
)

// Store is what the policy reads and writes; *store.Store is one.
type Store interface {
	SettingsStore
	Reach(workspaceID int64) store.ReachReader
	AdmitReach(ctx context.Context, workspaceID int64, decide func(store.ReachReader) ([]store.ReachEntry, error)) error
}

// Policy decides who may be reached.
type Policy struct {
	store Store
}

// New returns the policy of a store.
func New(st Store) *Policy { return &Policy{store: st} }

// Settings returns a workspace's limits (the defaults when it set none).
func (p *Policy) Settings(ctx context.Context, workspaceID int64) (Settings, error) {
	return loadSettings(ctx, p.store, workspaceID)
}

// SetSettings validates and stores a workspace's limits.
func (p *Policy) SetSettings(ctx context.Context, workspaceID int64, s Settings) error {
	return saveSettings(ctx, p.store, workspaceID, s)
}

// Decision is the policy's answer for one delivery. For a 1:1 delivery the
// policy fills in the account, sender and external userid of the contact
// it goes through (the one asked for, or the most recently added live one).
type Decision struct {
	Delivery siyu.Delivery
	Reason   siyu.SkipReason // empty when admitted
	RetryAt  time.Time       // for quiet hours: when they end
}

// Admitted reports whether the delivery may go.
func (d Decision) Admitted() bool { return d.Reason == "" }

// Skip is the decision as a siyu.Skip.
func (d Decision) Skip() siyu.Skip {
	return siyu.Skip{Key: d.Delivery.Key, Reason: d.Reason, RetryAt: d.RetryAt}
}

// Admit re-checks deliveries at send time and records the admitted ones in
// reach_log in the same write transaction. A key already recorded is
// admitted again (if the person may still be reached at all) without
// counting twice. Admissions of one workspace are serialised, so
// concurrent callers, on one node or several, never exceed a cap.
func (p *Policy) Admit(ctx context.Context, workspaceID int64, ds []siyu.Delivery, at time.Time) ([]siyu.Delivery, []siyu.Skip, error) {
	if err := validate(ds); err != nil {
		return nil, nil, err
	}
	set, err := p.Settings(ctx, workspaceID)
	if err != nil {
		return nil, nil, err
	}
	var decisions []Decision
	err = p.store.AdmitReach(ctx, workspaceID, func(r store.ReachReader) ([]store.ReachEntry, error) {
		c, err := newChecker(set, at)
		if err != nil {
			return nil, err
		}
		var record []store.ReachEntry
		decisions, record, err = c.decide(ctx, r, ds, true)
		return record, err
	})
	if err != nil {
		return nil, nil, err
	}
	var admitted []siyu.Delivery
	var skipped []siyu.Skip
	for _, d := range decisions {
		if d.Admitted() {
			admitted = append(admitted, d.Delivery)
		} else {
			skipped = append(skipped, d.Skip())
		}
	}
	return admitted, skipped, nil
}

// Plan decides deliveries without recording anything: the preview of a
// send at at. Use NewPlan for an audience too large for one call.
func (p *Policy) Plan(ctx context.Context, workspaceID int64, ds []siyu.Delivery, at time.Time) ([]Decision, error) {
	pl, err := p.NewPlan(ctx, workspaceID, at)
	if err != nil {
		return nil, err
	}
	return pl.Decide(ctx, ds)
}

// A Planner previews one send in batches: it remembers what earlier
// batches took of each account's daily quota, so that a large audience is
// planned as it will be sent.
type Planner struct {
	reader  store.ReachReader
	checker *checker
}

// NewPlan starts a preview of a send at at.
func (p *Policy) NewPlan(ctx context.Context, workspaceID int64, at time.Time) (*Planner, error) {
	set, err := p.Settings(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	c, err := newChecker(set, at)
	if err != nil {
		return nil, err
	}
	return &Planner{reader: p.store.Reach(workspaceID), checker: c}, nil
}

// Settings returns the limits the plan applies.
func (pl *Planner) Settings() Settings { return pl.checker.set }

// Decide decides a batch; the admitted ones count against the quotas of
// later batches.
func (pl *Planner) Decide(ctx context.Context, ds []siyu.Delivery) ([]Decision, error) {
	if err := validate(ds); err != nil {
		return nil, err
	}
	out, _, err := pl.checker.decide(ctx, pl.reader, ds, true)
	return out, err
}

// Check decides a batch as if it were sent but without taking anything:
// for a holdout group, whose members would have been reached.
func (pl *Planner) Check(ctx context.Context, ds []siyu.Delivery) ([]Decision, error) {
	if err := validate(ds); err != nil {
		return nil, err
	}
	out, _, err := pl.checker.decide(ctx, pl.reader, ds, false)
	return out, err
}

func validate(ds []siyu.Delivery) error {
	for i, d := range ds {
		bad := func(field, msg string) error {
			return siyu.RowError{Line: i + 1, Field: field, Msg: msg}
		}
		if d.Key == "" {
			return bad("key", "missing idempotency key")
		}
		switch d.Channel {
		case siyu.ReachSingle:
			if d.CustomerID == 0 {
				return bad("customer_id", "a 1:1 delivery needs a customer")
			}
		case siyu.ReachGroup, siyu.ReachMoment, siyu.ReachWelcome:
		default:
			return bad("channel", fmt.Sprintf("unknown channel %q", d.Channel))
		}
	}
	return nil
}
