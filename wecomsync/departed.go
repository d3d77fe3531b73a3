package wecomsync

import (
	"context"
	"slices"

	"siyu.dev/siyu/store"
)

// deactivateDeparted deactivates the workspace's active accounts that are
// not among WeCom's members with customer contact any more (they left the
// company or lost the permission): their open tasks go to another operator
// of the same persona, or to the pool, and mass sends only they could
// confirm are cancelled. members is sorted.
func (s *Service) deactivateDeparted(ctx context.Context, ws int64, members []string) (int, error) {
	accounts, err := s.st.Accounts(ctx, ws)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, a := range accounts {
		if !a.Active {
			continue
		}
		if _, found := slices.BinarySearch(members, a.WeComUserID); found {
			continue
		}
		if _, err := s.st.DeactivateAccount(ctx, ws, a.ID, store.System); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
