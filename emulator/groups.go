package emulator

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"siyu.dev/siyu/wecom"
)

const (
	errCodeInvalidChatID    = 40050 // chatid不存在
	errCodeGroupDismissed   = 49008 // 群已经解散
	errCodeTooManyJoinChats = 41091 // 配置客户群进群方式最多只能关联5个群
)

// errGroupFull is returned when a group is at its member cap.
var errGroupFull = errors.New("emulator: the group is full")

// memberVersion is the member_version / MemVer of a group: it changes
// whenever the member list does.
func (g *groupChat) memberVersion() string {
	sum := sha1.Sum([]byte(g.chatID + "|" + strconv.Itoa(g.version)))
	return hex.EncodeToString(sum[:16])
}

func (g *groupChat) has(userID string) bool {
	return slices.ContainsFunc(g.members, func(m *groupMember) bool { return m.userID == userID })
}

func (g *groupChat) externalCount() int {
	n := 0
	for _, m := range g.members {
		if m.typ == wecom.GroupMemberExternal {
			n++
		}
	}
	return n
}

// createGroup makes a group owned by a member, as the member does in the
// client. It pushes change_external_chat/create when emit is set.
func (e *Emulator) createGroup(owner *memberState, name string, at time.Time, emit bool) *groupChat {
	g := &groupChat{chatID: e.id.chatID(), name: name, owner: owner.UserID, created: at, version: 1}
	g.members = append(g.members, &groupMember{
		userID: owner.UserID, typ: wecom.GroupMemberInternal, joinTime: at, joinScene: wecom.JoinSceneInvited, name: owner.Name,
	})
	e.st.groups = append(e.st.groups, g)
	e.st.groupByID[g.chatID] = g
	if emit {
		e.emit(wecom.Event{Event: wecom.EventChangeExternalChat, ChangeType: wecom.ChangeCreate, ChatID: g.chatID}, at)
	}
	return g
}

// joinGroup adds a WeChat user to a group. scene is as groupchat/get
// reports it; invitor is the member who invited them, if any.
func (e *Emulator) joinGroup(g *groupChat, p *person, scene int, invitor, state string, at time.Time, cap int, emit bool) error {
	if g.dismissed {
		return errorf(errCodeGroupDismissed, "group %s was dismissed", g.chatID)
	}
	if g.has(p.ExternalUserID) {
		return errorf(wecom.ErrCodeInvalidParameter, "user %d is already in group %s", p.Index, g.chatID)
	}
	if cap > 0 && len(g.members) >= cap {
		return errGroupFull
	}
	last := g.memberVersion()
	g.members = append(g.members, &groupMember{
		userID: p.ExternalUserID, typ: wecom.GroupMemberExternal, unionID: p.UnionID, joinTime: at,
		joinScene: scene, invitor: invitor, name: p.Nickname, state: state,
	})
	g.version++
	if emit {
		eventScene := wecom.EventJoinSceneByMember
		if scene == wecom.JoinSceneQRCode {
			eventScene = wecom.EventJoinSceneQRCode
		}
		e.emit(wecom.Event{
			Event: wecom.EventChangeExternalChat, ChangeType: wecom.ChangeUpdate, ChatID: g.chatID,
			UpdateDetail: wecom.UpdateAddMember, JoinScene: eventScene, MemChangeCnt: 1,
			MemChangeList: []string{p.ExternalUserID}, LastMemVer: last, CurMemVer: g.memberVersion(),
		}, at)
	}
	return nil
}

// leaveGroup removes a WeChat user; quitScene says whether they left or
// were removed.
func (e *Emulator) leaveGroup(g *groupChat, extID string, quitScene int, at time.Time) error {
	if g.dismissed {
		return errorf(errCodeGroupDismissed, "group %s was dismissed", g.chatID)
	}
	if !g.has(extID) {
		return errorf(wecom.ErrCodeInvalidParameter, "%s is not in group %s", extID, g.chatID)
	}
	last := g.memberVersion()
	g.members = slices.DeleteFunc(g.members, func(m *groupMember) bool { return m.userID == extID })
	g.version++
	e.emit(wecom.Event{
		Event: wecom.EventChangeExternalChat, ChangeType: wecom.ChangeUpdate, ChatID: g.chatID,
		UpdateDetail: wecom.UpdateDelMember, QuitScene: quitScene, MemChangeCnt: 1,
		MemChangeList: []string{extID}, LastMemVer: last, CurMemVer: g.memberVersion(),
	}, at)
	return nil
}

