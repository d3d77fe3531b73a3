package wecom

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// DefaultBaseURL is the real WeCom API host.
const DefaultBaseURL = "https://qyapi.weixin.qq.com"

// Response is the envelope every WeCom answer carries. It is embedded in
// every response type, so errcode and errmsg sit at the top level of the JSON.
type Response struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// OK is the Response of a successful call.
var OK = Response{ErrCode: 0, ErrMsg: "ok"}

func (r *Response) base() *Response { return r }

// envelope is implemented by every response type through the embedded
// Response, so that the client can check errcode generically.
type envelope interface{ base() *Response }

// Query parameter names.
const (
	QueryAccessToken    = "access_token"
	QueryCorpID         = "corpid"
	QueryCorpSecret     = "corpsecret"
	QueryUserID         = "userid"
	QueryExternalUserID = "external_userid"
	QueryCursor         = "cursor"
	QueryJobID          = "jobid"
)

// Endpoint paths. GET endpoints take their parameters in the query string;
// every other endpoint is a POST with a JSON body.
const (
	PathGetToken = "/cgi-bin/gettoken" // GET corpid, corpsecret

	PathExternalContactList    = "/cgi-bin/externalcontact/list"                 // GET userid
	PathExternalContactGet     = "/cgi-bin/externalcontact/get"                  // GET external_userid, cursor
	PathBatchGetByUser         = "/cgi-bin/externalcontact/batch/get_by_user"    //
	PathRemark                 = "/cgi-bin/externalcontact/remark"               //
	PathGetFollowUserList      = "/cgi-bin/externalcontact/get_follow_user_list" // GET
	PathGetCorpTagList         = "/cgi-bin/externalcontact/get_corp_tag_list"
	PathAddCorpTag             = "/cgi-bin/externalcontact/add_corp_tag"
	PathEditCorpTag            = "/cgi-bin/externalcontact/edit_corp_tag"
	PathDelCorpTag             = "/cgi-bin/externalcontact/del_corp_tag"
	PathMarkTag                = "/cgi-bin/externalcontact/mark_tag"
	PathAddContactWay          = "/cgi-bin/externalcontact/add_contact_way"
	PathGetContactWay          = "/cgi-bin/externalcontact/get_contact_way"
	PathListContactWay         = "/cgi-bin/externalcontact/list_contact_way"
	PathUpdateContactWay       = "/cgi-bin/externalcontact/update_contact_way"
	PathDelContactWay          = "/cgi-bin/externalcontact/del_contact_way"
	PathCloseTempChat          = "/cgi-bin/externalcontact/close_temp_chat"
	PathSendWelcomeMsg         = "/cgi-bin/externalcontact/send_welcome_msg"
	PathGroupChatList          = "/cgi-bin/externalcontact/groupchat/list"
	PathGroupChatGet           = "/cgi-bin/externalcontact/groupchat/get"
	PathAddJoinWay             = "/cgi-bin/externalcontact/groupchat/add_join_way"
	PathGetJoinWay             = "/cgi-bin/externalcontact/groupchat/get_join_way"
	PathUpdateJoinWay          = "/cgi-bin/externalcontact/groupchat/update_join_way"
	PathDelJoinWay             = "/cgi-bin/externalcontact/groupchat/del_join_way"
	PathAddMsgTemplate         = "/cgi-bin/externalcontact/add_msg_template"
	PathGetGroupMsgListV2      = "/cgi-bin/externalcontact/get_groupmsg_list_v2"
	PathGetGroupMsgTask        = "/cgi-bin/externalcontact/get_groupmsg_task"
	PathGetGroupMsgSendResult  = "/cgi-bin/externalcontact/get_groupmsg_send_result"
	PathRemindGroupMsgSend     = "/cgi-bin/externalcontact/remind_groupmsg_send"
	PathCancelGroupMsgSend     = "/cgi-bin/externalcontact/cancel_groupmsg_send"
	PathAddMomentTask          = "/cgi-bin/externalcontact/add_moment_task"
	PathGetMomentTaskResult    = "/cgi-bin/externalcontact/get_moment_task_result" // GET jobid
	PathCancelMomentTask       = "/cgi-bin/externalcontact/cancel_moment_task"
	PathGetMomentList          = "/cgi-bin/externalcontact/get_moment_list"
	PathGetMomentTask          = "/cgi-bin/externalcontact/get_moment_task"
	PathGetMomentCustomerList  = "/cgi-bin/externalcontact/get_moment_customer_list"
	PathGetMomentSendResult    = "/cgi-bin/externalcontact/get_moment_send_result"
	PathGetMomentComments      = "/cgi-bin/externalcontact/get_moment_comments"
	PathTransferCustomer       = "/cgi-bin/externalcontact/transfer_customer"
	PathTransferResult         = "/cgi-bin/externalcontact/transfer_result"
	PathGetUnassignedList      = "/cgi-bin/externalcontact/get_unassigned_list"
	PathResignedTransfer       = "/cgi-bin/externalcontact/resigned/transfer_customer"
	PathResignedTransferResult = "/cgi-bin/externalcontact/resigned/transfer_result"
	PathGroupChatTransfer      = "/cgi-bin/externalcontact/groupchat/transfer"
	PathGroupChatOnjobTransfer = "/cgi-bin/externalcontact/groupchat/onjob_transfer"
)

