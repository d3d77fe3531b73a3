package server

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/demo"
	"siyu.dev/siyu/store"
)

// DemoCustomers is the size of the demo brand.
const DemoCustomers = 5000

// loadDemoData stores the seeded demo brand: accounts first (contacts and
// groups name them), then orders, contacts, groups, tags and events, each
// through the same resolution as real data.
func loadDemoData(ctx context.Context, st *store.Store, ws int64, log *slog.Logger) error {
	start := time.Now()
	ds := demo.Generate(demo.Config{Seed: 20240618, Customers: DemoCustomers, Now: time.Now()})
	for _, a := range ds.Accounts {
		if _, err := st.UpsertAccount(ctx, ws, a); err != nil {
			return fmt.Errorf("account %s: %w", a.WeComUserID, err)
		}
	}
	// Orders arrive over time, as real exports do, so people seen first on
	// separate channels get merged when an order links them.
	slices.SortStableFunc(ds.Orders, func(a, b siyu.OrderInput) int { return a.PlacedAt.Compare(b.PlacedAt) })
	res, err := st.ImportOrders(ctx, ws, ds.Orders, "demo")
	if err != nil {
		return fmt.Errorf("orders: %w", err)
	}
	if res.Rejected > 0 {
		return fmt.Errorf("orders: %d rejected, first: %v", res.Rejected, res.Errors[0])
	}
	contacts := make([]store.ContactInput, len(ds.Contacts))
	for i, c := range ds.Contacts {
		contacts[i] = store.ContactInput{AccountUserID: c.AccountUserID, ExternalUserID: c.ExternalUserID, Identifiers: c.Identifiers,
			Name: c.Name, Remark: c.Remark, State: c.State, AddedAt: c.AddedAt, DeletedAt: c.DeletedAt, DeletedBy: c.DeletedBy}
	}
	if _, err := st.UpsertContacts(ctx, ws, contacts); err != nil {
		return fmt.Errorf("contacts: %w", err)
	}
	for _, g := range ds.Groups {
		in := store.GroupInput{ChatID: g.ChatID, Name: g.Name, OwnerUserID: g.OwnerUserID, CreatedAt: g.CreatedAt, DismissedAt: g.DismissedAt}
		for _, m := range g.Members {
			in.Members = append(in.Members, store.GroupMemberInput{Identifiers: m.Identifiers, JoinedAt: m.JoinedAt, LeftAt: m.LeftAt})
		}
		if _, err := st.UpsertGroup(ctx, ws, in); err != nil {
			return fmt.Errorf("group %s: %w", g.ChatID, err)
		}
	}
	for _, t := range ds.Tags {
		people := make([][]siyu.Identifier, len(t.Customers))
		for i, c := range t.Customers {
			people[i] = c.Identifiers
		}
		if err := st.TagCustomers(ctx, ws, siyu.Tag{Name: t.Name, GroupName: t.GroupName, WeComTagID: t.WeComTagID}, people, "demo"); err != nil {
			return fmt.Errorf("tag %s: %w", t.Name, err)
		}
	}
	if _, err := st.RecordEvents(ctx, ws, ds.Events); err != nil {
		return fmt.Errorf("events: %w", err)
	}
	log.Info("demo data loaded", "orders", res.Inserted, "customers", res.NewCustomers, "merges", res.Merges,
		"contacts", len(ds.Contacts), "groups", len(ds.Groups), "tags", len(ds.Tags), "events", len(ds.Events), "elapsed", time.Since(start).Round(time.Millisecond))
	return nil
}
