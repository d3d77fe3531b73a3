package emulator

import (
	"slices"
	"time"
	"unicode/utf8"

	"siyu.dev/siyu/wecom"
)

const (
	errCodeMomentEmpty       = 41089 // 朋友圈附件与内容不能同时为empty
	errCodeInvalidJobID      = 40088 // jobid不存在
	errCodeNoValidSender     = 40031 // 不合法的UserID列表
	rootDepartment           = 1
	maxMomentListLimit       = 20
	defaultMomentTaskLimit   = 500
	maxMomentTaskLimit       = 1000
	defaultMomentResultLimit = 3000
	maxMomentResultLimit     = 5000
	meanReactionDelay        = 6 * time.Hour
)

func checkMomentContent(text *wecom.TextContent, atts []wecom.Attachment) *Error {
	if (text == nil || text.Content == "") && len(atts) == 0 {
		return errorf(errCodeMomentEmpty, "text and attachments cannot both be empty")
	}
	if text != nil {
		if n := utf8.RuneCountInString(text.Content); n > wecom.MaxMomentTextRunes || len(text.Content) > wecom.MaxTextBytes {
			return errorf(wecom.ErrCodeInvalidParameter, "text.content too long: %d chars, max %d", n, wecom.MaxMomentTextRunes)
		}
	}
	if len(atts) > wecom.MaxAttachments {
		return errorf(wecom.ErrCodeTooManyAttachments, "attachments exceed %d", wecom.MaxAttachments)
	}
	for i, a := range atts {
		ok := false
		switch a.MsgType {
		case wecom.MsgTypeImage:
			ok = a.Image != nil && a.Image.MediaID != ""
		case wecom.MsgTypeVideo:
			ok = a.Video != nil && a.Video.MediaID != ""
		case wecom.MsgTypeLink:
			ok = a.Link != nil && a.Link.Title != "" && a.Link.URL != "" && a.Link.MediaID != ""
		default:
			return errorf(wecom.ErrCodeInvalidAttachmentType, "invalid attachment type %q at attachments[%d]", a.MsgType, i)
		}
		if !ok {
			return errorf(wecom.ErrCodeInvalidParameter, "attachments[%d] (%s) is incomplete", i, a.MsgType)
		}
	}
	return nil
}

// POST add_moment_task: an asynchronous job that makes the moment and hands
// it to each sender, who publishes it on their client.
func apiAddMomentTask(e *Emulator, c *call) (any, error) {
	var req wecom.AddMomentTaskRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if err := checkMomentContent(req.Text, req.Attachments); err != nil {
		return nil, err
	}
	var senders []*memberState
	var invalidUsers, tagFilter, invalidTags []string
	var invalidDepts []int64
	vr := req.VisibleRange
	if vr != nil && vr.SenderList != nil && (len(vr.SenderList.UserList) > 0 || len(vr.SenderList.DepartmentList) > 0) {
		for _, u := range vr.SenderList.UserList {
			if m, err := e.member(u); err == nil {
				if !slices.Contains(senders, m) {
					senders = append(senders, m)
				}
			} else {
				invalidUsers = append(invalidUsers, u)
			}
		}
		for _, d := range vr.SenderList.DepartmentList {
			if d != rootDepartment { // departments are not modelled beyond the root
				invalidDepts = append(invalidDepts, d)
				continue
			}
			for _, m := range e.activeMembers() {
				if !slices.Contains(senders, m) {
					senders = append(senders, m)
				}
			}
		}
	} else {
		senders = e.activeMembers()
	}
	if vr != nil && vr.ExternalContactList != nil {
		for _, id := range vr.ExternalContactList.TagList {
			if e.st.tags[id] != nil {
				tagFilter = append(tagFilter, id)
			} else {
				invalidTags = append(invalidTags, id)
			}
		}
	}
	job := &momentJob{jobID: e.id.jobID(), created: c.now, doneAt: c.now.Add(e.pol.MomentJobDelay)}
	if len(invalidUsers) > 0 || len(invalidDepts) > 0 {
		job.result.InvalidSenderList = &wecom.MomentSenderList{UserList: invalidUsers, DepartmentList: invalidDepts}
	}
	if len(invalidTags) > 0 {
		job.result.InvalidExternalContactList = &wecom.MomentExternalContactList{TagList: invalidTags}
	}
	e.st.momentJobs[job.jobID] = job
	text, atts := req.Text, slices.Clone(req.Attachments)
	visible := 1
	if len(tagFilter) > 0 {
		visible = 0
	}
	e.sched.add(job.doneAt, func(at time.Time) {
		job.done = true
		job.result.Response = wecom.OK
		if len(senders) == 0 {
			job.result.Response = wecom.Response{ErrCode: errCodeNoValidSender, ErrMsg: "no valid sender"}
			return
		}
		m := &moment{id: e.id.momentID(), created: at, visibleType: visible, text: text, attachments: atts}
		for _, s := range senders {
			t := &momentTask{userID: s.UserID}
			for _, f := range s.follows {
				if len(tagFilter) == 0 || slices.ContainsFunc(tagFilter, func(id string) bool { return slices.Contains(f.tags, id) }) {
					t.customers = append(t.customers, f.extID)
				}
			}
			m.tasks = append(m.tasks, t)
			if d := e.pol.MomentPublishDelay; d > 0 {
				e.sched.add(at.Add(d), func(at time.Time) { _ = e.publishMoment(m, t, at) })
			}
		}
		e.st.moments = append(e.st.moments, m)
		e.st.momentBy[m.id] = m
		job.result.MomentID = m.id
	})
	return wecom.AddMomentTaskResponse{Response: wecom.OK, JobID: job.jobID}, nil
}

