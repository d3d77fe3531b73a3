package emulator

import (
	"fmt"
	"time"

	"siyu.dev/siyu/wecom"
)

// Adopted is a customer relation that exists outside the emulator — the
// demo's seeded contacts — taken over as if WeCom had it all along.
type Adopted struct {
	ExternalUserID string
	UnionID        string
	Nickname       string
	AddedAt        time.Time
	State          string
}

// AdoptContacts makes member one of the corp's members (if it is not) and
// gives it these customers, creating people for external_userids the
// emulator does not know. No callbacks are sent: the relations predate
// the app. The adopted people take part in mass messages, moments and
// syncs like any other; they do not act on their own.
func (e *Emulator) AdoptContacts(member Member, contacts []Adopted) error {
	if member.UserID == "" {
		return fmt.Errorf("emulator: adopt: member without userid")
	}
	e.lockedNow()
	defer e.mu.Unlock()
	m := e.st.memberBy[member.UserID]
	if m == nil {
		m = &memberState{Member: member}
		e.st.members = append(e.st.members, m)
		e.st.memberBy[member.UserID] = m
		e.pop.Members = append(e.pop.Members, member)
	}
	for _, c := range contacts {
		if c.ExternalUserID == "" {
			return fmt.Errorf("emulator: adopt: contact of %s without external_userid", member.UserID)
		}
		p := e.personBy[c.ExternalUserID]
		if p == nil {
			p = &person{User: User{Index: len(e.people), Name: c.Nickname, Nickname: c.Nickname, UnionID: c.UnionID, ExternalUserID: c.ExternalUserID}}
			e.people = append(e.people, p)
			e.personBy[p.ExternalUserID] = p
		}
		if e.followOf(member.UserID, p.ExternalUserID) == nil {
			e.addFollow(m, p, c.AddedAt, wecom.AddWayPhoneSearch, member.UserID, c.State)
		}
	}
	return nil
}