// joinViaWay puts a user who scanned a join way's QR code into the first of
// its groups with room, creating a new group when all are full and the way
// allows it.
func (e *Emulator) joinViaWay(w *joinWay, p *person, at time.Time) (*groupChat, error) {
	threshold := e.pol.JoinWayRoomThreshold
	if threshold <= 0 || e.pol.GroupMemberCap > 0 && threshold > e.pol.GroupMemberCap {
		threshold = e.pol.GroupMemberCap
	}
	var last *groupChat
	for _, id := range w.ChatIDList {
		g := e.st.groupByID[id]
		if g == nil || g.dismissed {
			continue
		}
		last = g
		if g.has(p.ExternalUserID) {
			return g, errorf(wecom.ErrCodeInvalidParameter, "user %d is already in group %s", p.Index, g.chatID)
		}
		if threshold <= 0 || len(g.members) < threshold {
			return g, e.joinGroup(g, p, wecom.JoinSceneQRCode, "", w.State, at, e.pol.GroupMemberCap, true)
		}
	}
	if w.AutoCreateRoom != 1 || last == nil {
		return nil, errGroupFull
	}
	owner := e.st.memberBy[last.owner]
	if owner == nil || owner.resigned {
		return nil, errGroupFull
	}
	w.rooms++
	base := w.RoomBaseName
	if base == "" {
		base = last.name
	}
	g := e.createGroup(owner, base+strconv.FormatInt(w.RoomBaseID+int64(w.rooms), 10), at, true)
	w.ChatIDList = append(w.ChatIDList, g.chatID)
	return g, e.joinGroup(g, p, wecom.JoinSceneQRCode, "", w.State, at, e.pol.GroupMemberCap, true)
}

func (e *Emulator) group(chatID string) (*groupChat, *Error) {
	if chatID == "" {
		return nil, errorf(wecom.ErrCodeInvalidParameter, "missing chat_id")
	}
	g := e.st.groupByID[chatID]
	if g == nil {
		return nil, errorf(errCodeInvalidChatID, "invalid chat_id: %s", chatID)
	}
	if g.dismissed {
		return nil, errorf(errCodeGroupDismissed, "group dismissed: %s", chatID)
	}
	return g, nil
}

// POST groupchat/list
func apiGroupChatList(e *Emulator, c *call) (any, error) {
	var req wecom.GroupChatListRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.Limit < 1 || req.Limit > wecom.MaxGroupChatListLimit {
		return nil, errorf(wecom.ErrCodeInvalidParameter, "limit must be 1..%d", wecom.MaxGroupChatListLimit)
	}
	var owners []string
	if req.OwnerFilter != nil {
		owners = req.OwnerFilter.UserIDList
		if len(owners) > wecom.MaxOwnerFilterUserIDs {
			return nil, errorf(wecom.ErrCodeInvalidParameter, "owner_filter.userid_list exceeds %d", wecom.MaxOwnerFilterUserIDs)
		}
	}
	var refs []wecom.GroupChatRef
	for _, g := range e.st.groups {
		if g.dismissed || req.StatusFilter != 0 && g.status != req.StatusFilter {
			continue
		}
		if len(owners) > 0 && !slices.Contains(owners, g.owner) {
			continue
		}
		refs = append(refs, wecom.GroupChatRef{ChatID: g.chatID, Status: g.status})
	}
	page, next, err := paginate(refs, req.Cursor, req.Limit)
	if err != nil {
		return nil, err
	}
	return wecom.GroupChatListResponse{Response: wecom.OK, GroupChatList: append([]wecom.GroupChatRef{}, page...), NextCursor: next}, nil
}

// POST groupchat/get
func apiGroupChatGet(e *Emulator, c *call) (any, error) {
	var req wecom.GroupChatGetRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	g, err := e.group(req.ChatID)
	if err != nil {
		return nil, err
	}
	gc := wecom.GroupChat{
		ChatID: g.chatID, Name: g.name, Owner: g.owner, CreateTime: wecom.Timestamp(g.created.Unix()),
		Notice: g.notice, MemberList: []wecom.GroupChatMember{}, MemberVersion: g.memberVersion(),
	}
	for _, m := range g.members {
		gm := wecom.GroupChatMember{
			UserID: m.userID, Type: m.typ, UnionID: m.unionID, JoinTime: wecom.Timestamp(m.joinTime.Unix()),
			JoinScene: m.joinScene, GroupNickname: m.nickname,
		}
		if m.invitor != "" {
			gm.Invitor = &wecom.GroupChatAdmin{UserID: m.invitor}
		}
		if req.NeedName == 1 {
			gm.Name = m.name
		}
		gc.MemberList = append(gc.MemberList, gm)
	}
	for _, a := range g.admins {
		gc.AdminList = append(gc.AdminList, wecom.GroupChatAdmin{UserID: a})
	}
	return wecom.GroupChatGetResponse{Response: wecom.OK, GroupChat: gc}, nil
}

