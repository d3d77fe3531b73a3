package store

import (
	"context"
	"time"
)

// BulkContact is a contact for BulkContacts, already resolved to a
// customer and an account.
type BulkContact struct {
	Customer       int64
	Account        int64
	ExternalUserID string
	AddedAt        time.Time
}

// BulkContacts writes live contacts as they are: no resolution, no
// identities. With PostgreSQL it uses COPY. For benchmarks only, like
// NewCustomers.
func (s *Store) BulkContacts(ctx context.Context, workspaceID int64, contacts []BulkContact) error {
	rows := make([][]any, len(contacts))
	for i, c := range contacts {
		rows[i] = []any{workspaceID, c.Customer, c.Account, c.ExternalUserID, ms(c.AddedAt)}
	}
	return s.bulkInsert(ctx, workspaceID, "contacts", []string{"workspace_id", "customer_id", "account_id", "external_userid", "added_at"}, rows)
}
