package emulator

import (
	"net/url"
	"testing"
	"time"

	"siyu.dev/siyu/wecom"
)

func TestMomentsFlow(t *testing.T) {
	v := newEnv(t, func(c *Config) {
		c.Policy.MomentJobDelay = 2 * time.Second
		c.Policy.MomentPublishDelay = 0
	})
	way := v.addContactWay("founder", "")
	var ext []string
	for u := range 4 {
		r, err := v.emu.Scan(way, u)
		if err != nil {
			t.Fatal(err)
		}
		ext = append(ext, r.ExternalUserID)
	}
	var tags wecom.AddCorpTagResponse
	v.mustPost(wecom.PathAddCorpTag, wecom.AddCorpTagRequest{GroupName: "兴趣偏好", Tag: []wecom.NewCorpTag{{Name: "香氛"}}}, &tags)
	vip := tags.TagGroup.Tag[0].ID
	for _, id := range ext[:2] {
		v.mustPost(wecom.PathMarkTag, wecom.MarkTagRequest{UserID: "founder", ExternalUserID: id, AddTag: []string{vip}}, nil)
	}

	var job wecom.AddMomentTaskResponse
	v.mustPost(wecom.PathAddMomentTask, wecom.AddMomentTaskRequest{
		Text:        &wecom.TextContent{Content: "白茶香氛蜡烛 限时体验"},
		Attachments: []wecom.Attachment{{MsgType: wecom.MsgTypeImage, Image: &wecom.ImageAttachment{MediaID: "media1"}}},
		VisibleRange: &wecom.MomentVisibleRange{
			SenderList:          &wecom.MomentSenderList{UserList: []string{"founder", "ghost"}},
			ExternalContactList: &wecom.MomentExternalContactList{TagList: []string{vip}},
		},
	}, &job)
	var result wecom.GetMomentTaskResultResponse
	v.get(wecom.PathGetMomentTaskResult, url.Values{"jobid": {job.JobID}}, &result)
	if result.Status != wecom.MomentTaskStarted {
		t.Errorf("job status %d right away, want 1", result.Status)
	}
	v.emu.Advance(2 * time.Second)
	v.get(wecom.PathGetMomentTaskResult, url.Values{"jobid": {job.JobID}}, &result)
	if result.Status != wecom.MomentTaskDone || result.Result.MomentID == "" || result.Result.InvalidSenderList == nil ||
		len(result.Result.InvalidSenderList.UserList) != 1 || result.Type != "add_moment_task" {
		t.Fatalf("job result %+v", result)
	}
	moment := result.Result.MomentID

	comments := func() (wecom.GetMomentCommentsResponse, int) {
		var resp wecom.GetMomentCommentsResponse
		code := v.post(wecom.PathGetMomentComments, wecom.GetMomentCommentsRequest{MomentID: moment, UserID: "founder"}, &resp)
		return resp, code
	}
	if _, code := comments(); code != wecom.ErrCodeMomentNotYetPublished {
		t.Errorf("comments before publishing: errcode %d, want 41062", code)
	}
	if code := v.post(wecom.PathGetMomentComments, wecom.GetMomentCommentsRequest{MomentID: moment, UserID: "store_hz01"}, nil); code != wecom.ErrCodeMomentNotPublishedByUser {
		t.Errorf("comments of a member not asked to post: errcode %d, want 41061", code)
	}
	var customers wecom.GetMomentCustomerListResponse
	v.mustPost(wecom.PathGetMomentCustomerList, wecom.GetMomentCustomerListRequest{MomentID: moment, UserID: "founder"}, &customers)
	if len(customers.CustomerList) != 2 {
		t.Errorf("visible range %+v: want the 2 tagged customers", customers.CustomerList)
	}

	if err := v.emu.PublishMoment(moment, "founder"); err != nil {
		t.Fatal(err)
	}
	v.emu.Advance(time.Minute)
	if err := v.emu.ReactToMoment(moment, "founder", 0, false); err != nil {
		t.Fatal(err)
	}
	if err := v.emu.ReactToMoment(moment, "founder", 1, true); err != nil {
		t.Fatal(err)
	}
	if err := v.emu.ReactToMoment(moment, "founder", 3, false); err == nil {
		t.Error("a customer outside the visible range liked the moment")
	}
	got, code := comments()
	if code != 0 || len(got.LikeList) != 1 || got.LikeList[0].ExternalUserID != ext[0] || len(got.CommentList) != 1 ||
		got.CommentList[0].ExternalUserID != ext[1] || got.CommentList[0].CreateTime != wecom.Timestamp(t0.Add(2*time.Second+time.Minute).Unix()) {
		t.Errorf("comments %+v (errcode %d)", got, code)
	}

	var tasks wecom.GetMomentTaskResponse
	v.mustPost(wecom.PathGetMomentTask, wecom.GetMomentTaskRequest{MomentID: moment}, &tasks)
	if len(tasks.TaskList) != 1 || tasks.TaskList[0].PublishStatus != 1 {
		t.Errorf("tasks %+v", tasks.TaskList)
	}
	var sent wecom.GetMomentSendResultResponse
	v.mustPost(wecom.PathGetMomentSendResult, wecom.GetMomentCustomerListRequest{MomentID: moment, UserID: "founder"}, &sent)
	if len(sent.CustomerList) != 2 {
		t.Errorf("send result %+v", sent.CustomerList)
	}
	var list wecom.GetMomentListResponse
	v.mustPost(wecom.PathGetMomentList, wecom.GetMomentListRequest{StartTime: wecom.Timestamp(t0.Unix()), EndTime: wecom.Timestamp(t0.Add(time.Hour).Unix())}, &list)
	if len(list.MomentList) != 1 || list.MomentList[0].VisibleType != 0 || len(list.MomentList[0].Image) != 1 || list.MomentList[0].Text.Content == "" {
		t.Errorf("moment list %+v", list.MomentList)
	}

	if code := v.post(wecom.PathAddMomentTask, wecom.AddMomentTaskRequest{}, nil); code != errCodeMomentEmpty {
		t.Errorf("empty moment: errcode %d, want 41089", code)
	}
	bad := wecom.AddMomentTaskRequest{Attachments: []wecom.Attachment{{MsgType: wecom.MsgTypeFile, File: &wecom.MediaAttachment{MediaID: "f"}}}}
	if code := v.post(wecom.PathAddMomentTask, bad, nil); code != wecom.ErrCodeInvalidAttachmentType {
		t.Errorf("file attachment: errcode %d, want 41065", code)
	}
	if code := v.get(wecom.PathGetMomentTaskResult, url.Values{"jobid": {"nope"}}, nil); code != errCodeInvalidJobID {
		t.Errorf("unknown job: errcode %d", code)
	}
}
