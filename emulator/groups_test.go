package emulator

import (
	"errors"
	"slices"
	"testing"

	"siyu.dev/siyu/wecom"
)

func TestGroupMemberCap(t *testing.T) {
	var rcv *receiver
	v := newEnv(t, func(c *Config) {
		withReceiver(t, &rcv)(c)
		c.Policy.GroupMemberCap = 5
	})
	chat, err := v.emu.CreateGroup("founder", "新品体验官1群", []int{0, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.emu.JoinGroup(chat, 3); err != nil {
		t.Fatalf("fifth member: %v", err)
	}
	if _, err := v.emu.JoinGroup(chat, 4); !errors.Is(err, errGroupFull) {
		t.Fatalf("sixth member: %v, want the group full", err)
	}

	var got wecom.GroupChatGetResponse
	v.mustPost(wecom.PathGroupChatGet, wecom.GroupChatGetRequest{ChatID: chat, NeedName: 1}, &got)
	gc := got.GroupChat
	if gc.Owner != "founder" || len(gc.MemberList) != 5 || gc.MemberList[0].Type != wecom.GroupMemberInternal {
		t.Fatalf("group %+v", gc)
	}
	last := gc.MemberList[4]
	if last.UserID != v.emu.Users()[3].ExternalUserID || last.Type != wecom.GroupMemberExternal || last.JoinScene != wecom.JoinSceneInvited ||
		last.Invitor == nil || last.Invitor.UserID != "founder" || last.Name != v.emu.Users()[3].Nickname {
		t.Errorf("invited member %+v", last)
	}

	// A join way makes a new room when its groups are full.
	var jw wecom.AddJoinWayResponse
	v.mustPost(wecom.PathAddJoinWay, wecom.AddJoinWayRequest{Scene: wecom.SceneQRCode, ChatIDList: []string{chat}, RoomBaseName: "新品体验官", RoomBaseID: 1, State: "douyin_0301"}, &jw)
	second, err := v.emu.JoinGroup(jw.ConfigID, 4)
	if err != nil {
		t.Fatal(err)
	}
	if second == chat {
		t.Fatal("joined the full group")
	}
	var way wecom.GetJoinWayResponse
	v.mustPost(wecom.PathGetJoinWay, wecom.ConfigIDRequest{ConfigID: jw.ConfigID}, &way)
	if !slices.Equal(way.JoinWay.ChatIDList, []string{chat, second}) || way.JoinWay.QRCode == "" || way.JoinWay.AutoCreateRoom != 1 {
		t.Errorf("join way %+v: want the new room added and a QR code", way.JoinWay)
	}
	v.mustPost(wecom.PathGroupChatGet, wecom.GroupChatGetRequest{ChatID: second}, &got)
	if got.GroupChat.Name != "新品体验官2" || got.GroupChat.MemberList[1].JoinScene != wecom.JoinSceneQRCode {
		t.Errorf("new room %+v", got.GroupChat)
	}

	// Without auto_create_room the code just stops working.
	off := 0
	var closed wecom.AddJoinWayResponse
	v.mustPost(wecom.PathAddJoinWay, wecom.AddJoinWayRequest{Scene: wecom.SceneQRCode, ChatIDList: []string{chat}, AutoCreateRoom: &off}, &closed)
	if _, err := v.emu.JoinGroup(closed.ConfigID, 5); !errors.Is(err, errGroupFull) {
		t.Errorf("full group without auto room: %v", err)
	}

	v.flush()
	var kinds []string
	for _, ev := range rcv.received() {
		kinds = append(kinds, ev.ChangeType+"/"+ev.UpdateDetail)
		if ev.UpdateDetail == wecom.UpdateAddMember && ev.ChatID == second && (ev.JoinScene != wecom.EventJoinSceneQRCode || ev.MemChangeCnt != 1) {
			t.Errorf("QR join event %+v: want JoinScene 3", ev)
		}
	}
	want := []string{"create/", "update/add_member", "create/", "update/add_member"}
	if !slices.Equal(kinds, want) {
		t.Errorf("events %v, want %v", kinds, want)
	}
}

func TestGroupChatListAndLeave(t *testing.T) {
	var rcv *receiver
	v := newEnv(t, withReceiver(t, &rcv))
	var chats []string
	for i, owner := range []string{"founder", "founder", "store_hz01"} {
		c, err := v.emu.CreateGroup(owner, "群", []int{i})
		if err != nil {
			t.Fatal(err)
		}
		chats = append(chats, c)
	}
	var page wecom.GroupChatListResponse
	v.mustPost(wecom.PathGroupChatList, wecom.GroupChatListRequest{Limit: 2}, &page)
	if len(page.GroupChatList) != 2 || page.NextCursor == "" {
		t.Fatalf("first page %+v", page)
	}
	cursor := page.NextCursor
	page = wecom.GroupChatListResponse{}
	v.mustPost(wecom.PathGroupChatList, wecom.GroupChatListRequest{Limit: 2, Cursor: cursor}, &page)
	if len(page.GroupChatList) != 1 || page.GroupChatList[0].ChatID != chats[2] || page.NextCursor != "" {
		t.Errorf("second page %+v", page)
	}
	v.mustPost(wecom.PathGroupChatList, wecom.GroupChatListRequest{Limit: 100, OwnerFilter: &wecom.OwnerFilter{UserIDList: []string{"store_hz01"}}}, &page)
	if len(page.GroupChatList) != 1 {
		t.Errorf("owner filter: %+v", page.GroupChatList)
	}
	if code := v.post(wecom.PathGroupChatList, wecom.GroupChatListRequest{}, nil); code != wecom.ErrCodeInvalidParameter {
		t.Errorf("no limit: errcode %d, want 40058", code)
	}

	if err := v.emu.LeaveGroup(chats[0], 0); err != nil {
		t.Fatal(err)
	}
	if err := v.emu.DismissGroup(chats[1]); err != nil {
		t.Fatal(err)
	}
	if code := v.post(wecom.PathGroupChatGet, wecom.GroupChatGetRequest{ChatID: chats[1]}, nil); code != errCodeGroupDismissed {
		t.Errorf("dismissed group: errcode %d", code)
	}
	v.flush()
	evs := rcv.received()
	leave, dismiss := evs[len(evs)-2], evs[len(evs)-1]
	if leave.UpdateDetail != wecom.UpdateDelMember || leave.QuitScene != wecom.QuitSceneSelf || !slices.Equal(leave.MemChangeList, []string{v.emu.Users()[0].ExternalUserID}) ||
		leave.LastMemVer == leave.CurMemVer {
		t.Errorf("leave event %+v", leave)
	}
	if dismiss.ChangeType != wecom.ChangeDismiss || dismiss.ChatID != chats[1] {
		t.Errorf("dismiss event %+v", dismiss)
	}
}

func TestJoinWayValidation(t *testing.T) {
	v := newEnv(t, nil)
	chat, err := v.emu.CreateGroup("founder", "群", nil)
	if err != nil {
		t.Fatal(err)
	}
	six := []string{chat, chat, chat, chat, chat, chat}
	tests := []struct {
		name string
		req  wecom.AddJoinWayRequest
		want int
	}{
		{"six groups", wecom.AddJoinWayRequest{Scene: 2, ChatIDList: six}, errCodeTooManyJoinChats},
		{"no group", wecom.AddJoinWayRequest{Scene: 2}, wecom.ErrCodeInvalidParameter},
		{"unknown group", wecom.AddJoinWayRequest{Scene: 2, ChatIDList: []string{"wrnope"}}, errCodeInvalidChatID},
		{"bad scene", wecom.AddJoinWayRequest{Scene: 3, ChatIDList: []string{chat}}, wecom.ErrCodeInvalidParameter},
		{"long state", wecom.AddJoinWayRequest{Scene: 2, ChatIDList: []string{chat}, State: "0123456789012345678901234567890"}, wecom.ErrCodeInvalidParameter},
		{"ok", wecom.AddJoinWayRequest{Scene: 1, ChatIDList: []string{chat}, Remark: "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十超出"}, 0},
	}
	for _, tt := range tests {
		if code := v.post(wecom.PathAddJoinWay, tt.req, nil); code != tt.want {
			t.Errorf("%s: errcode %d, want %d", tt.name, code, tt.want)
		}
	}
	var jw wecom.AddJoinWayResponse
	v.mustPost(wecom.PathAddJoinWay, wecom.AddJoinWayRequest{Scene: 1, ChatIDList: []string{chat}, Remark: "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十超出"}, &jw)
	var got wecom.GetJoinWayResponse
	v.mustPost(wecom.PathGetJoinWay, wecom.ConfigIDRequest{ConfigID: jw.ConfigID}, &got)
	if len([]rune(got.JoinWay.Remark)) != 30 || got.JoinWay.QRCode != "" {
		t.Errorf("join way %+v: want the remark cut to 30 chars and no QR for a mini-program scene", got.JoinWay)
	}
	v.mustPost(wecom.PathUpdateJoinWay, wecom.UpdateJoinWayRequest{ConfigID: jw.ConfigID, Scene: 2, ChatIDList: []string{chat}, State: "new"}, nil)
	v.mustPost(wecom.PathGetJoinWay, wecom.ConfigIDRequest{ConfigID: jw.ConfigID}, &got)
	if got.JoinWay.State != "new" || got.JoinWay.QRCode == "" || got.JoinWay.Scene != 2 {
		t.Errorf("updated join way %+v", got.JoinWay)
	}
	v.mustPost(wecom.PathDelJoinWay, wecom.ConfigIDRequest{ConfigID: jw.ConfigID}, nil)
	if code := v.post(wecom.PathGetJoinWay, wecom.ConfigIDRequest{ConfigID: jw.ConfigID}, nil); code != wecom.ErrCodeInvalidParameter {
		t.Errorf("deleted join way: errcode %d", code)
	}
}
