package wecomsync

import (
	"context"
	"errors"
	"strings"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/wecom"
)

// contactAdded handles add/half-add/edit: it reads the contact's details
// (the callback carries only ids), stores the relationship, joins it to the
// customer its channel code was made for, applies the code's tags and sends
// its welcome message while the welcome code is still valid.
func (s *Service) contactAdded(ctx context.Context, ws int64, ev wecom.Event) error {
	client, _, err := s.Client(ctx, ws)
	if err != nil {
		return err
	}
	var code siyu.ChannelCode
	if ev.State != "" {
		code, err = s.st.ChannelCodeByState(ctx, ws, ev.State)
		if err != nil && !errors.Is(err, siyu.ErrNotFound) {
			return err
		}
	}
	// The welcome code is valid for 20 s after the event: send first, then
	// do the slower bookkeeping.
	if ev.WelcomeCode != "" && code.Welcome != "" {
		err := client.SendWelcomeMsg(ctx, wecom.SendWelcomeMsgRequest{WelcomeCode: ev.WelcomeCode, Text: &wecom.TextContent{Content: code.Welcome}})
		var apiErr *wecom.APIError
		switch {
		case err == nil:
		case errors.As(err, &apiErr) && (apiErr.Code == wecom.ErrCodeWelcomeAlreadyDelivered || apiErr.Code == wecom.ErrCodeInvalidWelcomeCode):
			// Already welcomed (another app, or a retried event) or too late:
			// nothing more to do, and not worth a WeCom retry.
			s.log.Info("welcome message not sent", "code", apiErr.Code)
		default:
			return err
		}
	}
	var follow *wecom.FollowUser
	ec := wecom.ExternalContact{ExternalUserID: ev.ExternalUserID}
	detail, err := client.GetExternalContact(ctx, ev.ExternalUserID, "")
	var apiErr *wecom.APIError
	switch {
	case err == nil:
		ec = detail.ExternalContact
		for i := range detail.FollowUser {
			if detail.FollowUser[i].UserID == ev.UserID {
				follow = &detail.FollowUser[i]
			}
		}
	case errors.As(err, &apiErr) && apiErr.Code == wecom.ErrCodeNoExternalContactRelation:
		// Already gone again (callbacks can trail the facts): record the
		// person from what the event says, ended (below).
	default:
		return err
	}
	in := contactInput(ev.UserID, ec, follow)
	if in.AddedAt.IsZero() && ev.CreateTime > 0 {
		in.AddedAt = time.Unix(ev.CreateTime, 0)
	}
	if in.State == "" {
		in.State = ev.State
	}
	in.CustomerID = code.CustomerID
	if follow == nil {
		// WeCom no longer has this relationship: the callback trails the
		// facts (a del event came before it, or follows it). Record the
		// person, but not as a live contact, so that an add or edit that
		// arrives after its delete does not bring the contact back.
		gone := time.Unix(ev.CreateTime, 0)
		if ev.CreateTime == 0 {
			gone = time.Now()
		}
		in.DeletedAt, in.DeletedBy = &gone, DeletedBySync
	}
	if err := s.ensureAccount(ctx, ws, ev.UserID); err != nil {
		return err
	}
	if _, err := s.st.UpsertContacts(ctx, ws, []store.ContactInput{in}); err != nil {
		return err
	}
	if err := s.st.FissionContactChanged(ctx, ws, ev.UserID, ev.ExternalUserID); err != nil { // an invite of a fission activity?
		return err
	}
	if len(code.Tags) > 0 {
		who := [][]siyu.Identifier{{{Kind: siyu.KindExternalUser, Value: ev.ExternalUserID}}}
		for _, name := range code.Tags {
			if err := s.st.TagCustomers(ctx, ws, siyu.Tag{Name: name, GroupName: "渠道"}, who, "channel_code"); err != nil {
				return err
			}
		}
	}
	if follow != nil {
		return s.applyFollowTags(ctx, ws, ev.ExternalUserID, follow.Tags)
	}
	return nil
}

