// Package identity decides, for a batch of incoming records (orders, events,
// contacts), which customer each belongs to, which identifiers are new, and
// which existing customers must be merged because one record links them.
//
// It is pure and deterministic: the store loads the owners of the batch's
// identifiers, asks for a Plan and applies it in the same transaction, so
// resolution is incremental (it touches only what the batch names) and,
// because the store serialises plans per workspace, correct under concurrent
// imports.
//
// The rules:
//   - every identifier belongs to exactly one customer;
//   - a record whose identifiers belong to nobody creates a new customer;
//   - a record whose identifiers belong to two or more customers links them:
//     they are merged into the oldest (smallest id), unless the pair was
//     explicitly unmerged before (Blocked), in which case the record goes to
//     the oldest and nobody is merged;
//   - weak signals (names, addresses, masked phones) are not identifiers and
//     never reach this package.
package identity

import (
	"slices"

	"siyu.dev/siyu"
)

// Record is the identifying part of one incoming record. Identifiers must be
// normalised (and, for PII, already replaced by their lookup keys).
type Record struct {
	Identifiers []siyu.Identifier
	// Known, when set, is a customer the record is already known to belong
	// to, e.g. the one a per-order channel code was made for. It links like
	// an identifier would, with KnownCause as the reason.
	Known      int64
	KnownCause siyu.Identifier
}

// Merge says that customer Merged is folded into Survivor because record
// Record carried Cause, an identifier owned by Merged, alongside one owned by
// Survivor.
type Merge struct {
	Survivor, Merged int64
	Cause            siyu.Identifier
	Record           int
}

// NewIdentity is an identifier no customer had, now given to Customer.
type NewIdentity struct {
	Identifier siyu.Identifier
	Customer   int64
	Record     int
}

// Plan is the outcome for a batch. Customer ids below zero are customers to
// create (-1, -2, ... in order of creation); the store gives them real ids.
type Plan struct {
	Assign        []int64 // per record: its customer
	NewCustomers  []int64 // placeholders to create, in order
	NewIdentities []NewIdentity
	Merges        []Merge // existing customers to merge, to be applied in order
}

// Owners maps an identifier to the customer that has it.
type Owners map[siyu.Identifier]int64

// Blocked reports whether two existing customers were unmerged and must not
// be merged again.
type Blocked func(a, b int64) bool

// kindRank orders identifier kinds by how much they are trusted when a tie
// must be broken.
var kindRank = func() map[siyu.IdentityKind]int {
	m := make(map[siyu.IdentityKind]int, len(siyu.IdentityKinds))
	for i, k := range siyu.IdentityKinds {
		m[k] = i
	}
	return m
}()

// older reports whether customer a was created before b: stored customers
// (positive ids) by id, then this batch's new ones in creation order.
func older(a, b int64) bool {
	switch {
	case a > 0 && b > 0:
		return a < b
	case a > 0:
		return true
	case b > 0:
		return false
	default:
		return a > b // -1 was created before -2
	}
}

// PlanBatch resolves records against the owners of their identifiers.
// owners is not modified.
func PlanBatch(records []Record, owners Owners, blocked Blocked) Plan {
	p := Plan{Assign: make([]int64, len(records))}
	owner := make(map[siyu.Identifier]int64, len(owners))
	for id, c := range owners {
		owner[id] = c
	}
	parent := map[int64]int64{} // merged (or folded placeholder) -> survivor
	find := func(c int64) int64 {
		for {
			next, ok := parent[c]
			if !ok {
				return c
			}
			c = next
		}
	}
	next := int64(-1)
	type cand struct {
		customer int64
		cause    siyu.Identifier
	}
	var cands []cand
	var ids []siyu.Identifier
	for i, r := range records {
		ids = append(ids[:0], r.Identifiers...)
		slices.SortStableFunc(ids, func(a, b siyu.Identifier) int { return kindRank[a.Kind] - kindRank[b.Kind] })
		cands = cands[:0]
		if r.Known > 0 {
			cands = append(cands, cand{find(r.Known), r.KnownCause})
		}
		for _, id := range ids {
			c, ok := owner[id]
			if !ok {
				continue
			}
			c = find(c)
			if !slices.ContainsFunc(cands, func(x cand) bool { return x.customer == c }) {
				cands = append(cands, cand{c, id})
			}
		}
		var target int64
		if len(cands) == 0 {
			target = next
			next--
			p.NewCustomers = append(p.NewCustomers, target)
		} else {
			slices.SortStableFunc(cands, func(a, b cand) int {
				if older(a.customer, b.customer) {
					return -1
				}
				if older(b.customer, a.customer) {
					return 1
				}
				return 0
			})
			target = cands[0].customer
			for _, c := range cands[1:] {
				if c.customer > 0 && blocked != nil && blocked(target, c.customer) {
					continue
				}
				parent[c.customer] = target
				if c.customer > 0 {
					p.Merges = append(p.Merges, Merge{Survivor: target, Merged: c.customer, Cause: c.cause, Record: i})
				}
			}
		}
		p.Assign[i] = target
		for _, id := range ids {
			if _, ok := owner[id]; !ok {
				owner[id] = target
				p.NewIdentities = append(p.NewIdentities, NewIdentity{Identifier: id, Customer: target, Record: i})
			}
		}
	}
	// Point everything at the final survivors; drop placeholders folded into
	// another customer within the batch.
	for i := range p.Assign {
		p.Assign[i] = find(p.Assign[i])
	}
	for i := range p.NewIdentities {
		p.NewIdentities[i].Customer = find(p.NewIdentities[i].Customer)
	}
	kept := p.NewCustomers[:0]
	for _, c := range p.NewCustomers {
		if find(c) == c {
			kept = append(kept, c)
		}
	}
	p.NewCustomers = kept
	return p
}
