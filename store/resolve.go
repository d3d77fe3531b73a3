package store

import (
	"context"
	"slices"

	"siyu.dev/siyu"
	"siyu.dev/siyu/identity"
)

// person is the identifying part of one incoming record plus the weak
// attributes used only to fill in a new customer.
type person struct {
	ids      []siyu.Identifier // normalised
	known    int64             // a live customer of the workspace the record belongs to, if known
	via      siyu.Identifier   // why known: e.g. the channel code's state
	name     string
	province string
	city     string
}

// resolution is the outcome of resolveTx.
type resolution struct {
	customers    []int64 // per person
	newCustomers int
	merges       int
	touched      []int64 // survivors whose rows changed through a merge
	// erased marks the people who carried an identifier of an erased
	// person: they are attached to that person's empty shell, and the
	// caller must not store their personal details.
	erased []bool
}

// resolveTx attaches every person to a customer inside the write transaction:
// it loads only the owners of the identifiers at hand, plans, creates new
// customers, applies merges and records new identities.
func (s *Store) resolveTx(ctx context.Context, t *tx, ws int64, people []person, source string) (resolution, error) {
	res := resolution{customers: make([]int64, len(people))}
	records := make([]identity.Record, len(people))
	original := map[siyu.Identifier]siyu.Identifier{} // stored key -> normalised value
	byKind := map[siyu.IdentityKind][]any{}
	for i, p := range people {
		keys := make([]siyu.Identifier, len(p.ids))
		for j, id := range p.ids {
			k := siyu.Identifier{Kind: id.Kind, Value: s.pii.key(id)}
			keys[j] = k
			if _, seen := original[k]; !seen {
				original[k] = id
				byKind[k.Kind] = append(byKind[k.Kind], k.Value)
			}
		}
		records[i] = identity.Record{Identifiers: keys, Known: p.known, KnownCause: p.via}
	}

	// People carrying an erased identifier go to the erased shell, with
	// no identifier or name: nothing re-identifies them.
	res.erased = make([]bool, len(people))
	shells, err := t.valueOwners(ctx, "erased_identities", ws, byKind)
	if err != nil {
		return res, err
	}
	if len(shells) > 0 {
		for i := range records {
			for _, k := range records[i].Identifiers {
				if shell, ok := shells[k]; ok {
					records[i] = identity.Record{Known: shell}
					res.erased[i] = true
					break
				}
			}
		}
		byKind = map[siyu.IdentityKind][]any{}
		for _, r := range records {
			for _, k := range r.Identifiers {
				byKind[k.Kind] = append(byKind[k.Kind], k.Value)
			}
		}
	}

	found, err := t.valueOwners(ctx, "identities", ws, byKind)
	if err != nil {
		return res, err
	}
	owners := identity.Owners(found)

	blocked, err := s.loadBlocks(ctx, t, ws, owners)
	if err != nil {
		return res, err
	}
	plan := identity.PlanBatch(records, owners, blocked)

	// Create the new customers, named after the first record that made them.
	real := map[int64]int64{}
	if n := len(plan.NewCustomers); n > 0 {
		ids, err := t.newIDs(ctx, "customers", n)
		if err != nil {
			return res, err
		}
		first := map[int64]int{}
		for i, c := range plan.Assign {
			if _, ok := first[c]; !ok && c < 0 {
				first[c] = i
			}
		}
		rows := make([][]any, n)
		now := ms(t.now)
		for i, ph := range plan.NewCustomers {
			real[ph] = ids[i]
			p := people[first[ph]]
			rows[i] = []any{ids[i], ws, p.name, p.province, p.city, now, now}
		}
		if err := t.insertRows(ctx, "customers", []string{"id", "workspace_id", "name", "province", "city", "created_at", "updated_at"}, rows, ""); err != nil {
			return res, err
		}
		res.newCustomers = n
	}
	resolve := func(c int64) int64 {
		if c < 0 {
			return real[c]
		}
		return c
	}

	for _, m := range plan.Merges {
		cause, ok := original[m.Cause]
		if !ok {
			cause = m.Cause // a link that is not an identifier, such as a channel code
		}
		if err := s.mergeTx(ctx, t, ws, m.Survivor, m.Merged, cause, source); err != nil {
			return res, err
		}
		res.merges++
		res.touched = append(res.touched, m.Survivor)
	}

	if len(plan.NewIdentities) > 0 {
		rows := make([][]any, 0, len(plan.NewIdentities))
		ids, err := t.newIDs(ctx, "identities", len(plan.NewIdentities))
		if err != nil {
			return res, err
		}
		now := ms(t.now)
		for i, ni := range plan.NewIdentities {
			orig := original[ni.Identifier]
			rows = append(rows, []any{ids[i], ws, resolve(ni.Customer), string(ni.Identifier.Kind), ni.Identifier.Value,
				siyu.DisplayIdentifier(orig), s.pii.seal(orig, false), source, now})
		}
		if err := t.insertRows(ctx, "identities", []string{"id", "workspace_id", "customer_id", "kind", "value", "display", "secret", "source", "created_at"}, rows, ""); err != nil {
			return res, err
		}
	}
	for i, c := range plan.Assign {
		res.customers[i] = resolve(c)
	}
	return res, nil
}

// loadBlocks returns the unmerge blocks among the customers that own the
// batch's identifiers. Usually there are none and no query is needed.
func (s *Store) loadBlocks(ctx context.Context, t *tx, ws int64, owners identity.Owners) (identity.Blocked, error) {
	distinct := map[int64]bool{}
	for _, c := range owners {
		distinct[c] = true
	}
	if len(distinct) < 2 {
		return nil, nil
	}
	var any1 int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM merge_blocks WHERE workspace_id = ?`, ws).Scan(&any1); err != nil {
		return nil, err
	}
	if any1 == 0 {
		return nil, nil
	}
	ids := make([]int64, 0, len(distinct))
	for c := range distinct {
		ids = append(ids, c)
	}
	slices.Sort(ids)
	pairs := map[[2]int64]bool{}
	err := chunks(ids, 5000, func(part []int64) error {
		args := append([]any{ws}, int64Args(part)...)
		rows, err := t.query(ctx, `SELECT a, b FROM merge_blocks WHERE workspace_id = ? AND a IN (`+placeholders(len(part))+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a, b int64
			if err := rows.Scan(&a, &b); err != nil {
				return err
			}
			pairs[[2]int64{a, b}] = true
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return func(a, b int64) bool {
		if a > b {
			a, b = b, a
		}
		return pairs[[2]int64{a, b}]
	}, nil
}

// valueOwners returns the customer that table (identities, or
// erased_identities for the erased) records for each of the stored
// identifier keys given by kind.
func (t *tx) valueOwners(ctx context.Context, table string, ws int64, byKind map[siyu.IdentityKind][]any) (map[siyu.Identifier]int64, error) {
	out := map[siyu.Identifier]int64{}
	for _, kind := range siyu.IdentityKinds {
		values := byKind[kind]
		for start := 0; start < len(values); start += 5000 {
			part := values[start:min(start+5000, len(values))]
			rows, err := t.query(ctx, `SELECT value, customer_id FROM `+table+` WHERE workspace_id = ? AND kind = ? AND value IN (`+placeholders(len(part))+`)`,
				append([]any{ws, string(kind)}, part...)...)
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				var v string
				var c int64
				if err := rows.Scan(&v, &c); err != nil {
					rows.Close()
					return nil, err
				}
				out[siyu.Identifier{Kind: kind, Value: v}] = c
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