// contactInput turns WeCom's view of a contact into the store's.
func contactInput(userID string, ec wecom.ExternalContact, follow *wecom.FollowUser) store.ContactInput {
	in := store.ContactInput{AccountUserID: userID, ExternalUserID: ec.ExternalUserID, Name: ec.Name}
	if ec.UnionID != "" {
		in.Identifiers = append(in.Identifiers, siyu.Identifier{Kind: siyu.KindUnionID, Value: ec.UnionID})
	}
	if follow != nil {
		in.State, in.Remark = follow.State, follow.Remark
		if follow.CreateTime > 0 {
			in.AddedAt = time.Unix(int64(follow.CreateTime), 0)
		}
		in.Identifiers = append(in.Identifiers, remarkPhones(follow.RemarkMobiles)...)
	}
	return in
}

// remarkPhones keeps the phone numbers an associate noted that are real
// mainland mobiles; anything else is a note, not an identifier.
func remarkPhones(mobiles []string) []siyu.Identifier {
	var ids []siyu.Identifier
	for _, m := range mobiles {
		if p, err := siyu.NormalizePhone(m); err == nil {
			ids = append(ids, siyu.Identifier{Kind: siyu.KindPhone, Value: p})
		}
	}
	return ids
}

// applyFollowTags mirrors the corp tags a member put on a customer.
func (s *Service) applyFollowTags(ctx context.Context, ws int64, externalUserID string, tags []wecom.FollowUserTag) error {
	who := [][]siyu.Identifier{{{Kind: siyu.KindExternalUser, Value: externalUserID}}}
	for _, t := range tags {
		if t.TagID == "" || strings.TrimSpace(t.TagName) == "" {
			continue // personal tags stay the member's own
		}
		if err := s.st.TagCustomers(ctx, ws, siyu.Tag{Name: t.TagName, GroupName: t.GroupName, WeComTagID: t.TagID}, who, "wecom"); err != nil {
			return err
		}
	}
	return nil
}

// ensureAccount makes sure a WeCom member is known as an account.
func (s *Service) ensureAccount(ctx context.Context, ws int64, userID string) error {
	accounts, err := s.st.Accounts(ctx, ws)
	if err != nil {
		return err
	}
	for _, a := range accounts {
		if a.WeComUserID == userID {
			if a.Active {
				return nil
			}
			// A member who came back (or got the permission again).
			a.Active = true
			_, err := s.st.UpsertAccount(ctx, ws, a)
			return err
		}
	}
	_, err = s.st.UpsertAccount(ctx, ws, siyu.Account{WeComUserID: userID, Name: userID, Active: true})
	return err
}

// syncGroup reads one group and stores it with its whole member list.
func (s *Service) syncGroup(ctx context.Context, ws int64, chatID string) error {
	client, _, err := s.Client(ctx, ws)
	if err != nil {
		return err
	}
	g, err := client.GroupChatGet(ctx, chatID, true)
	if err != nil {
		return err
	}
	if err := s.ensureAccount(ctx, ws, g.Owner); err != nil {
		return err
	}
	in := store.GroupInput{ChatID: g.ChatID, Name: g.Name, OwnerUserID: g.Owner, CreatedAt: time.Unix(int64(g.CreateTime), 0), Complete: true}
	for _, m := range g.MemberList {
		if m.Type != wecom.GroupMemberExternal {
			continue
		}
		ids := []siyu.Identifier{{Kind: siyu.KindExternalUser, Value: m.UserID}}
		if m.UnionID != "" {
			ids = append(ids, siyu.Identifier{Kind: siyu.KindUnionID, Value: m.UnionID})
		}
		in.Members = append(in.Members, store.GroupMemberInput{Identifiers: ids, Name: m.Name, JoinedAt: time.Unix(int64(m.JoinTime), 0)})
	}
	if _, err = s.st.UpsertGroup(ctx, ws, in); err != nil {
		return err
	}
	return s.st.FissionGroupChanged(ctx, ws, chatID) // joins and quits of a fission activity's group
}

// syncTags mirrors the corp tag library.
func (s *Service) syncTags(ctx context.Context, ws int64) error {
	client, _, err := s.Client(ctx, ws)
	if err != nil {
		return err
	}
	groups, err := client.GetCorpTagList(ctx, wecom.GetCorpTagListRequest{})
	if err != nil {
		return err
	}
	var tags []siyu.Tag
	for _, g := range groups {
		if g.Deleted {
			continue
		}
		for _, t := range g.Tag {
			if !t.Deleted {
				tags = append(tags, siyu.Tag{Name: t.Name, GroupName: g.GroupName, WeComTagID: t.ID})
			}
		}
	}
	return s.st.UpsertTags(ctx, ws, tags)
}
