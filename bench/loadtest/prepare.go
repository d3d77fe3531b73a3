package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/analytics"
	"siyu.dev/siyu/auth"
	"siyu.dev/siyu/store"
)

const (
	workspaceSlug = "load"
	consoleLogin  = "load"
	// The console password and the secret key are fixed: the prepared
	// database is a throwaway benchmark fixture, and a rerun must open it.
	consolePassword = "load-test-password"
	preparedMarker  = "loadtest-prepared" // API token name written last by prepare
	runTokenName    = "loadtest-run"
)

// seedEpoch anchors the seeded orders, so that the same seed always gives
// the same database.
var seedEpoch = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func secretKey(seed uint64) []byte {
	k := sha256.Sum256(fmt.Appendf(nil, "siyu load test %d", seed))
	return k[:]
}

func openStore(ctx context.Context, dsn string, seed uint64) (*store.Store, error) {
	return store.Open(ctx, dsn, store.Options{SecretKey: secretKey(seed)})
}

// prepare makes sure the store holds the load workspace with n seeded
// customers and a fresh analytics snapshot; a store prepared before is
// reused as it is.
func prepare(ctx context.Context, st *store.Store, n int) (siyu.Workspace, error) {
	ws, err := st.WorkspaceBySlug(ctx, workspaceSlug)
	if err == nil {
		tokens, err := st.ListAPITokens(ctx, ws.ID)
		if err != nil {
			return ws, err
		}
		for _, t := range tokens {
			if t.Name == preparedMarker {
				fmt.Fprintf(os.Stderr, "loadtest: reusing the prepared workspace %q\n", ws.Slug)
				return ws, nil
			}
		}
		return ws, fmt.Errorf("workspace %q exists but its preparation did not finish: start from an empty database", workspaceSlug)
	}
	if !errors.Is(err, siyu.ErrNotFound) {
		return ws, err
	}
	if ws, err = st.CreateWorkspace(ctx, workspaceSlug, "Load test"); err != nil {
		return ws, err
	}
	start := time.Now()
	const chunk = 10000
	rows := make([]siyu.OrderInput, 0, chunk)
	for done := 0; done < n; done += chunk {
		rows = rows[:0]
		for i := done; i < min(done+chunk, n); i++ {
			rows = append(rows, seedOrder(i, seedEpoch))
		}
		res, err := st.ImportOrders(ctx, ws.ID, rows, "loadtest")
		if err != nil {
			return ws, err
		}
		if len(res.Errors) > 0 {
			return ws, fmt.Errorf("seeding customers: %v", res.Errors[0])
		}
		fmt.Fprintf(os.Stderr, "\rloadtest: %d customers imported (%.0f/s)   ", done+len(rows), float64(done+len(rows))/time.Since(start).Seconds())
	}
	fmt.Fprintf(os.Stderr, "\nloadtest: %d customers in %.1fs; refreshing analytics for the dashboard\n", n, time.Since(start).Seconds())
	start = time.Now()
	if _, err := analytics.NewService(st).Refresh(ctx, ws.ID); err != nil {
		return ws, fmt.Errorf("analytics: %w", err)
	}
	fmt.Fprintf(os.Stderr, "loadtest: analytics refreshed in %.1fs\n", time.Since(start).Seconds())
	secret := auth.NewToken("siyu_")
	_, err = st.CreateAPIToken(ctx, ws.ID, preparedMarker, siyu.RoleAnalyst, auth.HashToken(secret), auth.TokenPrefix(secret))
	return ws, err
}

// access creates this run's API token, as `siyu token create` does, and
// the console user (its password set again, as `siyu user create` sets
// it). generation counts the runs on this store before this one; it keeps
// the new buyers of each run apart.
func access(ctx context.Context, st *store.Store, ws siyu.Workspace) (token string, generation int, err error) {
	tokens, err := st.ListAPITokens(ctx, ws.ID)
	if err != nil {
		return "", 0, err
	}
	for _, t := range tokens {
		if t.Name == runTokenName {
			generation++
		}
	}
	token = auth.NewToken("siyu_")
	if _, err := st.CreateAPIToken(ctx, ws.ID, runTokenName, siyu.RoleOperator, auth.HashToken(token), auth.TokenPrefix(token)); err != nil {
		return "", 0, err
	}
	hash, err := auth.HashPassword(consolePassword)
	if err != nil {
		return "", 0, err
	}
	u, err := st.UserByLogin(ctx, consoleLogin)
	switch {
	case errors.Is(err, siyu.ErrNotFound):
		u, err = st.CreateUser(ctx, consoleLogin, "Load test", hash)
	case err == nil:
		err = st.SetPassword(ctx, u.ID, hash)
	}
	if err != nil {
		return "", 0, err
	}
	return token, generation, st.SetMembership(ctx, ws.ID, u.ID, siyu.RoleOperator)
}

// sampleCustomers draws, by seed, the ids of k seeded customers: they were
// created first, so they hold the n smallest ids. (Searching them by phone
// is what the load test measures, and too slow to do here.)
func sampleCustomers(ctx context.Context, st *store.Store, ws int64, n, k int, seed uint64) ([]int64, error) {
	var all []int64
	if err := st.AllCustomers(ctx, ws, func(id int64) error { all = append(all, id); return nil }); err != nil {
		return nil, err
	}
	if len(all) < n {
		return nil, fmt.Errorf("the store has %d customers, fewer than -customers %d", len(all), n)
	}
	slices.Sort(all)
	r := rand.New(rand.NewPCG(seed, 7))
	ids := make([]int64, k)
	for i := range ids {
		ids[i] = all[r.IntN(n)]
	}
	return ids, nil
}
