package groups

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
)

// End closes an activity: it schedules the guide message (asking members
// to add the owner account) for every group at at, and from then on the
// activity's report counts who added the owner after it. The join QR stops
// taking new groups. Ending twice is refused.
func (s *Service) End(ctx context.Context, ws, activityID int64, guide siyu.Message, at time.Time) (store.GroupActivity, error) {
	a, err := s.Store.GroupActivity(ctx, ws, activityID)
	if err != nil {
		return a, err
	}
	if a.Status != store.GroupActivityOpen && a.Status != store.GroupActivityWaiting {
		return a, fmt.Errorf("%w: activity %d is %s already", siyu.ErrConflict, a.ID, a.Status)
	}
	if at.IsZero() {
		at = s.now()
	}
	at = at.UTC().Truncate(time.Millisecond)
	if _, err := s.schedule(ctx, ws, a.ID, store.GroupMessageGuide, guide, at); err != nil {
		return a, err
	}
	a.Status, a.GuideAt = store.GroupActivityEnded, &at
	return a, s.Store.UpdateGroupActivity(ctx, ws, a)
}

// Report is the end-of-activity result: of the members in the groups when
// the guide message went out, who added the owner account after it.
type Report struct {
	ActivityID int64      `json:"activity_id"`
	GuideAt    *time.Time `json:"guide_at,omitempty"`
	Members    int        `json:"members"`         // customers in a group of the activity at GuideAt
	Added      int        `json:"added"`           // of them, became contacts of the owner after GuideAt
	Already    int        `json:"already_contact"` // were contacts of the owner before
	NotAdded   int        `json:"not_added"`
	Rate       float64    `json:"rate"` // Added / (Members - Already)
	AddedIDs   []int64    `json:"added_ids"`
}

// Report computes an ended activity's guide report.
func (s *Service) Report(ctx context.Context, ws, activityID int64) (Report, error) {
	a, err := s.Store.GroupActivity(ctx, ws, activityID)
	if err != nil {
		return Report{}, err
	}
	r := Report{ActivityID: a.ID, GuideAt: a.GuideAt, AddedIDs: []int64{}}
	if a.GuideAt == nil {
		return r, nil
	}
	spans, err := s.spans(ctx, ws, a.ID)
	if err != nil {
		return r, err
	}
	members := MembersAt(spans, *a.GuideAt)
	first, err := s.Store.FirstContacts(ctx, ws, a.OwnerAccountID, members)
	if err != nil {
		return r, err
	}
	r.Members = len(members)
	for _, id := range members {
		at, ok := first[id]
		switch {
		case !ok:
			r.NotAdded++
		case at.Before(*a.GuideAt):
			r.Already++
		default:
			r.Added++
			r.AddedIDs = append(r.AddedIDs, id)
		}
	}
	if n := r.Members - r.Already; n > 0 {
		r.Rate = float64(r.Added) / float64(n)
	}
	return r, nil
}

func (s *Service) spans(ctx context.Context, ws, activityID int64) ([]store.GroupSpan, error) {
	gs, err := s.Store.ActivityGroups(ctx, ws, activityID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(gs))
	for i, g := range gs {
		ids[i] = g.GroupID
	}
	return s.Store.GroupSpans(ctx, ws, ids)
}