// publishMoment is a member publishing a corp moment on their client. Their
// customers then see it, and some like or comment.
func (e *Emulator) publishMoment(m *moment, t *momentTask, at time.Time) error {
	if m.canceled {
		return errorf(wecom.ErrCodeInvalidMomentID, "moment %s was canceled", m.id)
	}
	if t.published {
		return nil
	}
	t.published, t.publishTime = true, at
	for _, id := range t.customers {
		if e.followOf(t.userID, id) == nil {
			continue
		}
		t.delivered = append(t.delivered, id)
		p := e.personBy[id]
		if p == nil || e.pop.Activity <= 0 {
			continue
		}
		for _, comment := range []bool{false, true} {
			share := e.pop.LikeShare
			if comment {
				share = e.pop.CommentShare
			}
			if e.sim.Float64() < share*p.engagement {
				delay, _ := expDelay(e.sim, meanReactionDelay)
				delay = min(delay, 72*time.Hour) // nobody reacts to a post from last week
				e.sched.add(at.Add(delay), func(at time.Time) { e.react(t, id, comment, at) })
			}
		}
	}
	return nil
}

// react records a like or a comment. WeCom keeps who and when, not the text.
func (e *Emulator) react(t *momentTask, extID string, comment bool, at time.Time) {
	list := &t.likes
	if comment {
		list = &t.comments
	}
	if !comment && slices.ContainsFunc(*list, func(x interaction) bool { return x.extID == extID }) {
		return // one like per person
	}
	*list = append(*list, interaction{extID: extID, at: at})
}

func (e *Emulator) momentByID(id string) (*moment, *Error) {
	if id == "" {
		return nil, errorf(wecom.ErrCodeMissingMomentID, "missing moment_id")
	}
	m := e.st.momentBy[id]
	if m == nil {
		return nil, errorf(wecom.ErrCodeInvalidMomentID, "invalid moment_id: %s", id)
	}
	return m, nil
}

// senderTask returns the member's task of a moment: 41061 when they were
// not asked to publish it, 41062 (when published is required) when they
// have not yet.
func (m *moment) senderTask(userID string, published bool) (*momentTask, *Error) {
	for _, t := range m.tasks {
		if t.userID == userID {
			if published && !t.published {
				return nil, errorf(wecom.ErrCodeMomentNotYetPublished, "moment not yet published by %s", userID)
			}
			return t, nil
		}
	}
	return nil, errorf(wecom.ErrCodeMomentNotPublishedByUser, "moment %s is not published by %s", m.id, userID)
}

// GET get_moment_task_result?jobid=
func apiMomentTaskResult(e *Emulator, c *call) (any, error) {
	id := c.q.Get(wecom.QueryJobID)
	if id == "" {
		return nil, errorf(wecom.ErrCodeInvalidParameter, "missing jobid")
	}
	job := e.st.momentJobs[id]
	if job == nil || c.now.Sub(job.created) > 24*time.Hour {
		return nil, errorf(errCodeInvalidJobID, "invalid jobid: %s", id)
	}
	resp := wecom.GetMomentTaskResultResponse{Response: wecom.OK, Type: "add_moment_task"}
	switch {
	case job.done:
		resp.Status = wecom.MomentTaskDone
		resp.Result = job.result
	case c.now.Equal(job.created):
		resp.Status = wecom.MomentTaskStarted
	default:
		resp.Status = wecom.MomentTaskRunning
	}
	return resp, nil
}

// POST cancel_moment_task: members who have not published can no longer.
func apiCancelMomentTask(e *Emulator, c *call) (any, error) {
	var req wecom.MomentIDRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	m, err := e.momentByID(req.MomentID)
	if err != nil {
		return nil, err
	}
	m.canceled = true
	return wecom.OK, nil
}

func wireMoment(m *moment) wecom.Moment {
	w := wecom.Moment{
		MomentID: m.id, Creator: m.creator, CreateTime: ts(m.created), CreateType: m.createType,
		VisibleType: m.visibleType, Text: m.text,
	}
	for _, a := range m.attachments {
		switch {
		case a.Image != nil:
			w.Image = append(w.Image, wecom.MediaRef{MediaID: a.Image.MediaID})
		case a.Video != nil:
			v := *a.Video
			w.Video = &v
		case a.Link != nil:
			w.Link = &wecom.MomentLink{Title: a.Link.Title, URL: a.Link.URL}
		}
	}
	return w
}