// checkJoinWay validates the fields add_join_way and update_join_way share.
func (e *Emulator) checkJoinWay(scene int, chats []string, roomBaseName, state string) *Error {
	if scene != wecom.SceneMiniProgram && scene != wecom.SceneQRCode {
		return errorf(wecom.ErrCodeInvalidParameter, "invalid scene %d", scene)
	}
	if len(chats) == 0 {
		return errorf(wecom.ErrCodeInvalidParameter, "chat_id_list is empty")
	}
	if len(chats) > wecom.MaxJoinWayChats {
		return errorf(errCodeTooManyJoinChats, "chat_id_list exceeds %d", wecom.MaxJoinWayChats)
	}
	for _, id := range chats {
		if _, err := e.group(id); err != nil {
			return err
		}
	}
	if n := utf8.RuneCountInString(roomBaseName); n > wecom.MaxRoomBaseName {
		return errorf(wecom.ErrCodeInvalidParameter, "room_base_name too long: %d chars, max %d", n, wecom.MaxRoomBaseName)
	}
	return checkState(state)
}

// truncateRunes cuts s to n characters: join way remarks are truncated,
// not refused.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// POST groupchat/add_join_way
func apiAddJoinWay(e *Emulator, c *call) (any, error) {
	var req wecom.AddJoinWayRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if err := e.checkJoinWay(req.Scene, req.ChatIDList, req.RoomBaseName, req.State); err != nil {
		return nil, err
	}
	auto := 1
	if req.AutoCreateRoom != nil {
		auto = *req.AutoCreateRoom
	}
	if auto != 0 && auto != 1 {
		return nil, errorf(wecom.ErrCodeInvalidParameter, "auto_create_room must be 0 or 1")
	}
	w := &joinWay{
		JoinWay: wecom.JoinWay{
			ConfigID: e.id.configID(), Scene: req.Scene, Remark: truncateRunes(req.Remark, wecom.MaxRemarkLen),
			AutoCreateRoom: auto, RoomBaseName: req.RoomBaseName, RoomBaseID: req.RoomBaseID,
			ChatIDList: slices.Clone(req.ChatIDList), State: req.State,
		},
		created: c.now,
	}
	if req.Scene == wecom.SceneQRCode {
		w.QRCode = e.qrCode()
	}
	e.st.joinWays = append(e.st.joinWays, w)
	e.st.joinWayBy[w.ConfigID] = w
	return wecom.AddJoinWayResponse{Response: wecom.OK, ConfigID: w.ConfigID}, nil
}

func (e *Emulator) joinWayByID(id string) (*joinWay, *Error) {
	if id == "" {
		return nil, errorf(wecom.ErrCodeInvalidParameter, "missing config_id")
	}
	w := e.st.joinWayBy[id]
	if w == nil || w.deleted {
		return nil, errorf(wecom.ErrCodeInvalidParameter, "invalid config_id: %s", id)
	}
	return w, nil
}

// POST groupchat/get_join_way
func apiGetJoinWay(e *Emulator, c *call) (any, error) {
	var req wecom.ConfigIDRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	w, err := e.joinWayByID(req.ConfigID)
	if err != nil {
		return nil, err
	}
	jw := w.JoinWay
	jw.ChatIDList = slices.Clone(w.ChatIDList)
	return wecom.GetJoinWayResponse{Response: wecom.OK, JoinWay: jw}, nil
}

// POST groupchat/update_join_way: the configuration is replaced; fields
// absent from the body keep their value.
func apiUpdateJoinWay(e *Emulator, c *call) (any, error) {
	var req wecom.UpdateJoinWayRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	w, err := e.joinWayByID(req.ConfigID)
	if err != nil {
		return nil, err
	}
	next := w.JoinWay
	if c.has("scene") {
		next.Scene = req.Scene
	}
	if c.has("chat_id_list") {
		next.ChatIDList = slices.Clone(req.ChatIDList)
	}
	if c.has("room_base_name") {
		next.RoomBaseName = req.RoomBaseName
	}
	if c.has("state") {
		next.State = req.State
	}
	if err := e.checkJoinWay(next.Scene, next.ChatIDList, next.RoomBaseName, next.State); err != nil {
		return nil, err
	}
	if c.has("remark") {
		next.Remark = truncateRunes(req.Remark, wecom.MaxRemarkLen)
	}
	if req.AutoCreateRoom != nil {
		if *req.AutoCreateRoom != 0 && *req.AutoCreateRoom != 1 {
			return nil, errorf(wecom.ErrCodeInvalidParameter, "auto_create_room must be 0 or 1")
		}
		next.AutoCreateRoom = *req.AutoCreateRoom
	}
	if c.has("room_base_id") {
		next.RoomBaseID = req.RoomBaseID
	}
	if next.Scene == wecom.SceneQRCode && next.QRCode == "" {
		next.QRCode = e.qrCode()
	}
	if next.Scene != wecom.SceneQRCode {
		next.QRCode = ""
	}
	w.JoinWay = next
	return wecom.OK, nil
}

// POST groupchat/del_join_way
func apiDelJoinWay(e *Emulator, c *call) (any, error) {
	var req wecom.ConfigIDRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	w, err := e.joinWayByID(req.ConfigID)
	if err != nil {
		return nil, err
	}
	w.deleted = true
	delete(e.st.joinWayBy, w.ConfigID)
	return wecom.OK, nil
}
