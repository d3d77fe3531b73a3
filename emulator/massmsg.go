package emulator

import (
	"slices"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/wecom"
)

const (
	errCodeGroupMsgCanceled  = 41093 // 群发任务已取消
	errCodeRemindOutOfLimit  = 41094 // 群发提醒超过频率限制
	defaultGroupMsgListLimit = 50
	maxGroupMsgListLimit     = 100
	defaultGroupMsgTaskLimit = 500
	maxGroupMsgTaskLimit     = 1000
)

// capWindow returns the period of the frequency cap that contains t, in
// Asia/Shanghai calendar terms, and the number of messages allowed in it.
func capWindow(c FrequencyCap, t time.Time) (start, end time.Time, limit int) {
	l := t.In(siyu.Shanghai)
	day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, siyu.Shanghai)
	limit = c.Limit
	switch c.Period {
	case PerDay:
		return day, day.AddDate(0, 0, 1), limit
	case PerWeek:
		back := (int(l.Weekday()) + 6) % 7 // days since Monday
		start = day.AddDate(0, 0, -back)
		return start, start.AddDate(0, 0, 7), limit
	default:
		start = time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, siyu.Shanghai)
		end = start.AddDate(0, 1, 0)
		if limit == 0 {
			limit = int(end.Sub(start).Hours()+12) / 24 // days in the month
		}
		return start, end, limit
	}
}

// capReached reports whether the recipient already got as many mass
// messages as the cap allows in the period containing at.
func (e *Emulator) capReached(recipient string, at time.Time) bool {
	c := e.pol.MassMessageCap
	if c.Period == "" {
		return false
	}
	start, end, limit := capWindow(c, at)
	if limit <= 0 {
		return false
	}
	n := 0
	for _, t := range e.st.received[recipient] {
		if !t.Before(start) && t.Before(end) {
			n++
		}
	}
	return n >= limit
}

// matchesTags applies a tag_filter to a relation: tags within a group are
// ORed, groups are ANDed.
func matchesTags(f *follow, tf *wecom.TagFilter) bool {
	if tf == nil {
		return true
	}
	for _, g := range tf.GroupList {
		if len(g.TagList) == 0 {
			continue
		}
		if !slices.ContainsFunc(g.TagList, func(id string) bool { return slices.Contains(f.tags, id) }) {
			return false
		}
	}
	return true
}

// latestFollow is the member who last took the customer on: mass messages
// go to them.
func latestFollow(fs []*follow) *follow {
	var best *follow
	for _, f := range fs {
		if best == nil || !f.createTime.Before(best.createTime) { // ties: the later add
			best = f
		}
	}
	return best
}

// POST add_msg_template
func apiAddMsgTemplate(e *Emulator, c *call) (any, error) {
	var req wecom.AddMsgTemplateRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.ChatType == "" {
		req.ChatType = wecom.ChatTypeSingle
	}
	if err := checkMessage(req.Text, req.Attachments); err != nil {
		return nil, err
	}
	if req.Sender != "" {
		if _, err := e.member(req.Sender); err != nil {
			return nil, err
		}
	}
	m := &massMessage{
		msgID: e.id.msgID(), chatType: req.ChatType, created: c.now,
		text: req.Text, attachments: slices.Clone(req.Attachments),
	}
	taskOf := map[string]*massTask{}
	target := func(userID string, t *massTarget) {
		task := taskOf[userID]
		if task == nil {
			task = &massTask{userID: userID}
			taskOf[userID] = task
			m.tasks = append(m.tasks, task)
		}
		task.targets = append(task.targets, t)
	}
	var failed []string
	switch req.ChatType {
	case wecom.ChatTypeSingle:
		if max := e.pol.MaxTemplateRecipients; max > 0 && len(req.ExternalUserID) > max {
			return nil, errorf(wecom.ErrCodeInvalidParameter, "external_userid exceeds %d", max)
		}
		if len(req.ExternalUserID) == 0 && req.Sender == "" {
			return nil, errorf(wecom.ErrCodeInvalidParameter, "external_userid and sender are both empty")
		}
		ids := req.ExternalUserID
		if len(ids) == 0 {
			for _, f := range e.st.memberBy[req.Sender].follows {
				ids = append(ids, f.extID)
			}
		}
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			var f *follow
			if req.Sender != "" {
				f = e.followOf(req.Sender, id)
			} else {
				f = latestFollow(e.st.followers[id])
			}
			if f == nil {
				failed = append(failed, id)
				continue
			}
			if matchesTags(f, req.TagFilter) {
				target(f.userID, &massTarget{extID: id})
			}
		}
	case wecom.ChatTypeGroup:
		if req.Sender == "" {
			return nil, errorf(wecom.ErrCodeInvalidParameter, "sender is required for chat_type group")
		}
		if len(req.ChatIDList) > wecom.MaxTemplateChatIDs {
			return nil, errorf(wecom.ErrCodeInvalidParameter, "chat_id_list exceeds %d", wecom.MaxTemplateChatIDs)
		}
		chats := req.ChatIDList
		if len(chats) == 0 {
			for _, g := range e.st.groups {
				if !g.dismissed && g.owner == req.Sender {
					chats = append(chats, g.chatID)
				}
			}
		}
		for _, id := range chats {
			g := e.st.groupByID[id]
			if g == nil || g.dismissed || g.owner != req.Sender {
				failed = append(failed, id)
				continue
			}
			target(req.Sender, &massTarget{chatID: id})
		}
	default:
		return nil, errorf(wecom.ErrCodeInvalidParameter, "invalid chat_type %q", req.ChatType)
	}
	if len(m.tasks) == 0 {
		return nil, errorf(wecom.ErrCodeNoCustomerToSend, "no customer to send to")
	}
	e.st.massMsgs = append(e.st.massMsgs, m)
	e.st.massBy[m.msgID] = m
	if d := e.pol.MassConfirmDelay; d > 0 {
		for _, t := range m.tasks {
			e.sched.add(c.now.Add(d), func(at time.Time) { _ = e.confirmTask(m, t, at) })
		}
	}
	return wecom.AddMsgTemplateResponse{Response: wecom.OK, FailList: failed, MsgID: m.msgID}, nil
}

