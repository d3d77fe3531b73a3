package server

import (
	"context"

	"siyu.dev/siyu/emulator"
	"siyu.dev/siyu/store"
)

// adoptDemoContacts hands the demo's seeded accounts and their live
// contacts to the emulator, so that WeCom (emulated) and Siyu start from
// the same relations: a sync then keeps them, and campaigns to the demo's
// customers really go out through the emulator.
func (s *Server) adoptDemoContacts(ctx context.Context, ws int64, emu *emulator.Emulator) error {
	accounts, err := s.cfg.Store.Accounts(ctx, ws)
	if err != nil {
		return err
	}
	live := false
	for _, a := range accounts {
		var adopted []emulator.Adopted
		for offset := 0; ; {
			page, err := s.cfg.Store.ListContacts(ctx, ws, store.ContactQuery{AccountID: a.ID, Deleted: &live, Limit: 500, Offset: offset})
			if err != nil {
				return err
			}
			for _, c := range page.Contacts {
				adopted = append(adopted, emulator.Adopted{ExternalUserID: c.ExternalUserID, Nickname: c.CustomerName, AddedAt: c.AddedAt, State: c.State})
			}
			offset += len(page.Contacts)
			if len(page.Contacts) == 0 || offset >= page.Total {
				break
			}
		}
		if err := emu.AdoptContacts(emulator.Member{UserID: a.WeComUserID, Name: a.Name}, adopted); err != nil {
			return err
		}
	}
	return nil
}