// Error codes (errcode) the client and the emulator use. The names follow the
// meaning given on the global error-code page.
const (
	ErrCodeSystemBusy                = -1    // 系统繁忙, retry later
	ErrCodeOK                        = 0     //
	ErrCodeInvalidSecret             = 40001 // 不合法的secret参数
	ErrCodeInvalidUserID             = 40003 // 无效的UserID
	ErrCodeInvalidCorpID             = 40013 // 不合法的CorpID
	ErrCodeInvalidAccessToken        = 40014 // 不合法的access_token (also expired ones)
	ErrCodeInvalidParameter          = 40058 // 不合法的参数
	ErrCodeInvalidTagID              = 40068 // 不合法的标签ID
	ErrCodeTagNameExists             = 40071 // 标签名字已经存在
	ErrCodeSecretMismatch            = 40091 // secret不合法
	ErrCodeInvalidExternalUserID     = 40096 // 不合法的外部联系人userid
	ErrCodeMissingAccessToken        = 41001 // 缺少access_token参数
	ErrCodeMissingContactWayType     = 41037 // 缺少「联系我」type参数
	ErrCodeInvalidConfigID           = 41044 // 无效的「联系我」config_id
	ErrCodeContactWayLimit           = 41045 // API添加「联系我」达到数量上限
	ErrCodeMissingMsgID              = 41046 // 缺少msgid参数
	ErrCodeInvalidMsgID              = 41047 // 无效的msgid参数
	ErrCodeNoCustomerToSend          = 41048 // 不存在可发送的客户
	ErrCodeMissingWelcomeCode        = 41049 // 缺少欢迎语code参数
	ErrCodeInvalidWelcomeCode        = 41050 // 无效的欢迎语code (expired after 20 s, or used)
	ErrCodeWelcomeAlreadyDelivered   = 41051 // 客户和成员间已经开始聊天了
	ErrCodeUserNotActive             = 41054 // 该用户尚未激活
	ErrCodeMissingMomentID           = 41059 // 缺少moment_id参数
	ErrCodeInvalidMomentID           = 41060 // 不合法的moment_id参数
	ErrCodeMomentNotPublishedByUser  = 41061 // 不存在发表记录
	ErrCodeMomentNotYetPublished     = 41062 // 企业发表的朋友圈尚未被成员执行发表操作
	ErrCodeGroupMsgDistributing      = 41063 // 群发消息正在被派发中，请稍后再试
	ErrCodeTooManyAttachments        = 41064 // 附件太多
	ErrCodeInvalidAttachmentType     = 41065 // 无效的附件类型
	ErrCodeInvalidMomentIDType       = 41067 // moment_id类型错误
	ErrCodeWelcomeMsgDistributing    = 41096 // 欢迎语正在被派发中
	ErrCodeAccessTokenExpired        = 42001 // access_token已过期
	ErrCodeAPIFreqOutOfLimit         = 45009 // 接口调用超过限制
	ErrCodeAPIConcurrentOutOfLimit   = 45033 // 接口并发调用超过限制
	ErrCodeTooManyItems              = 81017 // 请求个数超过限制
	ErrCodeNoExternalContactRelation = 84061 // 不存在外部联系人的关系
	ErrCodeGroupOwnerNotResigned     = 90500 // 群主并未离职
)

// Timestamp is a Unix time in seconds. Most endpoints send it as a JSON
// number, but some documented examples (get_groupmsg_list_v2,
// get_moment_list) show it as a string, so both forms are accepted. It is
// always encoded as a number.
type Timestamp int64

// UnmarshalJSON accepts 1609839000, "1609839000", "" and null.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		s = strings.TrimSpace(str)
		if s == "" {
			*t = 0
			return nil
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("wecom: timestamp %s is not a number of seconds", string(b))
	}
	*t = Timestamp(n)
	return nil
}

// TextContent is the text part of a message, welcome message or moment.
type TextContent struct {
	Content string `json:"content"`
}
