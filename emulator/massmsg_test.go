package emulator

import (
	"fmt"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/wecom"
)

func TestTemplateRecipientCap(t *testing.T) {
	v := newEnv(t, nil)
	way := v.addContactWay("founder", "")
	res, err := v.emu.Scan(way, 0)
	if err != nil {
		t.Fatal(err)
	}
	ids := func(n int) []string {
		out := []string{res.ExternalUserID}
		for i := 1; i < n; i++ {
			out = append(out, fmt.Sprintf("wmunknown%06d", i))
		}
		return out
	}
	text := &wecom.TextContent{Content: "春季新品上市"}

	var resp wecom.AddMsgTemplateResponse
	if code := v.post(wecom.PathAddMsgTemplate, wecom.AddMsgTemplateRequest{ExternalUserID: ids(10001), Text: text}, &resp); code != wecom.ErrCodeInvalidParameter {
		t.Errorf("10,001 recipients: errcode %d, want 40058", code)
	}
	v.mustPost(wecom.PathAddMsgTemplate, wecom.AddMsgTemplateRequest{ExternalUserID: ids(10000), Text: text}, &resp)
	if resp.MsgID == "" || len(resp.FailList) != 9999 {
		t.Errorf("10,000 recipients: msgid %q, %d failed, want a msgid and the 9,999 strangers failed", resp.MsgID, len(resp.FailList))
	}
	if code := v.post(wecom.PathAddMsgTemplate, wecom.AddMsgTemplateRequest{ExternalUserID: []string{"wmnobody"}, Text: text}, nil); code != wecom.ErrCodeNoCustomerToSend {
		t.Errorf("nobody to send to: errcode %d, want 41048", code)
	}
	if code := v.post(wecom.PathAddMsgTemplate, wecom.AddMsgTemplateRequest{ExternalUserID: ids(1)}, nil); code != wecom.ErrCodeInvalidParameter {
		t.Errorf("no content: errcode %d, want 40058", code)
	}
}

// sendAndConfirm creates a mass message to one customer, has the member
// send it and returns the customer's send status.
func sendAndConfirm(t *testing.T, v *env, member, extID string) int {
	t.Helper()
	v.tok = ""
	var resp wecom.AddMsgTemplateResponse
	v.mustPost(wecom.PathAddMsgTemplate, wecom.AddMsgTemplateRequest{ExternalUserID: []string{extID}, Text: &wecom.TextContent{Content: "会员日"}}, &resp)
	if err := v.emu.ConfirmMassMessage(resp.MsgID, member); err != nil {
		t.Fatal(err)
	}
	var result wecom.GetGroupMsgSendResultResponse
	v.mustPost(wecom.PathGetGroupMsgSendResult, wecom.GetGroupMsgSendResultRequest{MsgID: resp.MsgID, UserID: member}, &result)
	if len(result.SendList) != 1 || result.SendList[0].ExternalUserID != extID {
		t.Fatalf("send list %+v", result.SendList)
	}
	return result.SendList[0].Status
}

func TestMassMessageFrequencyCap(t *testing.T) {
	tests := []struct {
		name string
		cap  FrequencyCap
		gaps []time.Duration // between sends
		want []int
	}{
		{"one a day", CapOneADay, []time.Duration{0, time.Hour, 24 * time.Hour},
			[]int{wecom.SendStatusSent, wecom.SendStatusFrequencyCap, wecom.SendStatusSent}},
		{"four a month", CapFourAMonth, []time.Duration{0, time.Hour, time.Hour, time.Hour, time.Hour, 30 * 24 * time.Hour},
			[]int{1, 1, 1, 1, 3, 1}},
		{"days in month (31 in March)", CapDaysInMonth, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newEnv(t, func(c *Config) { c.Policy.MassMessageCap = tt.cap })
			res, err := v.emu.Scan(v.addContactWay("founder", ""), 0)
			if err != nil {
				t.Fatal(err)
			}
			gaps, want := tt.gaps, tt.want
			if gaps == nil { // 31 sends fit in March (the test starts on the 10th), the 32nd does not
				for i := range 32 {
					gaps = append(gaps, time.Minute)
					want = append(want, wecom.SendStatusSent)
					if i == 31 {
						want[i] = wecom.SendStatusFrequencyCap
					}
				}
			}
			for i, gap := range gaps {
				v.emu.Advance(gap)
				if got := sendAndConfirm(t, v, "founder", res.ExternalUserID); got != want[i] {
					t.Errorf("send %d: status %d, want %d", i, got, want[i])
				}
			}
		})
	}
}