// confirmTask is the member pressing "send" on their client: every target
// still reachable and under the frequency cap receives the message.
func (e *Emulator) confirmTask(m *massMessage, t *massTask, at time.Time) error {
	if m.canceled {
		return errorf(errCodeGroupMsgCanceled, "mass message %s was canceled", m.msgID)
	}
	if t.status == 2 {
		return nil
	}
	t.status, t.sendTime = 2, at
	for _, tg := range t.targets {
		key := tg.extID
		reachable := false
		if tg.extID != "" {
			reachable = e.followOf(t.userID, tg.extID) != nil
		} else {
			key = tg.chatID
			g := e.st.groupByID[tg.chatID]
			reachable = g != nil && !g.dismissed && g.owner == t.userID
		}
		switch {
		case !reachable:
			tg.status = wecom.SendStatusNotFriend
		case e.capReached(key, at):
			tg.status = wecom.SendStatusFrequencyCap
		default:
			tg.status, tg.sendTime = wecom.SendStatusSent, at
			e.st.received[key] = append(e.st.received[key], at)
			if p := e.personBy[tg.extID]; p != nil && e.pop.Activity > 0 && e.sim.Float64() < e.pop.MassMessageBuy {
				// Some readers buy within three days.
				e.sched.add(at.Add(time.Duration(e.sim.Int64N(int64(72*time.Hour)))), func(at time.Time) { e.placeOrder(p, at) })
			}
		}
	}
	return nil
}

func (e *Emulator) massMessage(id string, now time.Time) (*massMessage, *Error) {
	if id == "" {
		return nil, errorf(wecom.ErrCodeMissingMsgID, "missing msgid")
	}
	m := e.st.massBy[id]
	if m == nil {
		return nil, errorf(wecom.ErrCodeInvalidMsgID, "invalid msgid: %s", id)
	}
	if d := e.pol.MassDispatchDelay; d > 0 && now.Sub(m.created) < d {
		return nil, errorf(wecom.ErrCodeGroupMsgDistributing, "group msg is distributing, please try again later")
	}
	return m, nil
}

func ts(t time.Time) wecom.Timestamp {
	if t.IsZero() {
		return 0
	}
	return wecom.Timestamp(t.Unix())
}

