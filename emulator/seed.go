package emulator

import (
	"fmt"

	"siyu.dev/siyu/wecom"
)

// SeedContacts makes population users customers of a member at once, as if
// they had added the member before the app was set up: no callbacks, no
// welcome codes. It is how large tests get 100,000 contacts in a moment.
// Users who already are the member's customers are left alone.
func (e *Emulator) SeedContacts(userID string, users []int) error {
	now := e.lockedNow()
	defer e.mu.Unlock()
	m, merr := e.member(userID)
	if merr != nil {
		return merr
	}
	for _, u := range users {
		p, err := e.user(u)
		if err != nil {
			return err
		}
		if e.followOf(userID, p.ExternalUserID) == nil {
			e.addFollow(m, p, now, wecom.AddWayPhoneSearch, userID, "")
		}
	}
	return nil
}

// RemoveContactsQuietly ends relations without a callback, as when the
// push was lost: for tests of what a client learns only from API answers.
func (e *Emulator) RemoveContactsQuietly(userID string, externalUserIDs []string) error {
	e.lockedNow()
	defer e.mu.Unlock()
	for _, id := range externalUserIDs {
		f := e.followOf(userID, id)
		if f == nil {
			return fmt.Errorf("emulator: %s is not a customer of %s", id, userID)
		}
		e.removeFollow(f)
	}
	return nil
}

// MassReceived returns how many mass messages each recipient (an
// external_userid, or a chat_id for group messages) has received.
func (e *Emulator) MassReceived() map[string]int {
	e.lockedNow()
	defer e.mu.Unlock()
	out := make(map[string]int, len(e.st.received))
	for k, v := range e.st.received {
		out[k] = len(v)
	}
	return out
}
