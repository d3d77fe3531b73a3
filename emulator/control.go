package emulator

import (
	"fmt"
	"slices"

	"siyu.dev/siyu"
	"siyu.dev/siyu/wecom"
)

// The control API: the people and the console, for tests and the demo.
// Everything here stands in for something done on a phone or in the admin
// console, so it pushes the callbacks WeCom would push.

// ScanResult is what a scan led to.
type ScanResult struct {
	UserID         string `json:"userid"`
	ExternalUserID string `json:"external_userid"`
	ConfigID       string `json:"config_id,omitempty"`
	State          string `json:"state,omitempty"`
	WelcomeCode    string `json:"welcome_code,omitempty"`
}

// Scan has population user scan a contact way, named by config_id or by
// state, and add its member at once (the member accepts at once even when
// the way needs verification). It pushes add_external_contact with the
// State and a WelcomeCode. With several members on the way, the members take
// scans in turn (skipping one the user is already a customer of).
func (e *Emulator) Scan(code string, user int) (ScanResult, error) {
	now := e.lockedNow()
	defer e.mu.Unlock()
	p, err := e.user(user)
	if err != nil {
		return ScanResult{}, err
	}
	w := e.st.wayBy[code]
	if w == nil {
		for _, x := range e.st.contactWays {
			if !x.deleted && x.State == code && code != "" {
				w = x
				break
			}
		}
	}
	if w == nil {
		return ScanResult{}, fmt.Errorf("emulator: no contact way with config_id or state %q", code)
	}
	if !w.usable(now) {
		return ScanResult{}, fmt.Errorf("emulator: contact way %s can no longer be used (temporary and used or expired)", w.ConfigID)
	}
	for _, m := range e.inTurn(w) {
		if e.followOf(m.UserID, p.ExternalUserID) == nil {
			wc := e.startAdd(p, m, w, now, true)
			return ScanResult{UserID: m.UserID, ExternalUserID: p.ExternalUserID, ConfigID: w.ConfigID, State: w.State, WelcomeCode: wc}, nil
		}
	}
	return ScanResult{}, fmt.Errorf("emulator: user %d is already a customer of every member of contact way %s", user, w.ConfigID)
}

// AddDirectly has a user add a member without a channel code (searching
// their number or from a shared card): no State.
func (e *Emulator) AddDirectly(userID string, user int) (ScanResult, error) {
	now := e.lockedNow()
	defer e.mu.Unlock()
	p, err := e.user(user)
	if err != nil {
		return ScanResult{}, err
	}
	m, merr := e.member(userID)
	if merr != nil {
		return ScanResult{}, merr
	}
	if e.followOf(m.UserID, p.ExternalUserID) != nil {
		return ScanResult{}, fmt.Errorf("emulator: user %d is already a customer of %s", user, userID)
	}
	wc := e.startAdd(p, m, nil, now, true)
	return ScanResult{UserID: m.UserID, ExternalUserID: p.ExternalUserID, WelcomeCode: wc}, nil
}

// ConfirmMassMessage is the member pressing "send" on a mass message: the
// customers (or groups) still reachable and under the frequency cap get it.
func (e *Emulator) ConfirmMassMessage(msgID, userID string) error {
	now := e.lockedNow()
	defer e.mu.Unlock()
	m := e.st.massBy[msgID]
	if m == nil {
		return errorf(wecom.ErrCodeInvalidMsgID, "invalid msgid: %s", msgID)
	}
	for _, t := range m.tasks {
		if t.userID == userID {
			return e.confirmTask(m, t, now)
		}
	}
	return fmt.Errorf("emulator: mass message %s has no task for %s", msgID, userID)
}