// MembersAt lists the distinct customers in any of the spans' groups at t.
func MembersAt(spans []store.GroupSpan, t time.Time) []int64 {
	var out []int64
	for _, sp := range spans {
		if !sp.JoinedAt.After(t) && (sp.LeftAt == nil || sp.LeftAt.After(t)) {
			out = append(out, sp.CustomerID)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Dissolve asks the owners to dismiss the activity's live groups. WeCom
// has no API to dismiss a customer group (only the owner can, in the
// client), so each becomes an operator task; the dismiss callbacks then
// mark the groups, and Sync marks the activity dissolved when all are.
func (s *Service) Dissolve(ctx context.Context, ws, activityID int64) ([]siyu.Task, error) {
	a, err := s.Store.GroupActivity(ctx, ws, activityID)
	if err != nil {
		return nil, err
	}
	if a.Status != store.GroupActivityEnded {
		return nil, fmt.Errorf("%w: end activity %d (send the guide message) before dissolving it", siyu.ErrConflict, a.ID)
	}
	gs, err := s.Store.ActivityGroups(ctx, ws, a.ID)
	if err != nil {
		return nil, err
	}
	var out []siyu.Task
	for _, g := range gs {
		if g.DismissedAt != nil {
			continue
		}
		account := g.OwnerAccountID
		if account == 0 {
			account = a.OwnerAccountID
		}
		t, err := s.Store.CreateTask(ctx, ws, siyu.Task{Kind: TaskDismissGroup, Title: "解散群「" + g.Name + "」",
			Detail:    fmt.Sprintf("活动「%s」已结束。企业微信没有解散客户群的接口：请群主在企业微信客户端打开该群 → 群设置 → 解散群聊。解散后 Siyu 会自动记录。", a.Name),
			AccountID: account, Ref: "groups:dismiss:" + g.ChatID})
		if err != nil {
			return out, err
		}
		out = append(out, t)
	}
	return out, nil
}

// Rebuild starts a new activity from an old one's template whose audience
// is the old activity's past members: once its first group exists (Sync),
// Invite sends them the new join QR code 1:1.
func (s *Service) Rebuild(ctx context.Context, ws, fromActivityID int64, name string) (store.GroupActivity, error) {
	old, err := s.Store.GroupActivity(ctx, ws, fromActivityID)
	if err != nil {
		return old, err
	}
	return s.startActivity(ctx, ws, name, old.Template, old.ID)
}

// InviteResult says what Invite handed to dispatch.
type InviteResult struct {
	PastMembers int `json:"past_members"`
	Enqueued    int `json:"enqueued"`
	NotContact  int `json:"not_contact"` // not a live contact of the owner account: cannot be messaged 1:1
}

// InviteKey is the idempotency key of a rebuilt activity's invitation.
func InviteKey(activityID, customerID int64) string {
	return fmt.Sprintf("groups:%d:invite:%d", activityID, customerID)
}

// Invite sends a rebuilt activity's join QR code to every past member of
// the activity it was rebuilt from, 1:1 from the owner account (so only to
// those who are its contacts: the guide message's work), at at through
// dispatch and the reach policy. Invitations are keyed by activity and
// customer, so inviting again reaches no one twice.
func (s *Service) Invite(ctx context.Context, ws, activityID int64, text string, at time.Time) (InviteResult, error) {
	var res InviteResult
	a, err := s.Store.GroupActivity(ctx, ws, activityID)
	if err != nil {
		return res, err
	}
	switch {
	case a.RebuiltFrom == 0:
		return res, fmt.Errorf("%w: activity %d was not rebuilt from another", siyu.ErrConflict, a.ID)
	case a.JoinQR == "":
		return res, fmt.Errorf("%w: activity %d has no join QR code yet: its first group must exist", siyu.ErrConflict, a.ID)
	case s.Enqueuer == nil:
		return res, ErrNoDispatch
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return res, invalid("text", "missing")
	}
	spans, err := s.spans(ctx, ws, a.RebuiltFrom)
	if err != nil {
		return res, err
	}
	var past []int64
	for _, sp := range spans {
		past = append(past, sp.CustomerID)
	}
	slices.Sort(past)
	past = slices.Compact(past)
	res.PastMembers = len(past)
	live, err := s.Store.LiveContactIDs(ctx, ws, a.OwnerAccountID, past)
	if err != nil {
		return res, err
	}
	senders, err := s.senders(ctx, ws)
	if err != nil {
		return res, err
	}
	msg := siyu.Message{Text: text, Link: &siyu.LinkContent{Title: a.Name, Desc: "扫码加入新群", URL: a.JoinQR}}
	var ds []siyu.Delivery
	for _, id := range past {
		ext, ok := live[id]
		if !ok {
			res.NotContact++
			continue
		}
		ds = append(ds, siyu.Delivery{Key: InviteKey(a.ID, id), WorkspaceID: ws, CustomerID: id, AccountID: a.OwnerAccountID,
			Sender: senders[a.OwnerAccountID], ExternalUserID: ext, Channel: siyu.ReachSingle, Message: msg})
	}
	if len(ds) == 0 {
		return res, nil
	}
	if at.IsZero() {
		at = s.now()
	}
	res.Enqueued, err = s.Enqueuer.Enqueue(ctx, ws, ds, at)
	return res, err
}
