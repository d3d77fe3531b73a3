package groups

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/wecom"
)

// Clients gives the WeCom client of a workspace; wecomsync.Service is one.
type Clients interface {
	Client(ctx context.Context, workspaceID int64) (*wecom.Client, siyu.WeComApp, error)
}

// Enqueuer takes deliveries for sending at or after notBefore, idempotently
// by Delivery.Key; dispatch provides it.
type Enqueuer interface {
	Enqueue(ctx context.Context, ws int64, ds []siyu.Delivery, notBefore time.Time) (int, error)
}

// Service runs campaign groups.
type Service struct {
	Store    *store.Store
	Clients  Clients  // nil: activities cannot get a join QR
	Enqueuer Enqueuer // nil: messages cannot be sent
	Now      func() time.Time
}

// New returns a service.
func New(st *store.Store, clients Clients, enq Enqueuer) *Service {
	return &Service{Store: st, Clients: clients, Enqueuer: enq}
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Task kinds this package creates: the steps WeCom leaves to the owner's
// client.
const (
	TaskCreateGroup  = "create_group"
	TaskDismissGroup = "dismiss_group"
)

// ErrNoWeCom is returned when the workspace has no WeCom client.
var ErrNoWeCom = errors.New("groups: WeCom is not configured")

// CreateTemplate validates and stores a template.
func (s *Service) CreateTemplate(ctx context.Context, ws int64, t store.GroupTemplate) (store.GroupTemplate, error) {
	if err := CheckTemplate(&t); err != nil {
		return t, err
	}
	return s.Store.CreateGroupTemplate(ctx, ws, t)
}

// ActivityDraft names a new activity and the template it runs.
type ActivityDraft struct {
	Name       string `json:"name"`
	TemplateID int64  `json:"template_id"`
}

// CreateActivity starts an activity from a template: it asks the owner
// (and each tutor of a layered template) to create the first groups, which
// Sync then adopts.
func (s *Service) CreateActivity(ctx context.Context, ws int64, d ActivityDraft) (store.GroupActivity, error) {
	t, err := s.Store.GroupTemplate(ctx, ws, d.TemplateID)
	if errors.Is(err, siyu.ErrNotFound) {
		return store.GroupActivity{}, invalid("template_id", "no template %d in this workspace", d.TemplateID)
	}
	if err != nil {
		return store.GroupActivity{}, err
	}
	return s.startActivity(ctx, ws, d.Name, t, 0)
}

func (s *Service) startActivity(ctx context.Context, ws int64, name string, t store.GroupTemplate, rebuiltFrom int64) (store.GroupActivity, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = t.Name
	}
	if utf8.RuneCountInString(name) > maxNameRunes {
		return store.GroupActivity{}, invalid("name", "at most %d characters", maxNameRunes)
	}
	a, err := s.Store.CreateGroupActivity(ctx, ws, store.GroupActivity{Name: name, TemplateID: t.ID, Template: t, OwnerAccountID: t.OwnerAccountID, RebuiltFrom: rebuiltFrom})
	if err != nil {
		return a, err
	}
	if err := s.askForGroup(ctx, ws, a, 1); err != nil {
		return a, err
	}
	for i, l := range t.Layers {
		detail := fmt.Sprintf("在企业微信客户端创建客户群「%s」（活动「%s」的小组，由你担任辅导老师），建好后 Siyu 会自动识别。", l.Name, a.Name)
		if _, err := s.Store.CreateTask(ctx, ws, siyu.Task{Kind: TaskCreateGroup, Title: "创建小组群「" + l.Name + "」", Detail: detail,
			AccountID: l.TutorAccountID, Ref: fmt.Sprintf("groups:%d:create:small:%d", a.ID, i+1)}); err != nil {
			return a, err
		}
	}
	return a, nil
}

// askForGroup creates the task for the owner to create the n-th group.
func (s *Service) askForGroup(ctx context.Context, ws int64, a store.GroupActivity, n int) error {
	t := a.Template
	name := GroupName(t.NamePattern, n)
	var b strings.Builder
	fmt.Fprintf(&b, "在企业微信客户端创建客户群「%s」（活动「%s」），建好后 Siyu 会自动识别并生成入群二维码。", name, a.Name)
	if t.Notice != "" {
		fmt.Fprintf(&b, "\n群公告：%s", t.Notice)
	}
	if len(t.Admins) > 0 {
		fmt.Fprintf(&b, "\n群管理员：%s", strings.Join(t.Admins, "、"))
	}
	if t.Welcome != "" {
		fmt.Fprintf(&b, "\n入群欢迎语：%s", t.Welcome)
	}
	_, err := s.Store.CreateTask(ctx, ws, siyu.Task{Kind: TaskCreateGroup, Title: "创建活动群「" + name + "」", Detail: b.String(),
		AccountID: a.OwnerAccountID, Ref: fmt.Sprintf("groups:%d:create:main:%d", a.ID, n)})
	return err
}