// DeleteContact ends a relation: by siyu.DeletedByCustomer (the customer
// deletes the member: del_follow_user) or siyu.DeletedByAccount (the member
// deletes the customer: del_external_contact).
func (e *Emulator) DeleteContact(userID, externalUserID, by string) error {
	now := e.lockedNow()
	defer e.mu.Unlock()
	f := e.followOf(userID, externalUserID)
	if f == nil {
		return errorf(wecom.ErrCodeNoExternalContactRelation, "%s is not a customer of %s", externalUserID, userID)
	}
	switch by {
	case siyu.DeletedByCustomer:
		e.customerDeletes(f, now)
	case siyu.DeletedByAccount:
		e.removeFollow(f)
		e.emit(wecom.Event{
			Event: wecom.EventChangeExternalContact, ChangeType: wecom.ChangeDelExternalContact,
			UserID: userID, ExternalUserID: externalUserID,
		}, now)
	default:
		return fmt.Errorf("emulator: deleted by %q: want %q or %q", by, siyu.DeletedByCustomer, siyu.DeletedByAccount)
	}
	return nil
}

// EditContact is the member changing the remark or the corp tags of a
// customer on their client: edit_external_contact. A nil remark is left
// alone.
func (e *Emulator) EditContact(userID, externalUserID string, remark *string, addTags, removeTags []string) error {
	now := e.lockedNow()
	defer e.mu.Unlock()
	f := e.followOf(userID, externalUserID)
	if f == nil {
		return errorf(wecom.ErrCodeNoExternalContactRelation, "%s is not a customer of %s", externalUserID, userID)
	}
	if len(addTags) > 0 || len(removeTags) > 0 {
		if err := e.markTags(f, addTags, removeTags); err != nil {
			return err
		}
	}
	if remark != nil {
		f.remark = *remark
	}
	e.emit(wecom.Event{
		Event: wecom.EventChangeExternalContact, ChangeType: wecom.ChangeEditExternalContact,
		UserID: userID, ExternalUserID: externalUserID,
	}, now)
	return nil
}

// CreateTagInConsole is an admin adding a corp tag in the admin console
// (the group is created when missing): change_external_tag/create for the
// tag, or for the group when it is new.
func (e *Emulator) CreateTagInConsole(groupName, tagName string) (tagID string, err error) {
	now := e.lockedNow()
	defer e.mu.Unlock()
	g, made, newGroup, aerr := e.createTags("", groupName, 0, []wecom.NewCorpTag{{Name: tagName}}, now)
	if aerr != nil {
		return "", aerr
	}
	ev := wecom.Event{Event: wecom.EventChangeExternalTag, ChangeType: wecom.ChangeCreate, ID: made[0].id, TagType: wecom.TagTypeTag}
	if newGroup {
		ev.ID, ev.TagType = g.id, wecom.TagTypeTagGroup
	}
	e.emit(ev, now)
	return made[0].id, nil
}

// DeleteTagInConsole is an admin deleting a corp tag or tag group:
// change_external_tag/delete. Deleting a group sends no event per tag.
func (e *Emulator) DeleteTagInConsole(id string) error {
	now := e.lockedNow()
	defer e.mu.Unlock()
	if t := e.st.tags[id]; t != nil {
		e.deleteTag(t)
		e.emit(wecom.Event{Event: wecom.EventChangeExternalTag, ChangeType: wecom.ChangeDelete, ID: id, TagType: wecom.TagTypeTag}, now)
		return nil
	}
	if g := e.st.groupBy[id]; g != nil {
		e.deleteTagGroup(g)
		e.emit(wecom.Event{Event: wecom.EventChangeExternalTag, ChangeType: wecom.ChangeDelete, ID: id, TagType: wecom.TagTypeTagGroup}, now)
		return nil
	}
	return errorf(wecom.ErrCodeInvalidTagID, "invalid tag id: %s", id)
}

// JoinGroup has a user join a group. code is a join way's config_id (they
// scanned its QR code: JoinScene 3, the way's state, a new room when all
// are full and auto_create_room is on) or a chat_id (the owner invited
// them). It returns the group joined.
func (e *Emulator) JoinGroup(code string, user int) (chatID string, err error) {
	now := e.lockedNow()
	defer e.mu.Unlock()
	p, err := e.user(user)
	if err != nil {
		return "", err
	}
	if w := e.st.joinWayBy[code]; w != nil && !w.deleted {
		g, err := e.joinViaWay(w, p, now)
		if g == nil {
			return "", err
		}
		return g.chatID, err
	}
	g, gerr := e.group(code)
	if gerr != nil {
		return "", gerr
	}
	return g.chatID, e.joinGroup(g, p, wecom.JoinSceneInvited, g.owner, "", now, e.pol.GroupMemberCap, true)
}

