package douyin

// DefaultBaseURL is the real service.
const DefaultBaseURL = "https://open.douyin.com"

// The endpoints used.
const (
	PathCommentList      = "/video/comment/list/"
	PathCommentReplyList = "/video/comment/reply/list/"
	PathCommentReply     = "/video/comment/reply/"
	PathIMSend           = "/im/send/msg/"
	PathFansList         = "/fans/list/"
)

// Headers of calls and webhooks.
const (
	HeaderAccessToken = "access-token"
	HeaderSignature   = "X-Douyin-Signature"
	HeaderMsgID       = "Msg-Id"
)

// Query parameters.
const (
	QueryOpenID    = "open_id"
	QueryItemID    = "item_id"
	QueryCommentID = "comment_id"
	QueryCursor    = "cursor"
	QueryCount     = "count"
)

// MaxPageCount bounds count on the comment and fans lists (1..50).
const MaxPageCount = 50

// MaxFans is how many fans the fans list returns at most: only the most
// recent ones, in no guaranteed order.
const MaxFans = 5000

// Response is the envelope of every answer.
type Response[T any] struct {
	Data  T     `json:"data"`
	Extra Extra `json:"extra"`
}

// Result is the status every data object carries.
type Result struct {
	ErrorCode   int    `json:"error_code"`
	Description string `json:"description"`
}

// Extra is the envelope's trace part. logid identifies the call when
// asking Douyin's support.
type Extra struct {
	LogID          string `json:"logid"`
	Now            int64  `json:"now"` // ms
	ErrorCode      int    `json:"error_code"`
	Description    string `json:"description"`
	SubErrorCode   int    `json:"sub_error_code"`
	SubDescription string `json:"sub_description"`
}

// Comment is one comment on a video (or a reply to one).
type Comment struct {
	CommentID         string `json:"comment_id"`
	CommentUserID     string `json:"comment_user_id"` // open_id of the author
	Content           string `json:"content"`
	CreateTime        int64  `json:"create_time"` // unix seconds
	DiggCount         int    `json:"digg_count"`
	ReplyCommentTotal int    `json:"reply_comment_total"`
	Top               bool   `json:"top"`
}

// CommentList is the data of the comment and reply lists.
type CommentList struct {
	Result
	Cursor  int64     `json:"cursor"`
	HasMore bool      `json:"has_more"`
	List    []Comment `json:"list"`
}

// ReplyCommentRequest is the body of POST /video/comment/reply/. Without
// CommentID it comments on the video itself.
type ReplyCommentRequest struct {
	ItemID    string `json:"item_id"`
	CommentID string `json:"comment_id,omitempty"`
	Content   string `json:"content"`
}

// ReplyCommentData is the answer: the new comment's id.
type ReplyCommentData struct {
	Result
	CommentID string `json:"comment_id"`
}

// SceneIMReply is the scene of a reply to a message the user sent.
const SceneIMReply = "im_reply_msg"

// IMSendRequest is the body of POST /im/send/msg/: a reply to the user's
// message MsgID (its server_message_id) in conversation ConversationID
// (its conversation_short_id). The content schema is not published in the
// pages available; this is the text form SDKs use.
type IMSendRequest struct {
	MsgID          string    `json:"msg_id"`
	ConversationID string    `json:"conversation_id"`
	ToUserID       string    `json:"to_user_id"`
	Content        IMContent `json:"content"`
	Scene          string    `json:"scene"`
}

// IMContent is a message body. MsgType 1 is text.
type IMContent struct {
	MsgType int     `json:"msg_type"`
	Text    *IMText `json:"text,omitempty"`
}

// IMText is the text of a message.
type IMText struct {
	Text string `json:"text"`
}

// MsgTypeText is IMContent.MsgType for text.
const MsgTypeText = 1

// TextMessage is a text IMContent.
func TextMessage(s string) IMContent { return IMContent{MsgType: MsgTypeText, Text: &IMText{Text: s}} }

// IMSendData is the answer: the id of the message sent.
type IMSendData struct {
	Result
	MsgID string `json:"msg_id"`
}

// Fan is a follower of the account.
type Fan struct {
	OpenID   string `json:"open_id"`
	UnionID  string `json:"union_id"`
	Nickname string `json:"nickname"`
	Avatar   string `json:"avatar"`
	City     string `json:"city"`
	Province string `json:"province"`
	Country  string `json:"country"`
	Gender   int    `json:"gender"`
}

// FansList is the data of GET /fans/list/.
type FansList struct {
	Result
	Cursor  int64 `json:"cursor"`
	HasMore bool  `json:"has_more"`
	List    []Fan `json:"list"`
	Total   int   `json:"total"`
}