// SyncResult says what a Sync did.
type SyncResult struct {
	Adopted        []string `json:"adopted"` // chat ids newly attached
	JoinWayCreated bool     `json:"join_way_created"`
	JoinWayUpdated bool     `json:"join_way_updated"`
	Full           bool     `json:"full"` // every group is at the cap
	Dissolved      bool     `json:"dissolved"`
}

// Sync brings an activity up to date with WeCom: it adopts the groups the
// owner and tutors created and the ones the join way created on rollover,
// creates the join way once there is a group, keeps only groups with room
// (at most 5) behind the QR code, and marks the activity dissolved once
// every group was dismissed. It is safe to call any time, repeatedly.
func (s *Service) Sync(ctx context.Context, ws, activityID int64) (SyncResult, error) {
	var res SyncResult
	a, err := s.Store.GroupActivity(ctx, ws, activityID)
	if err != nil {
		return res, err
	}
	if a.Status == store.GroupActivityDissolved {
		return res, nil
	}
	gs, err := s.Store.ActivityGroups(ctx, ws, a.ID)
	if err != nil {
		return res, err
	}
	if adopted, err := s.adoptHandMade(ctx, ws, a, gs); err != nil {
		return res, err
	} else if len(adopted) > 0 {
		res.Adopted = append(res.Adopted, adopted...)
		if gs, err = s.Store.ActivityGroups(ctx, ws, a.ID); err != nil {
			return res, err
		}
	}
	if len(gs) > 0 && allDismissed(gs) && a.Status == store.GroupActivityEnded {
		at := s.now()
		a.Status, a.EndedAt = store.GroupActivityDissolved, &at
		res.Dissolved = true
		return res, s.Store.UpdateGroupActivity(ctx, ws, a)
	}
	if a.Status != store.GroupActivityWaiting && a.Status != store.GroupActivityOpen {
		return res, nil
	}
	if len(liveMain(gs)) == 0 {
		return res, nil
	}
	if s.Clients == nil {
		return res, ErrNoWeCom
	}
	client, _, err := s.Clients.Client(ctx, ws)
	if err != nil {
		return res, err
	}
	if a.JoinConfigID == "" {
		return res, s.createJoinWay(ctx, ws, client, &a, gs, &res)
	}
	jw, err := client.GetJoinWay(ctx, a.JoinConfigID)
	if err != nil {
		return res, fmt.Errorf("activity %d: get_join_way: %w", a.ID, err)
	}
	// Groups the join way created on rollover are listed after ours.
	seq := maxSeq(gs)
	for _, chat := range jw.ChatIDList {
		if slices.ContainsFunc(gs, func(g store.ActivityGroup) bool { return g.ChatID == chat }) {
			continue
		}
		seq++
		err := s.Store.AttachActivityGroup(ctx, ws, a.ID, chat, seq, store.GroupRoleMain, 0)
		if errors.Is(err, siyu.ErrNotFound) { // its create callback has not been stored yet
			seq--
			continue
		}
		if err != nil {
			return res, err
		}
		res.Adopted = append(res.Adopted, chat)
	}
	if gs, err = s.Store.ActivityGroups(ctx, ws, a.ID); err != nil {
		return res, err
	}
	want, full := joinChats(gs, a.Template.MemberCap)
	res.Full = full
	if full && overfull(gs, a.Template.MemberCap) {
		// WeCom's own threshold is above the template's cap, so it will not
		// roll over in time: the owner creates the next group by hand.
		if err := s.askForGroup(ctx, ws, a, maxSeq(gs)+1); err != nil {
			return res, err
		}
	}
	if len(want) > 0 && !slices.Equal(want, jw.ChatIDList) {
		auto := 1
		err := client.UpdateJoinWay(ctx, wecom.UpdateJoinWayRequest{ConfigID: jw.ConfigID, Scene: wecom.SceneQRCode, Remark: jw.Remark,
			AutoCreateRoom: &auto, RoomBaseName: jw.RoomBaseName, RoomBaseID: jw.RoomBaseID, ChatIDList: want, State: jw.State})
		if err != nil {
			return res, fmt.Errorf("activity %d: update_join_way: %w", a.ID, err)
		}
		res.JoinWayUpdated = true
	}
	return res, nil
}