// LeaveGroup has a user leave a group by themselves.
func (e *Emulator) LeaveGroup(chatID string, user int) error {
	now := e.lockedNow()
	defer e.mu.Unlock()
	p, err := e.user(user)
	if err != nil {
		return err
	}
	g, gerr := e.group(chatID)
	if gerr != nil {
		return gerr
	}
	return e.leaveGroup(g, p.ExternalUserID, wecom.QuitSceneSelf, now)
}

// CreateGroup is a member creating a customer group on their client with
// some users in it: change_external_chat/create.
func (e *Emulator) CreateGroup(owner, name string, users []int) (chatID string, err error) {
	now := e.lockedNow()
	defer e.mu.Unlock()
	m, merr := e.member(owner)
	if merr != nil {
		return "", merr
	}
	var people []*person
	for _, u := range users {
		p, err := e.user(u)
		if err != nil {
			return "", err
		}
		people = append(people, p)
	}
	if e.pol.GroupMemberCap > 0 && len(people)+1 > e.pol.GroupMemberCap {
		return "", errGroupFull
	}
	g := e.createGroup(m, name, now, true)
	for _, p := range people {
		if !g.has(p.ExternalUserID) {
			_ = e.joinGroup(g, p, wecom.JoinSceneInvited, owner, "", now, 0, false)
		}
	}
	return g.chatID, nil
}

// DismissGroup is the owner dismissing a group: change_external_chat/dismiss.
func (e *Emulator) DismissGroup(chatID string) error {
	now := e.lockedNow()
	defer e.mu.Unlock()
	g, err := e.group(chatID)
	if err != nil {
		return err
	}
	g.dismissed = true
	e.emit(wecom.Event{Event: wecom.EventChangeExternalChat, ChangeType: wecom.ChangeDismiss, ChatID: chatID}, now)
	return nil
}

// PublishMoment is a member publishing a corp moment on their client.
func (e *Emulator) PublishMoment(momentID, userID string) error {
	now := e.lockedNow()
	defer e.mu.Unlock()
	m, err := e.momentByID(momentID)
	if err != nil {
		return err
	}
	t, err := m.senderTask(userID, false)
	if err != nil {
		return err
	}
	return e.publishMoment(m, t, now)
}

// ReactToMoment has a user like (or comment on) the moment a member
// published. They must be among those it reached.
func (e *Emulator) ReactToMoment(momentID, userID string, user int, comment bool) error {
	now := e.lockedNow()
	defer e.mu.Unlock()
	p, perr := e.user(user)
	if perr != nil {
		return perr
	}
	m, err := e.momentByID(momentID)
	if err != nil {
		return err
	}
	t, err := m.senderTask(userID, true)
	if err != nil {
		return err
	}
	if !slices.Contains(t.delivered, p.ExternalUserID) {
		return fmt.Errorf("emulator: user %d did not receive moment %s from %s", user, momentID, userID)
	}
	e.react(t, p.ExternalUserID, comment, now)
	return nil
}

// ResignMember marks a member as resigned: their customers appear in
// get_unassigned_list and their groups wait for a new owner.
func (e *Emulator) ResignMember(userID string) error {
	now := e.lockedNow()
	defer e.mu.Unlock()
	m, err := e.member(userID)
	if err != nil {
		return err
	}
	m.resigned, m.resignedAt = true, now
	for _, g := range e.st.groups {
		if g.owner == userID && !g.dismissed {
			g.status = wecom.GroupStatusResignedPending
		}
	}
	return nil
}

// Buy has a user place an order now, in their usual shop.
func (e *Emulator) Buy(user int) (siyu.OrderInput, error) {
	now := e.lockedNow()
	defer e.mu.Unlock()
	p, err := e.user(user)
	if err != nil {
		return siyu.OrderInput{}, err
	}
	return e.placeOrder(p, now), nil
}

// UserByExternalID returns the population user behind an external_userid.
func (e *Emulator) UserByExternalID(externalUserID string) (User, bool) {
	p := e.personBy[externalUserID]
	if p == nil {
		return User{}, false
	}
	return p.User, true
}
