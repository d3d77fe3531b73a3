package wecom

import (
	"net/http"
	"reflect"
	"testing"
)

// wireCase is one endpoint: the call, what must go over the wire, the
// documented example answer, and what the client must make of it.
type wireCase struct {
	name   string
	call   func(c *Client) (any, error)
	method string
	path   string
	query  map[string]string // GET parameters besides access_token
	body   string            // expected JSON body of a POST
	resp   string
	want   any // the decoded result
}

func ptr[T any](v T) *T { return &v }

var wireCases = []wireCase{
	{
		name:   "externalcontact/list",
		call:   func(c *Client) (any, error) { return c.ListExternalContacts(bg, "zhangsan") },
		method: http.MethodGet, path: PathExternalContactList,
		query: map[string]string{"userid": "zhangsan"},
		resp:  `{"errcode":0,"errmsg":"ok","external_userid":["woAJ2GCAAAXtWyujaWJHDDGi0mACAAA","wmqfasd1e1927831291723123109rAAA"]}`,
		want:  []string{"woAJ2GCAAAXtWyujaWJHDDGi0mACAAA", "wmqfasd1e1927831291723123109rAAA"},
	},
	{
		name: "externalcontact/get",
		call: func(c *Client) (any, error) {
			r, err := c.GetExternalContact(bg, "woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA", "CUR1")
			if err != nil {
				return nil, err
			}
			return []any{r.ExternalContact.Name, r.ExternalContact.Type, r.FollowUser[0].State, r.FollowUser[0].Tags[1].Type, int64(r.FollowUser[0].CreateTime), r.NextCursor}, nil
		},
		method: http.MethodGet, path: PathExternalContactGet,
		query: map[string]string{"external_userid": "woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA", "cursor": "CUR1"},
		resp: `{"errcode":0,"errmsg":"ok","external_contact":{"external_userid":"woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA","name":"李四","position":"Manager","avatar":"http://p.qlogo.cn/bizmail/IcsdgagqefergqerhewSdage/0","corp_name":"腾讯","corp_full_name":"腾讯科技有限公司","type":2,"gender":1,"unionid":"ozynqsulJFCZ2z1aYeS8h-nuasdAAA"},
		"follow_user":[{"userid":"rocky","remark":"李部长","description":"对接采购事务","createtime":1525779812,"tags":[{"group_name":"标签分组名称","tag_name":"标签名称","tag_id":"etAJ2GCAAAXtWyujaWJHDDGi0mACHAAA","type":1},{"group_name":"标签分组名称","tag_name":"标签名称","type":2}],"remark_corp_name":"腾讯科技","remark_mobiles":["13800000001"],"oper_userid":"rocky","add_way":1,"state":"外联二维码1"}],"next_cursor":"NEXT_CURSOR"}`,
		want: []any{"李四", 2, "外联二维码1", 2, int64(1525779812), "NEXT_CURSOR"},
	},
	{
		name: "batch/get_by_user",
		call: func(c *Client) (any, error) {
			r, err := c.BatchGetByUser(bg, BatchGetByUserRequest{UserIDList: []string{"rocky", "lisi"}, Cursor: "", Limit: 100})
			if err != nil {
				return nil, err
			}
			l := r.ExternalContactList
			return []any{len(l), l[0].FollowInfo.TagID, l[1].FollowInfo.State, l[0].ExternalContact.ExternalProfile.ExternalAttr[2].MiniProgram.AppID, r.NextCursor}, nil
		},
		method: http.MethodPost, path: PathBatchGetByUser,
		body: `{"userid_list":["rocky","lisi"],"limit":100}`,
		resp: `{"errcode":0,"errmsg":"ok","external_contact_list":[{"external_contact":{"external_userid":"woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA","name":"李四","type":2,"gender":1,"external_profile":{"external_attr":[{"type":0,"name":"文本名称","text":{"value":"文本"}},{"type":1,"name":"网页名称","web":{"url":"http://www.test.com","title":"标题"}},{"type":2,"name":"测试app","miniprogram":{"appid":"wx8bd80126147df384","pagepath":"/index","title":"my miniprogram"}}]}},
		"follow_info":{"userid":"rocky","remark":"李部长","description":"对接采购事务","createtime":1525779812,"tag_id":["etAJ2GCAAAXtWyujaWJHDDGi0mACHAAA"],"remark_corp_name":"腾讯科技","remark_mobiles":["13800000001","13000000002"],"oper_userid":"rocky","add_way":1}},
		{"external_contact":{"external_userid":"woAJ2GCAAAXtWyujaWJHDDGi0mACHBBB","name":"王五","type":2,"gender":1},"follow_info":{"userid":"lisi","createtime":1525881637,"tag_id":["etAJ2GCAAAXtWyujaWJHDDGi0mACHAAA","stJHDDGi0mAGi0mACHBBByujaW"],"state":"外联二维码1","oper_userid":"woAJ2GCAAAd1asdasdjO4wKmE8AabjBBB","add_way":3}}],"next_cursor":"r9FqSqsI8fgNbHLHE5QoCP50UIg2cFQbfma3l2QsmwI"}`,
		want: []any{2, []string{"etAJ2GCAAAXtWyujaWJHDDGi0mACHAAA"}, "外联二维码1", "wx8bd80126147df384", "r9FqSqsI8fgNbHLHE5QoCP50UIg2cFQbfma3l2QsmwI"},
	},
	{
		name: "remark",
		call: func(c *Client) (any, error) {
			return nil, c.Remark(bg, RemarkRequest{UserID: "zhangsan", ExternalUserID: "woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA", Remark: "备注信息", Description: "描述信息", RemarkCompany: "腾讯科技", RemarkMobiles: []string{"13800000001", "13800000002"}, RemarkPicMediaID: "MEDIAID"})
		},
		method: http.MethodPost, path: PathRemark,
		body: `{"userid":"zhangsan","external_userid":"woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA","remark":"备注信息","description":"描述信息","remark_company":"腾讯科技","remark_mobiles":["13800000001","13800000002"],"remark_pic_mediaid":"MEDIAID"}`,
		resp: `{"errcode":0,"errmsg":"ok"}`,
	},
	{
		name:   "get_follow_user_list",
		call:   func(c *Client) (any, error) { return c.GetFollowUserList(bg) },
		method: http.MethodGet, path: PathGetFollowUserList, query: map[string]string{},
		resp: `{"errcode":0,"errmsg":"ok","follow_user":["zhangsan","lissi"]}`,
		want: []string{"zhangsan", "lissi"},
	},
	{
		name: "get_corp_tag_list",
		call: func(c *Client) (any, error) {
			g, err := c.GetCorpTagList(bg, GetCorpTagListRequest{TagID: []string{"etXXXXXXXXXX"}, GroupID: []string{"etYYYYYYYYYY"}})
			if err != nil {
				return nil, err
			}
			return []any{g[0].GroupName, g[0].Order, g[0].Tag[1].ID, g[0].Tag[1].Deleted}, nil
		},
		method: http.MethodPost, path: PathGetCorpTagList,
		body: `{"tag_id":["etXXXXXXXXXX"],"group_id":["etYYYYYYYYYY"]}`,
		resp: `{"errcode":0,"errmsg":"ok","tag_group":[{"group_id":"TAG_GROUPID1","group_name":"GOURP_NAME","create_time":1557838797,"order":1,"deleted":false,"tag":[{"id":"TAG_ID1","name":"NAME1","create_time":1557838797,"order":1,"deleted":false},{"id":"TAG_ID2","name":"NAME2","create_time":1557838797,"order":2,"deleted":true}]}]}`,
		want: []any{"GOURP_NAME", uint32(1), "TAG_ID2", true},
	},
	{
		name: "add_corp_tag",
		call: func(c *Client) (any, error) {
			g, err := c.AddCorpTag(bg, AddCorpTagRequest{GroupID: "GROUP_ID", GroupName: "GROUP_NAME", Order: 1, Tag: []NewCorpTag{{Name: "TAG_NAME_1", Order: 1}, {Name: "TAG_NAME_2", Order: 2}}, AgentID: 1000014})
			if err != nil {
				return nil, err
			}
			return []any{g.GroupID, len(g.Tag), g.Tag[1].ID}, nil
		},
		method: http.MethodPost, path: PathAddCorpTag,
		body: `{"group_id":"GROUP_ID","group_name":"GROUP_NAME","order":1,"tag":[{"name":"TAG_NAME_1","order":1},{"name":"TAG_NAME_2","order":2}],"agentid":1000014}`,
		resp: `{"errcode":0,"errmsg":"ok","tag_group":{"group_id":"TAG_GROUPID1","group_name":"GOURP_NAME","create_time":1557838797,"order":1,"tag":[{"id":"TAG_ID1","name":"NAME1","create_time":1557838797,"order":1},{"id":"TAG_ID2","name":"NAME2","create_time":1557838797,"order":2}]}}`,
		want: []any{"TAG_GROUPID1", 2, "TAG_ID2"},
	},
	{
		name: "edit_corp_tag",
		call: func(c *Client) (any, error) {
			return nil, c.EditCorpTag(bg, EditCorpTagRequest{ID: "TAG_ID", Name: "NEW_TAG_NAME", Order: ptr[uint32](0)})
		},
		method: http.MethodPost, path: PathEditCorpTag,
		body: `{"id":"TAG_ID","name":"NEW_TAG_NAME","order":0}`,
		resp: `{"errcode":0,"errmsg":"ok"}`,
	},
	{
		name: "del_corp_tag",
		call: func(c *Client) (any, error) {
			return nil, c.DelCorpTag(bg, DelCorpTagRequest{TagID: []string{"TAG_ID_1", "TAG_ID_2"}, GroupID: []string{"GROUP_ID_1"}})
		},
		method: http.MethodPost, path: PathDelCorpTag,
		body: `{"tag_id":["TAG_ID_1","TAG_ID_2"],"group_id":["GROUP_ID_1"]}`,
		resp: `{"errcode":0,"errmsg":"ok"}`,
	},
	{
		name: "mark_tag",
		call: func(c *Client) (any, error) {
			return nil, c.MarkTag(bg, MarkTagRequest{UserID: "zhangshan", ExternalUserID: "woAJ2GCAAAd1NPGHKSD4wKmE8Aabj9AAA", AddTag: []string{"TAGID1", "TAGID2"}, RemoveTag: []string{"TAGID3"}})
		},
		method: http.MethodPost, path: PathMarkTag,
		body: `{"userid":"zhangshan","external_userid":"woAJ2GCAAAd1NPGHKSD4wKmE8Aabj9AAA","add_tag":["TAGID1","TAGID2"],"remove_tag":["TAGID3"]}`,
		resp: `{"errcode":0,"errmsg":"ok"}`,
	},
	{
		name: "add_contact_way",
		call: func(c *Client) (any, error) {
			r, err := c.AddContactWay(bg, AddContactWayRequest{Type: 1, Scene: 2, Style: 1, Remark: "渠道客户", SkipVerify: ptr(false), State: "teststate", User: []string{"zhangsan"},
				IsTemp: true, ExpiresIn: 86400, ChatExpiresIn: 86400, UnionID: "oxTWIuGaIt6gTKsQRLau2M0AAAA",
				Conclusions: &Conclusions{Text: &TextContent{Content: "文本消息内容"}, Image: &ImageAttachment{MediaID: "MEDIA_ID"}}})
			if err != nil {
				return nil, err
			}
			return *r, nil
		},
		method: http.MethodPost, path: PathAddContactWay,
		body: `{"type":1,"scene":2,"style":1,"remark":"渠道客户","skip_verify":false,"state":"teststate","user":["zhangsan"],"is_temp":true,"expires_in":86400,"chat_expires_in":86400,"unionid":"oxTWIuGaIt6gTKsQRLau2M0AAAA","conclusions":{"text":{"content":"文本消息内容"},"image":{"media_id":"MEDIA_ID"}}}`,
		resp: `{"errcode":0,"errmsg":"ok","config_id":"42b34949e138eb6e027c123cba77fAAA","qr_code":"http://p.qpic.cn/wwhead/duc2TvpEgSdicZ9RrdUtBkv2UiaA/0"}`,
		want: AddContactWayResponse{Response: OK, ConfigID: "42b34949e138eb6e027c123cba77fAAA", QRCode: "http://p.qpic.cn/wwhead/duc2TvpEgSdicZ9RrdUtBkv2UiaA/0"},
	},
	{
		name: "get_contact_way",
		call: func(c *Client) (any, error) {
			w, err := c.GetContactWay(bg, "42b34949e138eb6e027c123cba77fAAA")
			if err != nil {
				return nil, err
			}
			return []any{w.State, w.User, w.Party, w.SkipVerify, w.Conclusions.Image.PicURL, w.Conclusions.MiniProgram.Page}, nil
		},
		method: http.MethodPost, path: PathGetContactWay,
		body: `{"config_id":"42b34949e138eb6e027c123cba77fAAA"}`,
		resp: `{"errcode":0,"errmsg":"ok","contact_way":{"config_id":"42b34949e138eb6e027c123cba77fAAA","type":1,"scene":1,"style":2,"remark":"test remark","skip_verify":true,"state":"teststate","qr_code":"http://p.qpic.cn/wwhead/duc2TvpEgSdicZ9RrdUtBkv2UiaA/0","user":["zhangsan","lisi","wangwu"],"party":[2,3],"is_temp":true,"expires_in":86400,"chat_expires_in":86400,"unionid":"oxTWIuGaIt6gTKsQRLau2M0AAAA","conclusions":{"text":{"content":"文本消息内容"},"image":{"pic_url":"http://p.qpic.cn/pic_wework/XXXXX"},"link":{"title":"消息标题","picurl":"https://example.pic.com/path","desc":"消息描述","url":"https://example.link.com/path"},"miniprogram":{"title":"消息标题","pic_media_id":"MEDIA_ID","appid":"wx8bd80126147dfAAA","page":"/path/index"}}}}`,
		want: []any{"teststate", []string{"zhangsan", "lisi", "wangwu"}, []int64{2, 3}, true, "http://p.qpic.cn/pic_wework/XXXXX", "/path/index"},
	},
	{
		name: "list_contact_way",
		call: func(c *Client) (any, error) {
			r, err := c.ListContactWay(bg, ListContactWayRequest{StartTime: 1622476800, EndTime: 1625068800, Cursor: "CURSOR", Limit: 1000})
			if err != nil {
				return nil, err
			}
			return []any{r.ContactWay, r.NextCursor}, nil
		},
		method: http.MethodPost, path: PathListContactWay,
		body: `{"start_time":1622476800,"end_time":1625068800,"cursor":"CURSOR","limit":1000}`,
		resp: `{"errcode":0,"errmsg":"ok","contact_way":[{"config_id":"534b63270045c9ABiKEE814ef56d91c62f"},{"config_id":"87bBiKEE811c62f63270041c62f5c9A4"}],"next_cursor":"NEXT_CURSOR"}`,
		want: []any{[]ContactWayRef{{"534b63270045c9ABiKEE814ef56d91c62f"}, {"87bBiKEE811c62f63270041c62f5c9A4"}}, "NEXT_CURSOR"},
	},
	{
		name: "update_contact_way",
		call: func(c *Client) (any, error) {
			return nil, c.UpdateContactWay(bg, UpdateContactWayRequest{ConfigID: "42b34949e138eb6e027c123cba77fAAA", Remark: "渠道客户", SkipVerify: ptr(true), Style: 1, State: "teststate", User: []string{"zhangsan", "lisi"}, Party: []int64{2, 3}})
		},
		method: http.MethodPost, path: PathUpdateContactWay,
		body: `{"config_id":"42b34949e138eb6e027c123cba77fAAA","remark":"渠道客户","skip_verify":true,"style":1,"state":"teststate","user":["zhangsan","lisi"],"party":[2,3]}`,
		resp: `{"errcode":0,"errmsg":"ok"}`,
	},
	{
		name:   "del_contact_way",
		call:   func(c *Client) (any, error) { return nil, c.DelContactWay(bg, "42b34949e138eb6e027c123cba77fAAA") },
		method: http.MethodPost, path: PathDelContactWay,
		body: `{"config_id":"42b34949e138eb6e027c123cba77fAAA"}`,
		resp: `{"errcode":0,"errmsg":"ok"}`,
	},
	{
		name: "send_welcome_msg",
		call: func(c *Client) (any, error) {
			return nil, c.SendWelcomeMsg(bg, SendWelcomeMsgRequest{WelcomeCode: "CALLBACK_CODE", Text: &TextContent{Content: "文本消息内容"}, Attachments: []Attachment{
				{MsgType: MsgTypeImage, Image: &ImageAttachment{MediaID: "MEDIA_ID", PicURL: "http://p.qpic.cn/pic_wework/3474110808/7a6344sdadfwehe42060/0"}},
				{MsgType: MsgTypeLink, Link: &LinkAttachment{Title: "消息标题", PicURL: "https://example.pic.com/path", Desc: "消息描述", URL: "https://example.link.com/path"}},
				{MsgType: MsgTypeMiniProgram, MiniProgram: &MiniProgramAttachment{Title: "消息标题", PicMediaID: "MEDIA_ID", AppID: "wx8bd80126147dfAAA", Page: "/path/index.html"}},
				{MsgType: MsgTypeVideo, Video: &MediaAttachment{MediaID: "MEDIA_ID"}},
				{MsgType: MsgTypeFile, File: &MediaAttachment{MediaID: "MEDIA_ID"}},
			}})
		},
		method: http.MethodPost, path: PathSendWelcomeMsg,
		body: `{"welcome_code":"CALLBACK_CODE","text":{"content":"文本消息内容"},"attachments":[{"msgtype":"image","image":{"media_id":"MEDIA_ID","pic_url":"http://p.qpic.cn/pic_wework/3474110808/7a6344sdadfwehe42060/0"}},{"msgtype":"link","link":{"title":"消息标题","picurl":"https://example.pic.com/path","desc":"消息描述","url":"https://example.link.com/path"}},{"msgtype":"miniprogram","miniprogram":{"title":"消息标题","pic_media_id":"MEDIA_ID","appid":"wx8bd80126147dfAAA","page":"/path/index.html"}},{"msgtype":"video","video":{"media_id":"MEDIA_ID"}},{"msgtype":"file","file":{"media_id":"MEDIA_ID"}}]}`,
		resp: `{"errcode":0,"errmsg":"ok"}`,
	},
	{
		name: "groupchat/list",
		call: func(c *Client) (any, error) {
			r, err := c.GroupChatList(bg, GroupChatListRequest{StatusFilter: 0, OwnerFilter: &OwnerFilter{UserIDList: []string{"abel"}}, Cursor: "r9FqSqsI8fgNbHLHE5QoCP50UIg2cFQbfma3l2QsmwI", Limit: 10})
			if err != nil {
				return nil, err
			}
			return []any{r.GroupChatList, r.NextCursor}, nil
		},
		method: http.MethodPost, path: PathGroupChatList,
		body: `{"owner_filter":{"userid_list":["abel"]},"cursor":"r9FqSqsI8fgNbHLHE5QoCP50UIg2cFQbfma3l2QsmwI","limit":10}`,
		resp: `{"errcode":0,"errmsg":"ok","group_chat_list":[{"chat_id":"wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA","status":0},{"chat_id":"wrOgQhDgAAcwMTB7YmDkbeBsAAAA","status":0}],"next_cursor":"tJzlB9tdqfh-g7i_J-ehOz_TWcd7dSKa39_AqCIeMFw"}`,
		want: []any{[]GroupChatRef{{"wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA", 0}, {"wrOgQhDgAAcwMTB7YmDkbeBsAAAA", 0}}, "tJzlB9tdqfh-g7i_J-ehOz_TWcd7dSKa39_AqCIeMFw"},
	},
	{
		name: "groupchat/get",
		call: func(c *Client) (any, error) {
			g, err := c.GroupChatGet(bg, "wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA", true)
			if err != nil {
				return nil, err
			}
			return []any{g.Name, g.Owner, int64(g.CreateTime), len(g.MemberList), g.MemberList[0].Invitor.UserID, g.MemberList[1].Invitor == nil, g.MemberList[1].Type, g.AdminList[1].UserID}, nil
		},
		method: http.MethodPost, path: PathGroupChatGet,
		body: `{"chat_id":"wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA","need_name":1}`,
		resp: `{"errcode":0,"errmsg":"ok","group_chat":{"chat_id":"wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA","name":"销售客服群","owner":"ZhuShengBen","create_time":1572505490,"notice":"文明沟通，拒绝脏话","member_list":[{"userid":"abel","type":1,"join_time":1572505491,"join_scene":1,"invitor":{"userid":"jack"},"group_nickname":"客服小张","name":"张三丰"},{"userid":"wmOgQhDgAAuXFJGwbve4g4iXknfOAAAA","type":2,"unionid":"ozynqsulJFCZ2z1aYeS8h-nuasdAAA","join_time":1572505491,"join_scene":1,"group_nickname":"顾客老王","name":"王语嫣"}],"admin_list":[{"userid":"sam"},{"userid":"pony"}]}}`,
		want: []any{"销售客服群", "ZhuShengBen", int64(1572505490), 2, "jack", true, 2, "pony"},
	},
	{
		name: "groupchat/add_join_way",
		call: func(c *Client) (any, error) {
			return c.AddJoinWay(bg, AddJoinWayRequest{Scene: 2, Remark: "aa_remark", AutoCreateRoom: ptr(1), RoomBaseName: "销售客服群", RoomBaseID: 10, ChatIDList: []string{"wrOgQhDgAAH2Yy-CTZ6POca8mlBEdaaa", "wrOgQhDgAALPUthpRAKvl7mgiQRwAAA"}, State: "klsdup3ka3ls84"})
		},
		method: http.MethodPost, path: PathAddJoinWay,
		body: `{"scene":2,"remark":"aa_remark","auto_create_room":1,"room_base_name":"销售客服群","room_base_id":10,"chat_id_list":["wrOgQhDgAAH2Yy-CTZ6POca8mlBEdaaa","wrOgQhDgAALPUthpRAKvl7mgiQRwAAA"],"state":"klsdup3ka3ls84"}`,
		resp: `{"errcode":0,"errmsg":"ok","config_id":"9ad7fa5cdaa6511298498f979c472aaa"}`,
		want: "9ad7fa5cdaa6511298498f979c472aaa",
	},
	{
		name: "groupchat/get_join_way",
		call: func(c *Client) (any, error) {
			j, err := c.GetJoinWay(bg, "9ad7fa5cdaa6511298498f979c472aaa")
			if err != nil {
				return nil, err
			}
			return []any{j.QRCode, j.AutoCreateRoom, j.ChatIDList, j.State}, nil
		},
		method: http.MethodPost, path: PathGetJoinWay,
		body: `{"config_id":"9ad7fa5cdaa6511298498f979c472aaa"}`,
		resp: `{"errcode":0,"errmsg":"ok","join_way":{"config_id":"9ad7fa5cdaa6511298498f979c472aaa","scene":2,"remark":"aa_remark","auto_create_room":1,"room_base_name":"销售客服群","room_base_id":10,"chat_id_list":["wrOgQhDgAAH2Yy-CTZ6POca8mlBEdaaa","wrOgQhDgAALPUthpRAKvl7mgiQRwAAA"],"qr_code":"http://p.qpic.cn/wwhead/nMl9ssowtibVGyrmvBiaibzDtp/0","state":"klsdup3ka3ls84"}}`,
		want: []any{"http://p.qpic.cn/wwhead/nMl9ssowtibVGyrmvBiaibzDtp/0", 1, []string{"wrOgQhDgAAH2Yy-CTZ6POca8mlBEdaaa", "wrOgQhDgAALPUthpRAKvl7mgiQRwAAA"}, "klsdup3ka3ls84"},
	},
	{
		name: "groupchat/update_join_way",
		call: func(c *Client) (any, error) {
			return nil, c.UpdateJoinWay(bg, UpdateJoinWayRequest{ConfigID: "9ad7fa5cdaa6511298498f979c472aaa", Scene: 2, AutoCreateRoom: ptr(0), ChatIDList: []string{"wrOgQhDgAAH2Yy-CTZ6POca8mlBEdaaa"}})
		},
		method: http.MethodPost, path: PathUpdateJoinWay,
		body: `{"config_id":"9ad7fa5cdaa6511298498f979c472aaa","scene":2,"auto_create_room":0,"chat_id_list":["wrOgQhDgAAH2Yy-CTZ6POca8mlBEdaaa"]}`,
		resp: `{"errcode":0,"errmsg":"ok"}`,
	},
	{
		name:   "groupchat/del_join_way",
		call:   func(c *Client) (any, error) { return nil, c.DelJoinWay(bg, "9ad7fa5cdaa6511298498f979c472aaa") },
		method: http.MethodPost, path: PathDelJoinWay,
		body: `{"config_id":"9ad7fa5cdaa6511298498f979c472aaa"}`,
		resp: `{"errcode":0,"errmsg":"ok"}`,
	},
	{
		name: "add_msg_template",
		call: func(c *Client) (any, error) {
			r, err := c.AddMsgTemplate(bg, AddMsgTemplateRequest{ChatType: ChatTypeSingle, ExternalUserID: []string{"woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA", "wmqfasd1e1927831123109rBAAAA"}, Sender: "zhangsan", Text: &TextContent{Content: "文本消息内容"},
				Attachments: []Attachment{{MsgType: MsgTypeLink, Link: &LinkAttachment{Title: "消息标题", PicURL: "https://example.pic.com/path", Desc: "消息描述", URL: "https://example.link.com/path"}}}})
			if err != nil {
				return nil, err
			}
			return []any{r.FailList, r.MsgID}, nil
		},
		method: http.MethodPost, path: PathAddMsgTemplate,
		body: `{"chat_type":"single","external_userid":["woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA","wmqfasd1e1927831123109rBAAAA"],"sender":"zhangsan","text":{"content":"文本消息内容"},"attachments":[{"msgtype":"link","link":{"title":"消息标题","picurl":"https://example.pic.com/path","desc":"消息描述","url":"https://example.link.com/path"}}]}`,
		resp: `{"errcode":0,"errmsg":"ok","fail_list":["wmqfasd1e1927831123109rBAAAA"],"msgid":"msgGCAAAXtWyujaWJHDDGi0mAAAA"}`,
		want: []any{[]string{"wmqfasd1e1927831123109rBAAAA"}, "msgGCAAAXtWyujaWJHDDGi0mAAAA"},
	},
	{
		name: "get_groupmsg_list_v2",
		call: func(c *Client) (any, error) {
			r, err := c.GetGroupMsgListV2(bg, GetGroupMsgListV2Request{ChatType: "single", StartTime: 1605171726, EndTime: 1605172726, Creator: "zhangshan", FilterType: ptr(1), Limit: 50, Cursor: "CURSOR"})
			if err != nil {
				return nil, err
			}
			m := r.GroupMsgList[0]
			return []any{m.MsgID, int64(m.CreateTime), m.CreateType, m.Text.Content, len(m.Attachments), m.Attachments[2].MiniProgram.AppID, r.NextCursor}, nil
		},
		method: http.MethodPost, path: PathGetGroupMsgListV2,
		body: `{"chat_type":"single","start_time":1605171726,"end_time":1605172726,"creator":"zhangshan","filter_type":1,"limit":50,"cursor":"CURSOR"}`,
		// The documented example writes create_time as a string.
		resp: `{"errcode":0,"errmsg":"ok","next_cursor":"CURSOR","group_msg_list":[{"msgid":"msgGCAAAXtWyujaWJHDDGi0mAAAA","creator":"xxxx","create_time":"1605171726","create_type":1,"text":{"content":"文本消息内容"},"attachments":[{"msgtype":"image","image":{"media_id":"MEDIA_ID","pic_url":"http://p.qpic.cn/pic_wework/3474110808/7a6344sdadfwehe42060/0"}},{"msgtype":"link","link":{"title":"消息标题","picurl":"https://example.pic.com/path","desc":"消息描述","url":"https://example.link.com/path"}},{"msgtype":"miniprogram","miniprogram":{"title":"消息标题","pic_media_id":"MEDIA_ID","appid":"wx8bd80126147dfAAA","page":"/path/index.html"}},{"msgtype":"video","video":{"media_id":"MEDIA_ID"}},{"msgtype":"file","file":{"media_id":"MEDIA_ID"}}]}]}`,
		want: []any{"msgGCAAAXtWyujaWJHDDGi0mAAAA", int64(1605171726), 1, "文本消息内容", 5, "wx8bd80126147dfAAA", "CURSOR"},
	},
	{
		name: "get_groupmsg_task",
		call: func(c *Client) (any, error) {
			r, err := c.GetGroupMsgTask(bg, GetGroupMsgTaskRequest{MsgID: "msgGCAAAXtWyujaWJHDDGi0mACAAAA", Limit: 50, Cursor: "CURSOR"})
			if err != nil {
				return nil, err
			}
			return r.TaskList, nil
		},
		method: http.MethodPost, path: PathGetGroupMsgTask,
		body: `{"msgid":"msgGCAAAXtWyujaWJHDDGi0mACAAAA","limit":50,"cursor":"CURSOR"}`,
		resp: `{"errcode":0,"errmsg":"ok","next_cursor":"CURSOR","task_list":[{"userid":"zhangsan","status":1,"send_time":1552536375}]}`,
		want: []GroupMsgTask{{UserID: "zhangsan", Status: 1, SendTime: 1552536375}},
	},
	{
		name: "get_groupmsg_send_result",
		call: func(c *Client) (any, error) {
			r, err := c.GetGroupMsgSendResult(bg, GetGroupMsgSendResultRequest{MsgID: "msgGCAAAXtWyujaWJHDDGi0mACAAAA", UserID: "zhangsan", Limit: 50, Cursor: "CURSOR"})
			if err != nil {
				return nil, err
			}
			return r.SendList, nil
		},
		method: http.MethodPost, path: PathGetGroupMsgSendResult,
		body: `{"msgid":"msgGCAAAXtWyujaWJHDDGi0mACAAAA","userid":"zhangsan","limit":50,"cursor":"CURSOR"}`,
		resp: `{"errcode":0,"errmsg":"ok","next_cursor":"CURSOR","send_list":[{"external_userid":"wmqfasd1e19278asdasAAAA","chat_id":"wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA","userid":"zhangsan","status":1,"send_time":1552536375}]}`,
		want: []GroupMsgSendResult{{ExternalUserID: "wmqfasd1e19278asdasAAAA", ChatID: "wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA", UserID: "zhangsan", Status: 1, SendTime: 1552536375}},
	},
	{
		name:   "remind_groupmsg_send",
		call:   func(c *Client) (any, error) { return nil, c.RemindGroupMsgSend(bg, "msgGCAAAXtWyujaWJHDDGi0mACAAAA") },
		method: http.MethodPost, path: PathRemindGroupMsgSend,
		body: `{"msgid":"msgGCAAAXtWyujaWJHDDGi0mACAAAA"}`,
		resp: `{"errcode":0,"errmsg":"ok"}`,
	},
	{
		name:   "cancel_groupmsg_send",
		call:   func(c *Client) (any, error) { return nil, c.CancelGroupMsgSend(bg, "msgGCAAAXtWyujaWJHDDGi0mACAAAA") },
		method: http.MethodPost, path: PathCancelGroupMsgSend,
		body: `{"msgid":"msgGCAAAXtWyujaWJHDDGi0mACAAAA"}`,
		resp: `{"errcode":0,"errmsg":"ok"}`,
	},
	{
		name: "add_moment_task",
		call: func(c *Client) (any, error) {
			return c.AddMomentTask(bg, AddMomentTaskRequest{Text: &TextContent{Content: "文本消息内容"}, Attachments: []Attachment{
				{MsgType: MsgTypeImage, Image: &ImageAttachment{MediaID: "MEDIA_ID"}},
				{MsgType: MsgTypeVideo, Video: &MediaAttachment{MediaID: "MEDIA_ID"}},
				{MsgType: MsgTypeLink, Link: &LinkAttachment{Title: "消息标题", URL: "https://example.link.com/path", MediaID: "MEDIA_ID"}},
			}, VisibleRange: &MomentVisibleRange{SenderList: &MomentSenderList{UserList: []string{"zhangshan", "lisi"}, DepartmentList: []int64{2, 3}}, ExternalContactList: &MomentExternalContactList{TagList: []string{"etXXXXXXXXXX", "etYYYYYYYYYY"}}}})
		},
		method: http.MethodPost, path: PathAddMomentTask,
		body: `{"text":{"content":"文本消息内容"},"attachments":[{"msgtype":"image","image":{"media_id":"MEDIA_ID"}},{"msgtype":"video","video":{"media_id":"MEDIA_ID"}},{"msgtype":"link","link":{"title":"消息标题","url":"https://example.link.com/path","media_id":"MEDIA_ID"}}],"visible_range":{"sender_list":{"user_list":["zhangshan","lisi"],"department_list":[2,3]},"external_contact_list":{"tag_list":["etXXXXXXXXXX","etYYYYYYYYYY"]}}}`,
		resp: `{"errcode":0,"errmsg":"ok","jobid":"xxxx"}`,
		want: "xxxx",
	},
	{
		name: "get_moment_task_result",
		call: func(c *Client) (any, error) {
			r, err := c.GetMomentTaskResult(bg, "xxxxx")
			if err != nil {
				return nil, err
			}
			return []any{r.Status, r.Type, r.Result.ErrCode, r.Result.MomentID, r.Result.InvalidSenderList.UserList, r.Result.InvalidExternalContactList.TagList}, nil
		},
		method: http.MethodGet, path: PathGetMomentTaskResult,
		query: map[string]string{"jobid": "xxxxx"},
		resp:  `{"errcode":0,"errmsg":"ok","status":3,"type":"add_moment_task","result":{"errcode":0,"errmsg":"ok","moment_id":"xxxx","invalid_sender_list":{"user_list":["zhangshan","lisi"],"department_list":[2,3]},"invalid_external_contact_list":{"tag_list":["xxx"]}}}`,
		want:  []any{3, "add_moment_task", 0, "xxxx", []string{"zhangshan", "lisi"}, []string{"xxx"}},
	},
	{
		name:   "cancel_moment_task",
		call:   func(c *Client) (any, error) { return nil, c.CancelMomentTask(bg, "momxxx") },
		method: http.MethodPost, path: PathCancelMomentTask,
		body: `{"moment_id":"momxxx"}`,
		resp: `{"errcode":0,"errmsg":"ok"}`,
	},
	{
		name: "get_moment_list",
		call: func(c *Client) (any, error) {
			r, err := c.GetMomentList(bg, GetMomentListRequest{StartTime: 1605000000, EndTime: 1605172726, Creator: "zhangsan", FilterType: ptr(1), Cursor: "CURSOR", Limit: 10})
			if err != nil {
				return nil, err
			}
			m := r.MomentList[0]
			return []any{m.MomentID, int64(m.CreateTime), m.VisibleType, m.Image[0].MediaID, m.Video.ThumbMediaID, m.Link.URL, m.Location.Latitude}, nil
		},
		method: http.MethodPost, path: PathGetMomentList,
		body: `{"start_time":1605000000,"end_time":1605172726,"creator":"zhangsan","filter_type":1,"cursor":"CURSOR","limit":10}`,
		resp: `{"errcode":0,"errmsg":"ok","next_cursor":"CURSOR","moment_list":[{"moment_id":"momxxx","creator":"xxxx","create_time":1605172726,"create_type":1,"visible_type":1,"text":{"content":"test"},"image":[{"media_id":"WWCISP_xxxxx"}],"video":{"media_id":"WWCISP_xxxxx","thumb_media_id":"WWCISP_yyyyy"},"link":{"title":"腾讯网-QQ.COM","url":"https://www.qq.com"},"location":{"latitude":"23.10647","longitude":"113.32446","name":"广州市 · 广州塔"}}]}`,
		want: []any{"momxxx", int64(1605172726), 1, "WWCISP_xxxxx", "WWCISP_yyyyy", "https://www.qq.com", "23.10647"},
	},
	{
		name: "get_moment_task",
		call: func(c *Client) (any, error) {
			r, err := c.GetMomentTask(bg, GetMomentTaskRequest{MomentID: "momxxx", Cursor: "CURSOR", Limit: 10})
			if err != nil {
				return nil, err
			}
			return r.TaskList, nil
		},
		method: http.MethodPost, path: PathGetMomentTask,
		body: `{"moment_id":"momxxx","cursor":"CURSOR","limit":10}`,
		resp: `{"errcode":0,"errmsg":"ok","next_cursor":"CURSOR","task_list":[{"userid":"zhangsan","publish_status":1}]}`,
		want: []MomentTask{{UserID: "zhangsan", PublishStatus: 1}},
	},
	{
		name: "get_moment_customer_list",
		call: func(c *Client) (any, error) {
			r, err := c.GetMomentCustomerList(bg, GetMomentCustomerListRequest{MomentID: "momxxx", UserID: "xxx", Cursor: "CURSOR", Limit: 10})
			if err != nil {
				return nil, err
			}
			return r.CustomerList, nil
		},
		method: http.MethodPost, path: PathGetMomentCustomerList,
		body: `{"moment_id":"momxxx","userid":"xxx","cursor":"CURSOR","limit":10}`,
		resp: `{"errcode":0,"errmsg":"ok","next_cursor":"CURSOR","customer_list":[{"userid":"xxx","external_userid":"woAJ2GCAAAXtWyujaWJHDDGi0mACCCC"}]}`,
		want: []MomentCustomer{{UserID: "xxx", ExternalUserID: "woAJ2GCAAAXtWyujaWJHDDGi0mACCCC"}},
	},
	{
		name: "get_moment_send_result",
		call: func(c *Client) (any, error) {
			r, err := c.GetMomentSendResult(bg, GetMomentCustomerListRequest{MomentID: "momxxx", UserID: "xxx", Cursor: "CURSOR", Limit: 100})
			if err != nil {
				return nil, err
			}
			return r.CustomerList, nil
		},
		method: http.MethodPost, path: PathGetMomentSendResult,
		body: `{"moment_id":"momxxx","userid":"xxx","cursor":"CURSOR","limit":100}`,
		resp: `{"errcode":0,"errmsg":"ok","next_cursor":"CURSOR","customer_list":[{"external_userid":"woAJ2GCAAAXtWyujaWJHDDGi0mACCCC"}]}`,
		want: []MomentSendCustomer{{ExternalUserID: "woAJ2GCAAAXtWyujaWJHDDGi0mACCCC"}},
	},
	{
		name: "get_moment_comments",
		call: func(c *Client) (any, error) {
			r, err := c.GetMomentComments(bg, GetMomentCommentsRequest{MomentID: "momxxx", UserID: "xxx"})
			if err != nil {
				return nil, err
			}
			return []any{r.CommentList, r.LikeList[1].UserID}, nil
		},
		method: http.MethodPost, path: PathGetMomentComments,
		body: `{"moment_id":"momxxx","userid":"xxx"}`,
		resp: `{"errcode":0,"errmsg":"ok","comment_list":[{"external_userid":"woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA","create_time":1605172726},{"userid":"zhangshan","create_time":1605172729}],"like_list":[{"external_userid":"woAJ2GCAAAXtWyujaWJHDDGi0mACBBBB","create_time":1605172726},{"userid":"zhangshan","create_time":1605172720}]}`,
		want: []any{[]MomentInteraction{{ExternalUserID: "woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA", CreateTime: 1605172726}, {UserID: "zhangshan", CreateTime: 1605172729}}, "zhangshan"},
	},
	{
		name: "transfer_customer",
		call: func(c *Client) (any, error) {
			r, err := c.TransferCustomer(bg, TransferCustomerRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi", ExternalUserID: []string{"woAJ2GCAAAXtWyujaWJHDDGi0mACBBBB", "woAJ2GCAAAXtWyujaWJHDDGi0mACCCC"}, TransferSuccessMsg: "您好，您的服务已升级，后续将由我的同事李四@腾讯接替我的工作，继续为您服务。"})
			if err != nil {
				return nil, err
			}
			return r.Customer, nil
		},
		method: http.MethodPost, path: PathTransferCustomer,
		body: `{"handover_userid":"zhangsan","takeover_userid":"lisi","external_userid":["woAJ2GCAAAXtWyujaWJHDDGi0mACBBBB","woAJ2GCAAAXtWyujaWJHDDGi0mACCCC"],"transfer_success_msg":"您好，您的服务已升级，后续将由我的同事李四@腾讯接替我的工作，继续为您服务。"}`,
		resp: `{"errcode":0,"errmsg":"ok","customer":[{"external_userid":"woAJ2GCAAAXtWyujaWJHDDGi0mACBBBB","errcode":40096},{"external_userid":"woAJ2GCAAAXtWyujaWJHDDGi0mACCCC","errcode":0}]}`,
		want: []TransferCustomerResult{{"woAJ2GCAAAXtWyujaWJHDDGi0mACBBBB", 40096}, {"woAJ2GCAAAXtWyujaWJHDDGi0mACCCC", 0}},
	},
	{
		name: "transfer_result",
		call: func(c *Client) (any, error) {
			r, err := c.TransferResult(bg, TransferResultRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi", Cursor: "CURSOR"})
			if err != nil {
				return nil, err
			}
			return []any{r.Customer, r.NextCursor}, nil
		},
		method: http.MethodPost, path: PathTransferResult,
		body: `{"handover_userid":"zhangsan","takeover_userid":"lisi","cursor":"CURSOR"}`,
		resp: `{"errcode":0,"errmsg":"ok","customer":[{"external_userid":"woAJ2GCAAAXtWyujaWJHDDGi0mACCCC","status":1,"takeover_time":1588262400},{"external_userid":"woAJ2GCAAAXtWyujaWJHDDGi0mACBBBB","status":2,"takeover_time":1588482400},{"external_userid":"woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA","status":3,"takeover_time":0}],"next_cursor":"NEXT_CURSOR"}`,
		want: []any{[]TransferStatus{{"woAJ2GCAAAXtWyujaWJHDDGi0mACCCC", 1, 1588262400}, {"woAJ2GCAAAXtWyujaWJHDDGi0mACBBBB", 2, 1588482400}, {"woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA", 3, 0}}, "NEXT_CURSOR"},
	},
	{
		name: "resigned/transfer_customer",
		call: func(c *Client) (any, error) {
			r, err := c.ResignedTransferCustomer(bg, ResignedTransferCustomerRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi", ExternalUserID: []string{"woAJ2GCAAAXtWyujaWJHDDGi0mACBBBB"}})
			if err != nil {
				return nil, err
			}
			return r.Customer, nil
		},
		method: http.MethodPost, path: PathResignedTransfer,
		body: `{"handover_userid":"zhangsan","takeover_userid":"lisi","external_userid":["woAJ2GCAAAXtWyujaWJHDDGi0mACBBBB"]}`,
		resp: `{"errcode":0,"errmsg":"ok","customer":[{"external_userid":"woAJ2GCAAAXtWyujaWJHDDGi0mACBBBB","errcode":0}]}`,
		want: []TransferCustomerResult{{"woAJ2GCAAAXtWyujaWJHDDGi0mACBBBB", 0}},
	},
	{
		name: "resigned/transfer_result",
		call: func(c *Client) (any, error) {
			r, err := c.ResignedTransferResult(bg, TransferResultRequest{HandoverUserID: "zhangsan", TakeoverUserID: "lisi"})
			if err != nil {
				return nil, err
			}
			return r.Customer, nil
		},
		method: http.MethodPost, path: PathResignedTransferResult,
		body: `{"handover_userid":"zhangsan","takeover_userid":"lisi"}`,
		resp: `{"errcode":0,"errmsg":"ok","customer":[{"external_userid":"woAJ2GCAAAXtWyujaWJHDDGi0mACCCC","status":4,"takeover_time":1588262400}],"next_cursor":""}`,
		want: []TransferStatus{{"woAJ2GCAAAXtWyujaWJHDDGi0mACCCC", 4, 1588262400}},
	},
	{
		name: "get_unassigned_list",
		call: func(c *Client) (any, error) {
			r, err := c.GetUnassignedList(bg, GetUnassignedListRequest{Cursor: "", PageSize: 100})
			if err != nil {
				return nil, err
			}
			return []any{r.Info, r.IsLast}, nil
		},
		method: http.MethodPost, path: PathGetUnassignedList,
		body: `{"page_size":100}`,
		resp: `{"errcode":0,"errmsg":"ok","info":[{"handover_userid":"zhangsan","external_userid":"woAJ2GCAAAd4uL12hdfsdasassdDmAAAAA","dimission_time":1550838571}],"is_last":false,"next_cursor":"aSfwejksvhToiMMfFeIGZZ"}`,
		want: []any{[]UnassignedCustomer{{"zhangsan", "woAJ2GCAAAd4uL12hdfsdasassdDmAAAAA", 1550838571}}, false},
	},
	{
		name: "groupchat/transfer",
		call: func(c *Client) (any, error) {
			r, err := c.TransferGroupChat(bg, GroupChatTransferRequest{ChatIDList: []string{"wrOgQhDgAAcwMTB7YmDkbeBsgT_AAAA", "wrOgQhDgAAMYQiS5ol9G7gK9JVQUAAAA"}, NewOwner: "zhangsan"})
			if err != nil {
				return nil, err
			}
			return r.FailedChatList, nil
		},
		method: http.MethodPost, path: PathGroupChatTransfer,
		body: `{"chat_id_list":["wrOgQhDgAAcwMTB7YmDkbeBsgT_AAAA","wrOgQhDgAAMYQiS5ol9G7gK9JVQUAAAA"],"new_owner":"zhangsan"}`,
		resp: `{"errcode":0,"errmsg":"ok","failed_chat_list":[{"chat_id":"wrOgQhDgAAcwMTB7YmDkbeBsgT_AAAA","errcode":90500,"errmsg":"the owner of this chat has not resigned"}]}`,
		want: []FailedChat{{"wrOgQhDgAAcwMTB7YmDkbeBsgT_AAAA", 90500, "the owner of this chat has not resigned"}},
	},
	{
		name: "groupchat/onjob_transfer",
		call: func(c *Client) (any, error) {
			r, err := c.OnjobTransferGroupChat(bg, GroupChatTransferRequest{ChatIDList: []string{"wrOgQhDgAAcwMTB7YmDkbeBsgT_AAAA"}, NewOwner: "zhangsan"})
			if err != nil {
				return nil, err
			}
			return len(r.FailedChatList), nil
		},
		method: http.MethodPost, path: PathGroupChatOnjobTransfer,
		body: `{"chat_id_list":["wrOgQhDgAAcwMTB7YmDkbeBsgT_AAAA"],"new_owner":"zhangsan"}`,
		resp: `{"errcode":0,"errmsg":"ok","failed_chat_list":[]}`,
		want: 0,
	},
	{
		name: "close_temp_chat",
		call: func(c *Client) (any, error) {
			return nil, c.CloseTempChat(bg, CloseTempChatRequest{UserID: "zhangyisheng", ExternalUserID: "woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA"})
		},
		method: http.MethodPost, path: PathCloseTempChat,
		body: `{"userid":"zhangyisheng","external_userid":"woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA"}`,
		resp: `{"errcode":0,"errmsg":"ok"}`,
	},
}

func TestWireFormat(t *testing.T) {
	f := newFake(t)
	c := f.client(t)
	seen := map[string]bool{}
	for _, tc := range wireCases {
		t.Run(tc.name, func(t *testing.T) {
			f.reply(tc.path, tc.resp)
			before := len(f.recorded())
			got, err := tc.call(c)
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			reqs := f.recorded()[before:]
			if len(reqs) != 1 {
				t.Fatalf("%d requests sent, want 1", len(reqs))
			}
			r := reqs[0]
			seen[r.Path] = true
			if r.Method != tc.method || r.Path != tc.path {
				t.Errorf("sent %s %s, want %s %s", r.Method, r.Path, tc.method, tc.path)
			}
			if r.Token == "" {
				t.Error("access_token missing from the query string")
			}
			if tc.method == http.MethodGet {
				if len(r.Body) != 0 {
					t.Errorf("GET with a body: %s", r.Body)
				}
				for k, v := range tc.query {
					if got := r.Query[k]; len(got) != 1 || got[0] != v {
						t.Errorf("query %s = %v, want %q", k, got, v)
					}
				}
				if len(r.Query) != len(tc.query)+1 {
					t.Errorf("query = %v, want only %v and access_token", r.Query, tc.query)
				}
			} else {
				if len(r.Query) != 1 {
					t.Errorf("POST query = %v, want only access_token", r.Query)
				}
				if !jsonEqual(t, r.Body, tc.body) {
					t.Errorf("body\n got %s\nwant %s", r.Body, tc.body)
				}
			}
			if !reflect.DeepEqual(got, tc.want) && !(tc.want == nil && isNilResult(got)) {
				t.Errorf("result\n got %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func isNilResult(v any) bool { return v == nil }

// TestEveryPathCovered keeps the wire table in step with the path list.
func TestEveryPathCovered(t *testing.T) {
	covered := map[string]bool{PathGetToken: true}
	for _, tc := range wireCases {
		covered[tc.path] = true
	}
	for _, p := range allPaths {
		if !covered[p] {
			t.Errorf("no wire test for %s", p)
		}
	}
}

var allPaths = []string{
	PathGetToken, PathExternalContactList, PathExternalContactGet, PathBatchGetByUser, PathRemark, PathGetFollowUserList,
	PathGetCorpTagList, PathAddCorpTag, PathEditCorpTag, PathDelCorpTag, PathMarkTag,
	PathAddContactWay, PathGetContactWay, PathListContactWay, PathUpdateContactWay, PathDelContactWay, PathCloseTempChat,
	PathSendWelcomeMsg, PathGroupChatList, PathGroupChatGet, PathAddJoinWay, PathGetJoinWay, PathUpdateJoinWay, PathDelJoinWay,
	PathAddMsgTemplate, PathGetGroupMsgListV2, PathGetGroupMsgTask, PathGetGroupMsgSendResult, PathRemindGroupMsgSend, PathCancelGroupMsgSend,
	PathAddMomentTask, PathGetMomentTaskResult, PathCancelMomentTask, PathGetMomentList, PathGetMomentTask, PathGetMomentCustomerList,
	PathGetMomentSendResult, PathGetMomentComments,
	PathTransferCustomer, PathTransferResult, PathGetUnassignedList, PathResignedTransfer, PathResignedTransferResult,
	PathGroupChatTransfer, PathGroupChatOnjobTransfer,
}