// POST get_groupmsg_list_v2
func apiGroupMsgList(e *Emulator, c *call) (any, error) {
	var req wecom.GetGroupMsgListV2Request
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.ChatType != wecom.ChatTypeSingle && req.ChatType != wecom.ChatTypeGroup {
		return nil, errorf(wecom.ErrCodeInvalidParameter, "chat_type must be single or group")
	}
	if req.StartTime == 0 || req.EndTime == 0 || req.EndTime < req.StartTime {
		return nil, errorf(wecom.ErrCodeInvalidParameter, "start_time and end_time are required, start before end")
	}
	filter := wecom.FilterTypeAll
	if req.FilterType != nil {
		filter = *req.FilterType
	}
	limit := req.Limit
	if limit <= 0 {
		limit = defaultGroupMsgListLimit
	}
	limit = min(limit, maxGroupMsgListLimit)
	var list []wecom.GroupMsg
	for _, m := range e.st.massMsgs {
		t := m.created.Unix()
		if m.chatType != req.ChatType || t < int64(req.StartTime) || t > int64(req.EndTime) {
			continue
		}
		if filter != wecom.FilterTypeAll && m.createType != filter || req.Creator != "" && m.creator != req.Creator {
			continue
		}
		if d := e.pol.MassDispatchDelay; d > 0 && c.now.Sub(m.created) < d {
			return nil, errorf(wecom.ErrCodeGroupMsgDistributing, "group msg is distributing, please try again later")
		}
		list = append(list, wecom.GroupMsg{
			MsgID: m.msgID, Creator: m.creator, CreateTime: ts(m.created), CreateType: m.createType,
			Text: m.text, Attachments: m.attachments,
		})
	}
	page, next, err := paginate(list, req.Cursor, limit)
	if err != nil {
		return nil, err
	}
	return wecom.GetGroupMsgListV2Response{Response: wecom.OK, NextCursor: next, GroupMsgList: append([]wecom.GroupMsg{}, page...)}, nil
}

func taskLimit(n int) int {
	if n <= 0 {
		return defaultGroupMsgTaskLimit
	}
	return min(n, maxGroupMsgTaskLimit)
}

// POST get_groupmsg_task
func apiGroupMsgTask(e *Emulator, c *call) (any, error) {
	var req wecom.GetGroupMsgTaskRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	m, err := e.massMessage(req.MsgID, c.now)
	if err != nil {
		return nil, err
	}
	var list []wecom.GroupMsgTask
	for _, t := range m.tasks {
		list = append(list, wecom.GroupMsgTask{UserID: t.userID, Status: t.status, SendTime: ts(t.sendTime)})
	}
	page, next, perr := paginate(list, req.Cursor, taskLimit(req.Limit))
	if perr != nil {
		return nil, perr
	}
	return wecom.GetGroupMsgTaskResponse{Response: wecom.OK, NextCursor: next, TaskList: append([]wecom.GroupMsgTask{}, page...)}, nil
}

// POST get_groupmsg_send_result
func apiGroupMsgSendResult(e *Emulator, c *call) (any, error) {
	var req wecom.GetGroupMsgSendResultRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	m, err := e.massMessage(req.MsgID, c.now)
	if err != nil {
		return nil, err
	}
	if req.UserID == "" {
		return nil, errorf(41009, "missing userid")
	}
	var list []wecom.GroupMsgSendResult
	for _, t := range m.tasks {
		if t.userID != req.UserID {
			continue
		}
		for _, tg := range t.targets {
			list = append(list, wecom.GroupMsgSendResult{
				ExternalUserID: tg.extID, ChatID: tg.chatID, UserID: t.userID, Status: tg.status, SendTime: ts(tg.sendTime),
			})
		}
	}
	page, next, perr := paginate(list, req.Cursor, taskLimit(req.Limit))
	if perr != nil {
		return nil, perr
	}
	return wecom.GetGroupMsgSendResultResponse{Response: wecom.OK, NextCursor: next, SendList: append([]wecom.GroupMsgSendResult{}, page...)}, nil
}

// POST remind_groupmsg_send: at most MaxRemindsPerDay per message per 24 h.
func apiRemindGroupMsg(e *Emulator, c *call) (any, error) {
	var req wecom.MsgIDRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	m, err := e.massMessage(req.MsgID, c.now)
	if err != nil {
		return nil, err
	}
	if m.canceled {
		return nil, errorf(errCodeGroupMsgCanceled, "group msg canceled")
	}
	recent := 0
	for _, t := range m.reminds {
		if c.now.Sub(t) < 24*time.Hour {
			recent++
		}
	}
	if max := e.pol.MaxRemindsPerDay; max > 0 && recent >= max {
		return nil, errorf(errCodeRemindOutOfLimit, "remind group msg out of limit")
	}
	m.reminds = append(m.reminds, c.now)
	return wecom.OK, nil
}

// POST cancel_groupmsg_send: members can no longer send it.
func apiCancelGroupMsg(e *Emulator, c *call) (any, error) {
	var req wecom.MsgIDRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	m, err := e.massMessage(req.MsgID, c.now)
	if err != nil {
		return nil, err
	}
	m.canceled = true
	return wecom.OK, nil
}