func TestMassMessageLifecycle(t *testing.T) {
	v := newEnv(t, func(c *Config) {
		c.Policy.MassConfirmDelay = 0
		c.Policy.MassDispatchDelay = 5 * time.Second
	})
	way := v.addContactWay("founder", "")
	var ext []string
	for u := range 3 {
		r, err := v.emu.Scan(way, u)
		if err != nil {
			t.Fatal(err)
		}
		ext = append(ext, r.ExternalUserID)
	}
	v.emu.Advance(time.Minute)
	if _, err := v.emu.AddDirectly("store_hz01", 1); err != nil { // user 1 now last added by the store
		t.Fatal(err)
	}
	var resp wecom.AddMsgTemplateResponse
	v.mustPost(wecom.PathAddMsgTemplate, wecom.AddMsgTemplateRequest{ExternalUserID: ext, Text: &wecom.TextContent{Content: "周年庆"}}, &resp)
	if code := v.post(wecom.PathGetGroupMsgTask, wecom.GetGroupMsgTaskRequest{MsgID: resp.MsgID}, nil); code != wecom.ErrCodeGroupMsgDistributing {
		t.Errorf("right after creation: errcode %d, want 41063", code)
	}
	v.emu.Advance(5 * time.Second)

	var tasks wecom.GetGroupMsgTaskResponse
	v.mustPost(wecom.PathGetGroupMsgTask, wecom.GetGroupMsgTaskRequest{MsgID: resp.MsgID}, &tasks)
	if len(tasks.TaskList) != 2 || tasks.TaskList[0].UserID != "founder" || tasks.TaskList[1].UserID != "store_hz01" || tasks.TaskList[0].Status != 0 {
		t.Fatalf("tasks %+v: want founder and store_hz01 (who added user 1 last), not sent", tasks.TaskList)
	}

	if err := v.emu.DeleteContact("founder", ext[2], siyu.DeletedByCustomer); err != nil {
		t.Fatal(err)
	}
	if err := v.emu.ConfirmMassMessage(resp.MsgID, "founder"); err != nil {
		t.Fatal(err)
	}
	var result wecom.GetGroupMsgSendResultResponse
	v.mustPost(wecom.PathGetGroupMsgSendResult, wecom.GetGroupMsgSendResultRequest{MsgID: resp.MsgID, UserID: "founder"}, &result)
	got := map[string]int{}
	for _, r := range result.SendList {
		got[r.ExternalUserID] = r.Status
	}
	if got[ext[0]] != wecom.SendStatusSent || got[ext[2]] != wecom.SendStatusNotFriend || len(got) != 2 {
		t.Errorf("send results %v: want user 0 sent, user 2 not a friend", got)
	}

	for i := range 3 {
		if code := v.post(wecom.PathRemindGroupMsgSend, wecom.MsgIDRequest{MsgID: resp.MsgID}, nil); code != 0 {
			t.Fatalf("remind %d: errcode %d", i, code)
		}
	}
	if code := v.post(wecom.PathRemindGroupMsgSend, wecom.MsgIDRequest{MsgID: resp.MsgID}, nil); code != errCodeRemindOutOfLimit {
		t.Errorf("fourth remind in 24 h: errcode %d, want %d", code, errCodeRemindOutOfLimit)
	}
	v.mustPost(wecom.PathCancelGroupMsgSend, wecom.MsgIDRequest{MsgID: resp.MsgID}, nil)
	if err := v.emu.ConfirmMassMessage(resp.MsgID, "store_hz01"); err == nil {
		t.Error("a canceled message could still be sent")
	}

	var list wecom.GetGroupMsgListV2Response
	v.mustPost(wecom.PathGetGroupMsgListV2, wecom.GetGroupMsgListV2Request{
		ChatType: wecom.ChatTypeSingle, StartTime: wecom.Timestamp(t0.Add(-time.Hour).Unix()), EndTime: wecom.Timestamp(t0.Add(time.Hour).Unix()),
	}, &list)
	if len(list.GroupMsgList) != 1 || list.GroupMsgList[0].MsgID != resp.MsgID || list.GroupMsgList[0].Creator != "" {
		t.Errorf("group msg list %+v", list.GroupMsgList)
	}
	if code := v.post(wecom.PathGetGroupMsgTask, wecom.GetGroupMsgTaskRequest{MsgID: "msgnope"}, nil); code != wecom.ErrCodeInvalidMsgID {
		t.Errorf("unknown msgid: errcode %d, want 41047", code)
	}
}