// adoptHandMade attaches the groups the owner and tutors created as asked:
// a live group of the right owner with the expected name that no activity
// has yet.
func (s *Service) adoptHandMade(ctx context.Context, ws int64, a store.GroupActivity, gs []store.ActivityGroup) ([]string, error) {
	var adopted []string
	if a.Status == store.GroupActivityWaiting || a.Status == store.GroupActivityOpen {
		seq := maxSeq(gs)
		for {
			found, err := s.Store.UnattachedGroups(ctx, ws, a.OwnerAccountID, []string{GroupName(a.Template.NamePattern, seq+1)})
			if err != nil || len(found) == 0 {
				if err != nil {
					return adopted, err
				}
				break
			}
			seq++
			if err := s.Store.AttachActivityGroup(ctx, ws, a.ID, found[0].ChatID, seq, store.GroupRoleMain, 0); err != nil {
				return adopted, err
			}
			adopted = append(adopted, found[0].ChatID)
		}
	}
	for i, l := range a.Template.Layers {
		if slices.ContainsFunc(gs, func(g store.ActivityGroup) bool { return g.Role == store.GroupRoleSmall && g.Seq == i+1 }) {
			continue
		}
		found, err := s.Store.UnattachedGroups(ctx, ws, l.TutorAccountID, []string{l.Name})
		if err != nil {
			return adopted, err
		}
		if len(found) == 0 {
			continue
		}
		if err := s.Store.AttachActivityGroup(ctx, ws, a.ID, found[0].ChatID, i+1, store.GroupRoleSmall, l.TutorAccountID); err != nil {
			return adopted, err
		}
		adopted = append(adopted, found[0].ChatID)
	}
	return adopted, nil
}

// JoinState is the state of an activity's join way: it tells the activity
// in group details.
func JoinState(activityID int64) string { return fmt.Sprintf("ga%d", activityID) }

func (s *Service) createJoinWay(ctx context.Context, ws int64, client *wecom.Client, a *store.GroupActivity, gs []store.ActivityGroup, res *SyncResult) error {
	want, full := joinChats(gs, a.Template.MemberCap)
	res.Full = full
	auto := 1
	remark := a.Name
	if utf8.RuneCountInString(remark) > wecom.MaxRemarkLen {
		remark = string([]rune(remark)[:wecom.MaxRemarkLen])
	}
	state := JoinState(a.ID)
	id, err := client.AddJoinWay(ctx, wecom.AddJoinWayRequest{Scene: wecom.SceneQRCode, Remark: remark, AutoCreateRoom: &auto,
		RoomBaseName: roomBaseName(a.Template.NamePattern), RoomBaseID: int64(maxSeq(gs)), ChatIDList: want, State: state})
	if err != nil {
		return fmt.Errorf("activity %d: add_join_way: %w", a.ID, err)
	}
	// Record the config id before anything else can fail, so that a retry
	// does not create a second way.
	a.JoinConfigID, a.JoinState, a.Status = id, state, store.GroupActivityOpen
	if err := s.Store.UpdateGroupActivity(ctx, ws, *a); err != nil {
		return err
	}
	jw, err := client.GetJoinWay(ctx, id)
	if err != nil {
		return fmt.Errorf("activity %d: get_join_way: %w", a.ID, err)
	}
	a.JoinQR = jw.QRCode
	res.JoinWayCreated = true
	return s.Store.UpdateGroupActivity(ctx, ws, *a)
}

// Fill is how many places a group has taken: its customers plus the owner
// (the store keeps customers only; WeCom's cap counts the owner too).
func Fill(g store.ActivityGroup) int { return g.Members + 1 }

// joinChats picks the groups behind the QR code: the live rollover groups
// with room, in order, at most 5. When none has room it keeps the last one,
// so that WeCom's auto_create_room makes the next group when it is full.
func joinChats(gs []store.ActivityGroup, cap int) (chats []string, full bool) {
	live := liveMain(gs)
	for _, g := range live {
		if Fill(g) < cap && len(chats) < wecom.MaxJoinWayChats {
			chats = append(chats, g.ChatID)
		}
	}
	if len(chats) == 0 && len(live) > 0 {
		return []string{live[len(live)-1].ChatID}, true
	}
	return chats, false
}

func overfull(gs []store.ActivityGroup, cap int) bool {
	return slices.ContainsFunc(liveMain(gs), func(g store.ActivityGroup) bool { return Fill(g) > cap })
}

func liveMain(gs []store.ActivityGroup) []store.ActivityGroup {
	var out []store.ActivityGroup
	for _, g := range gs {
		if g.Role == store.GroupRoleMain && g.DismissedAt == nil {
			out = append(out, g)
		}
	}
	return out
}

func allDismissed(gs []store.ActivityGroup) bool {
	return !slices.ContainsFunc(gs, func(g store.ActivityGroup) bool { return g.DismissedAt == nil })
}

func maxSeq(gs []store.ActivityGroup) int {
	n := 0
	for _, g := range gs {
		if g.Role == store.GroupRoleMain && g.Seq > n {
			n = g.Seq
		}
	}
	return n
}

// SyncAll syncs every activity of a workspace that is not dissolved; the
// errors of single activities are joined.
func (s *Service) SyncAll(ctx context.Context, ws int64) error {
	as, err := s.Store.GroupActivities(ctx, ws)
	if err != nil {
		return err
	}
	var errs []error
	for _, a := range as {
		if a.Status == store.GroupActivityDissolved {
			continue
		}
		if _, err := s.Sync(ctx, ws, a.ID); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