// POST get_moment_list
func apiMomentList(e *Emulator, c *call) (any, error) {
	var req wecom.GetMomentListRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.StartTime == 0 || req.EndTime == 0 || req.EndTime < req.StartTime {
		return nil, errorf(wecom.ErrCodeInvalidParameter, "start_time and end_time are required, start before end")
	}
	filter := wecom.FilterTypeAll
	if req.FilterType != nil {
		filter = *req.FilterType
	}
	limit := req.Limit
	if limit <= 0 || limit > maxMomentListLimit {
		limit = maxMomentListLimit
	}
	var list []wecom.Moment
	for _, m := range e.st.moments {
		t := m.created.Unix()
		if t < int64(req.StartTime) || t > int64(req.EndTime) {
			continue
		}
		if filter != wecom.FilterTypeAll && m.createType != filter || req.Creator != "" && m.creator != req.Creator {
			continue
		}
		list = append(list, wireMoment(m))
	}
	page, next, err := paginate(list, req.Cursor, limit)
	if err != nil {
		return nil, err
	}
	return wecom.GetMomentListResponse{Response: wecom.OK, NextCursor: next, MomentList: append([]wecom.Moment{}, page...)}, nil
}

func momentLimit(n, def, max int) int {
	if n <= 0 {
		return def
	}
	return min(n, max)
}

// POST get_moment_task
func apiMomentTask(e *Emulator, c *call) (any, error) {
	var req wecom.GetMomentTaskRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	m, err := e.momentByID(req.MomentID)
	if err != nil {
		return nil, err
	}
	var list []wecom.MomentTask
	for _, t := range m.tasks {
		status := 0
		if t.published {
			status = 1
		}
		list = append(list, wecom.MomentTask{UserID: t.userID, PublishStatus: status})
	}
	page, next, perr := paginate(list, req.Cursor, momentLimit(req.Limit, defaultMomentTaskLimit, maxMomentTaskLimit))
	if perr != nil {
		return nil, perr
	}
	return wecom.GetMomentTaskResponse{Response: wecom.OK, NextCursor: next, TaskList: append([]wecom.MomentTask{}, page...)}, nil
}

// POST get_moment_customer_list: the visible range chosen for a sender.
func apiMomentCustomerList(e *Emulator, c *call) (any, error) {
	var req wecom.GetMomentCustomerListRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	m, err := e.momentByID(req.MomentID)
	if err != nil {
		return nil, err
	}
	t, err := m.senderTask(req.UserID, false)
	if err != nil {
		return nil, err
	}
	var list []wecom.MomentCustomer
	for _, id := range t.customers {
		list = append(list, wecom.MomentCustomer{UserID: t.userID, ExternalUserID: id})
	}
	page, next, perr := paginate(list, req.Cursor, momentLimit(req.Limit, defaultMomentTaskLimit, maxMomentTaskLimit))
	if perr != nil {
		return nil, perr
	}
	return wecom.GetMomentCustomerListResponse{Response: wecom.OK, NextCursor: next, CustomerList: append([]wecom.MomentCustomer{}, page...)}, nil
}

// POST get_moment_send_result: the customers the published moment reached.
func apiMomentSendResult(e *Emulator, c *call) (any, error) {
	var req wecom.GetMomentCustomerListRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	m, err := e.momentByID(req.MomentID)
	if err != nil {
		return nil, err
	}
	t, err := m.senderTask(req.UserID, true)
	if err != nil {
		return nil, err
	}
	var list []wecom.MomentSendCustomer
	for _, id := range t.delivered {
		list = append(list, wecom.MomentSendCustomer{ExternalUserID: id})
	}
	page, next, perr := paginate(list, req.Cursor, momentLimit(req.Limit, defaultMomentResultLimit, maxMomentResultLimit))
	if perr != nil {
		return nil, perr
	}
	return wecom.GetMomentSendResultResponse{Response: wecom.OK, NextCursor: next, CustomerList: append([]wecom.MomentSendCustomer{}, page...)}, nil
}

// POST get_moment_comments: who liked and commented, and when.
func apiMomentComments(e *Emulator, c *call) (any, error) {
	var req wecom.GetMomentCommentsRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	m, err := e.momentByID(req.MomentID)
	if err != nil {
		return nil, err
	}
	t, err := m.senderTask(req.UserID, true)
	if err != nil {
		return nil, err
	}
	resp := wecom.GetMomentCommentsResponse{Response: wecom.OK, CommentList: []wecom.MomentInteraction{}, LikeList: []wecom.MomentInteraction{}}
	for _, x := range t.comments {
		resp.CommentList = append(resp.CommentList, wecom.MomentInteraction{ExternalUserID: x.extID, CreateTime: ts(x.at)})
	}
	for _, x := range t.likes {
		resp.LikeList = append(resp.LikeList, wecom.MomentInteraction{ExternalUserID: x.extID, CreateTime: ts(x.at)})
	}
	return resp, nil
}