func TestMassMessageAutoConfirmAndGroups(t *testing.T) {
	v := newEnv(t, func(c *Config) { c.Policy.MassConfirmDelay = 10 * time.Minute })
	chat, err := v.emu.CreateGroup("store_sh01", "静安店福利群", []int{0, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	var resp wecom.AddMsgTemplateResponse
	v.mustPost(wecom.PathAddMsgTemplate, wecom.AddMsgTemplateRequest{ChatType: wecom.ChatTypeGroup, Sender: "store_sh01", Text: &wecom.TextContent{Content: "今晚八点直播"}}, &resp)
	v.emu.Advance(10 * time.Minute)
	var result wecom.GetGroupMsgSendResultResponse
	v.mustPost(wecom.PathGetGroupMsgSendResult, wecom.GetGroupMsgSendResultRequest{MsgID: resp.MsgID, UserID: "store_sh01"}, &result)
	if len(result.SendList) != 1 || result.SendList[0].ChatID != chat || result.SendList[0].Status != wecom.SendStatusSent ||
		result.SendList[0].SendTime != wecom.Timestamp(t0.Add(10*time.Minute).Unix()) {
		t.Errorf("group send result %+v: want the group sent by the auto-confirm at +10 min", result.SendList)
	}
	if code := v.post(wecom.PathAddMsgTemplate, wecom.AddMsgTemplateRequest{ChatType: wecom.ChatTypeGroup, Text: &wecom.TextContent{Content: "x"}}, nil); code != wecom.ErrCodeInvalidParameter {
		t.Errorf("group message without sender: errcode %d, want 40058", code)
	}
}

func TestCapWindow(t *testing.T) {
	at := time.Date(2026, 2, 11, 23, 30, 0, 0, siyu.Shanghai) // a Wednesday in a 28-day February
	tests := []struct {
		cap        FrequencyCap
		start, end time.Time
		limit      int
	}{
		{CapDaysInMonth, time.Date(2026, 2, 1, 0, 0, 0, 0, siyu.Shanghai), time.Date(2026, 3, 1, 0, 0, 0, 0, siyu.Shanghai), 28},
		{CapFourAMonth, time.Date(2026, 2, 1, 0, 0, 0, 0, siyu.Shanghai), time.Date(2026, 3, 1, 0, 0, 0, 0, siyu.Shanghai), 4},
		{CapSevenAWeek, time.Date(2026, 2, 9, 0, 0, 0, 0, siyu.Shanghai), time.Date(2026, 2, 16, 0, 0, 0, 0, siyu.Shanghai), 7},
		{CapOneADay, time.Date(2026, 2, 11, 0, 0, 0, 0, siyu.Shanghai), time.Date(2026, 2, 12, 0, 0, 0, 0, siyu.Shanghai), 1},
	}
	for _, tt := range tests {
		start, end, limit := capWindow(tt.cap, at.UTC())
		if !start.Equal(tt.start) || !end.Equal(tt.end) || limit != tt.limit {
			t.Errorf("%+v: %v..%v limit %d, want %v..%v limit %d", tt.cap, start, end, limit, tt.start, tt.end, tt.limit)
		}
	}
}
