package emulator

import (
	"net/url"
	"strings"
	"testing"

	"siyu.dev/siyu/wecom"
)

func TestCorpTags(t *testing.T) {
	v := newEnv(t, nil)
	var level wecom.AddCorpTagResponse
	v.mustPost(wecom.PathAddCorpTag, wecom.AddCorpTagRequest{GroupName: "客户等级", Order: 1, Tag: []wecom.NewCorpTag{{Name: "金卡", Order: 2}, {Name: "银卡", Order: 1}}}, &level)
	if level.TagGroup.GroupID == "" || len(level.TagGroup.Tag) != 2 || !strings.HasPrefix(level.TagGroup.Tag[0].ID, "et") {
		t.Fatalf("added %+v", level.TagGroup)
	}
	var interest wecom.AddCorpTagResponse
	v.mustPost(wecom.PathAddCorpTag, wecom.AddCorpTagRequest{GroupName: "兴趣", Order: 5, Tag: []wecom.NewCorpTag{{Name: "香氛"}}}, &interest)
	var more wecom.AddCorpTagResponse
	v.mustPost(wecom.PathAddCorpTag, wecom.AddCorpTagRequest{GroupName: "客户等级", Tag: []wecom.NewCorpTag{{Name: "普卡"}}}, &more)
	if more.TagGroup.GroupID != level.TagGroup.GroupID || len(more.TagGroup.Tag) != 1 {
		t.Errorf("adding to an existing group by name: %+v", more.TagGroup)
	}

	tests := []struct {
		name string
		req  wecom.AddCorpTagRequest
		want int
	}{
		{"duplicate name", wecom.AddCorpTagRequest{GroupID: level.TagGroup.GroupID, Tag: []wecom.NewCorpTag{{Name: "金卡"}}}, wecom.ErrCodeTagNameExists},
		{"name of 31 chars", wecom.AddCorpTagRequest{GroupName: "g", Tag: []wecom.NewCorpTag{{Name: strings.Repeat("长", 31)}}}, errCodeTagNameLength},
		{"unknown group", wecom.AddCorpTagRequest{GroupID: "etnope", Tag: []wecom.NewCorpTag{{Name: "x"}}}, wecom.ErrCodeInvalidTagID},
		{"no tag", wecom.AddCorpTagRequest{GroupName: "g"}, errCodeMissingTagName},
	}
	for _, tt := range tests {
		if code := v.post(wecom.PathAddCorpTag, tt.req, nil); code != tt.want {
			t.Errorf("%s: errcode %d, want %d", tt.name, code, tt.want)
		}
	}

	var all wecom.GetCorpTagListResponse
	v.mustPost(wecom.PathGetCorpTagList, wecom.GetCorpTagListRequest{}, &all)
	if len(all.TagGroup) != 2 || all.TagGroup[0].GroupName != "兴趣" || all.TagGroup[1].Tag[0].Name != "金卡" {
		t.Errorf("tag list %+v: want groups and tags by order, biggest first", all.TagGroup)
	}
	gold := level.TagGroup.Tag[0].ID
	v.mustPost(wecom.PathGetCorpTagList, wecom.GetCorpTagListRequest{TagID: []string{gold}}, &all)
	if len(all.TagGroup) != 1 || len(all.TagGroup[0].Tag) != 1 || all.TagGroup[0].Tag[0].ID != gold {
		t.Errorf("by tag id: %+v", all.TagGroup)
	}

	res, err := v.emu.Scan(v.addContactWay("founder", ""), 0)
	if err != nil {
		t.Fatal(err)
	}
	v.mustPost(wecom.PathMarkTag, wecom.MarkTagRequest{UserID: "founder", ExternalUserID: res.ExternalUserID, AddTag: []string{gold, interest.TagGroup.Tag[0].ID}}, nil)
	if code := v.post(wecom.PathMarkTag, wecom.MarkTagRequest{UserID: "founder", ExternalUserID: res.ExternalUserID, AddTag: []string{"etnope"}}, nil); code != wecom.ErrCodeInvalidTagID {
		t.Errorf("mark with an unknown tag: errcode %d", code)
	}
	v.mustPost(wecom.PathEditCorpTag, wecom.EditCorpTagRequest{ID: gold, Name: "黑金卡"}, nil)
	var got wecom.GetExternalContactResponse
	v.get(wecom.PathExternalContactGet, url.Values{"external_userid": {res.ExternalUserID}}, &got)
	tags := got.FollowUser[0].Tags
	if len(tags) != 2 || tags[0].TagName != "黑金卡" || tags[0].GroupName != "客户等级" || tags[0].Type != wecom.TagTypeCorp {
		t.Errorf("follow_user tags %+v", tags)
	}

	// Deleting the last tag of a group deletes the group, and the tag
	// leaves the customers.
	v.mustPost(wecom.PathDelCorpTag, wecom.DelCorpTagRequest{TagID: []string{interest.TagGroup.Tag[0].ID}}, nil)
	v.mustPost(wecom.PathDelCorpTag, wecom.DelCorpTagRequest{GroupID: []string{level.TagGroup.GroupID}}, nil)
	v.mustPost(wecom.PathGetCorpTagList, wecom.GetCorpTagListRequest{}, &all)
	if len(all.TagGroup) != 0 {
		t.Errorf("after deleting everything: %+v", all.TagGroup)
	}
	got = wecom.GetExternalContactResponse{}
	v.get(wecom.PathExternalContactGet, url.Values{"external_userid": {res.ExternalUserID}}, &got)
	if len(got.FollowUser[0].Tags) != 0 {
		t.Errorf("deleted tags still on the customer: %+v", got.FollowUser[0].Tags)
	}
}
