package wecom

// Attachment message types (Attachment.MsgType).
const (
	MsgTypeImage       = "image"
	MsgTypeLink        = "link"
	MsgTypeMiniProgram = "miniprogram"
	MsgTypeVideo       = "video"
	MsgTypeFile        = "file"
)

// Message limits shared by welcome messages, mass messages and moments.
const (
	MaxAttachments     = 9
	MaxTextBytes       = 4000 // text.content of welcome and mass messages
	MaxMomentTextRunes = 2000 // text.content of a moment
)

// Attachment is one attachment of a welcome message, mass message or moment.
// Exactly the member named by MsgType is set.
type Attachment struct {
	MsgType     string                 `json:"msgtype"`
	Image       *ImageAttachment       `json:"image,omitempty"`
	Link        *LinkAttachment        `json:"link,omitempty"`
	MiniProgram *MiniProgramAttachment `json:"miniprogram,omitempty"`
	Video       *MediaAttachment       `json:"video,omitempty"`
	File        *MediaAttachment       `json:"file,omitempty"`
}

// ImageAttachment is an image, by uploaded media id or by URL.
type ImageAttachment struct {
	MediaID string `json:"media_id,omitempty"`
	PicURL  string `json:"pic_url,omitempty"`
}

// LinkAttachment is a link card. Moments take the cover as MediaID; messages
// take it as PicURL.
type LinkAttachment struct {
	Title   string `json:"title"`            // at most 128 bytes
	PicURL  string `json:"picurl,omitempty"` //
	Desc    string `json:"desc,omitempty"`   // at most 512 bytes
	URL     string `json:"url"`
	MediaID string `json:"media_id,omitempty"`
}

// MiniProgramAttachment is a mini-program card.
type MiniProgramAttachment struct {
	Title      string `json:"title"`
	PicMediaID string `json:"pic_media_id"`
	AppID      string `json:"appid"`
	Page       string `json:"page"`
}

// MediaAttachment is a video or a file by media id.
type MediaAttachment struct {
	MediaID      string `json:"media_id"`
	ThumbMediaID string `json:"thumb_media_id,omitempty"`
}

// SendWelcomeMsgRequest is the body of send_welcome_msg. It must be sent
// within 20 seconds of the add_external_contact event, once.
type SendWelcomeMsgRequest struct {
	WelcomeCode string       `json:"welcome_code"`
	Text        *TextContent `json:"text,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Mass message chat types (AddMsgTemplateRequest.ChatType).
const (
	ChatTypeSingle = "single"
	ChatTypeGroup  = "group"
)

// Limits of add_msg_template.
const (
	MaxTemplateExternalUserIDs = 10000
	MaxTemplateChatIDs         = 2000
)

// AddMsgTemplateRequest is the body of add_msg_template. It creates a task
// that the sender confirms on their client; it does not send by itself.
type AddMsgTemplateRequest struct {
	ChatType       string       `json:"chat_type,omitempty"`       // ChatTypeSingle (default) or ChatTypeGroup
	ExternalUserID []string     `json:"external_userid,omitempty"` // single only, at most MaxTemplateExternalUserIDs
	ChatIDList     []string     `json:"chat_id_list,omitempty"`    // group only, at most MaxTemplateChatIDs
	TagFilter      *TagFilter   `json:"tag_filter,omitempty"`
	Sender         string       `json:"sender,omitempty"` // required for group
	AllowSelect    bool         `json:"allow_select,omitempty"`
	Text           *TextContent `json:"text,omitempty"`
	Attachments    []Attachment `json:"attachments,omitempty"`
}

// TagFilter selects customers by corp tags: tags within a group are ORed,
// groups are ANDed.
type TagFilter struct {
	GroupList []TagFilterGroup `json:"group_list"`
}

// TagFilterGroup is one group of a TagFilter.
type TagFilterGroup struct {
	TagList []string `json:"tag_list"`
}

// AddMsgTemplateResponse answers add_msg_template.
type AddMsgTemplateResponse struct {
	Response
	FailList []string `json:"fail_list,omitempty"`
	MsgID    string   `json:"msgid"`
}

// Creator filters of the list APIs (FilterType).
const (
	FilterTypeCorp     = 0
	FilterTypePersonal = 1
	FilterTypeAll      = 2 // the default
)

// GetGroupMsgListV2Request is the body of get_groupmsg_list_v2.
type GetGroupMsgListV2Request struct {
	ChatType   string    `json:"chat_type"`
	StartTime  Timestamp `json:"start_time"`
	EndTime    Timestamp `json:"end_time"`
	Creator    string    `json:"creator,omitempty"`
	FilterType *int      `json:"filter_type,omitempty"` // nil means FilterTypeAll
	Limit      int       `json:"limit,omitempty"`       // at most 100, default 50
	Cursor     string    `json:"cursor,omitempty"`
}

// GroupMsg is one mass message.
type GroupMsg struct {
	MsgID       string       `json:"msgid"`
	Creator     string       `json:"creator,omitempty"` // absent for messages created through the API
	CreateTime  Timestamp    `json:"create_time"`
	CreateType  int          `json:"create_type"` // 0 corp, 1 personal
	Text        *TextContent `json:"text,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
}

// GetGroupMsgListV2Response answers get_groupmsg_list_v2.
type GetGroupMsgListV2Response struct {
	Response
	NextCursor   string     `json:"next_cursor"`
	GroupMsgList []GroupMsg `json:"group_msg_list"`
}

// GetGroupMsgTaskRequest is the body of get_groupmsg_task.
type GetGroupMsgTaskRequest struct {
	MsgID  string `json:"msgid"`
	Limit  int    `json:"limit,omitempty"` // at most 1000, default 500
	Cursor string `json:"cursor,omitempty"`
}

// GroupMsgTask is one sender's task of a mass message.
type GroupMsgTask struct {
	UserID   string    `json:"userid"`
	Status   int       `json:"status"` // 0 not sent, 2 sent
	SendTime Timestamp `json:"send_time,omitempty"`
}

// GetGroupMsgTaskResponse answers get_groupmsg_task.
type GetGroupMsgTaskResponse struct {
	Response
	NextCursor string         `json:"next_cursor"`
	TaskList   []GroupMsgTask `json:"task_list"`
}

// GetGroupMsgSendResultRequest is the body of get_groupmsg_send_result.
type GetGroupMsgSendResultRequest struct {
	MsgID  string `json:"msgid"`
	UserID string `json:"userid"`
	Limit  int    `json:"limit,omitempty"` // at most 1000, default 500
	Cursor string `json:"cursor,omitempty"`
}

// Send result states (GroupMsgSendResult.Status).
const (
	SendStatusNotSent      = 0
	SendStatusSent         = 1
	SendStatusNotFriend    = 2
	SendStatusFrequencyCap = 3 // the customer already got another mass message
)

// GroupMsgSendResult is the delivery state for one customer or group.
type GroupMsgSendResult struct {
	ExternalUserID string    `json:"external_userid,omitempty"`
	ChatID         string    `json:"chat_id,omitempty"`
	UserID         string    `json:"userid"`
	Status         int       `json:"status"`
	SendTime       Timestamp `json:"send_time,omitempty"`
}

// GetGroupMsgSendResultResponse answers get_groupmsg_send_result.
type GetGroupMsgSendResultResponse struct {
	Response
	NextCursor string               `json:"next_cursor"`
	SendList   []GroupMsgSendResult `json:"send_list"`
}

// MsgIDRequest is the body of remind_groupmsg_send and cancel_groupmsg_send.
type MsgIDRequest struct {
	MsgID string `json:"msgid"`
}
