package douyin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Webhook event names used here (the platform sends many more; they parse
// as an Event with the raw content).
const (
	EventVerifyWebhook    = "verify_webhook"
	EventItemCommentReply = "item_comment_reply"  // a comment on one of the account's videos
	EventIMReceiveMsg     = "im_receive_msg"      // a user sent the account a private message
	EventIMSendMsg        = "im_send_msg"         // the account sent one (also through the API)
	EventIMEnterDirectMsg = "im_enter_direct_msg" // a user opened the chat page
	EventAuthorize        = "authorize"
	EventUnauthorize      = "unauthorize"
)

// Event is one webhook delivery: {event, from_user_id, to_user_id,
// client_key, content}. Content is kept raw and always a JSON object: the
// platform sends some contents as a JSON string holding the object, which
// ParseEvent unwraps. MsgID is the Msg-Id header, not part of the body.
type Event struct {
	Event      string          `json:"event"`
	FromUserID string          `json:"from_user_id"`
	ToUserID   string          `json:"to_user_id"`
	ClientKey  string          `json:"client_key"`
	Content    json.RawMessage `json:"content"`
	MsgID      string          `json:"-"`
}

// ErrMalformed wraps every parse failure of a webhook body.
var ErrMalformed = errors.New("douyin: malformed webhook")

// ParseEvent decodes a webhook body.
func ParseEvent(body []byte) (Event, error) {
	var ev Event
	if !utf8.Valid(body) {
		return ev, fmt.Errorf("%w: body is not UTF-8", ErrMalformed)
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		return ev, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if ev.Event == "" {
		return ev, fmt.Errorf("%w: event is missing", ErrMalformed)
	}
	c := bytes.TrimSpace(ev.Content)
	switch {
	case len(c) == 0 || bytes.Equal(c, []byte("null")):
		ev.Content = json.RawMessage("{}")
	case c[0] == '"':
		var s string
		if err := json.Unmarshal(c, &s); err != nil {
			return ev, fmt.Errorf("%w: content: %v", ErrMalformed, err)
		}
		if s == "" {
			s = "{}"
		}
		if !json.Valid([]byte(s)) || bytes.TrimSpace([]byte(s))[0] != '{' {
			return ev, fmt.Errorf("%w: content string is not a JSON object", ErrMalformed)
		}
		ev.Content = json.RawMessage(s)
	case c[0] == '{':
		ev.Content = json.RawMessage(c)
	default:
		return ev, fmt.Errorf("%w: content is neither an object nor a string", ErrMalformed)
	}
	return ev, nil
}

func (ev Event) decode(want string, v any) error {
	if ev.Event != want {
		return fmt.Errorf("douyin: event is %q, not %q", ev.Event, want)
	}
	if err := json.Unmarshal(ev.Content, v); err != nil {
		return fmt.Errorf("%w: %s content: %v", ErrMalformed, want, err)
	}
	return nil
}

// VerifyContent is the content of verify_webhook.
type VerifyContent struct {
	Challenge json.Number `json:"challenge"`
}

// Challenge returns the challenge of a verify_webhook event, as the number
// it was sent as.
func (ev Event) Challenge() (json.Number, error) {
	var c VerifyContent
	if err := ev.decode(EventVerifyWebhook, &c); err != nil {
		return "", err
	}
	if _, err := strconv.ParseInt(string(c.Challenge), 10, 64); err != nil {
		return "", fmt.Errorf("%w: challenge %q is not an integer", ErrMalformed, c.Challenge)
	}
	return c.Challenge, nil
}

// CommentEvent is the content of item_comment_reply.
type CommentEvent struct {
	CommentID         string `json:"comment_id"`
	CommentUserID     string `json:"comment_user_id"`
	Content           string `json:"content"`
	DiggCount         int    `json:"digg_count"`
	ReplyCommentTotal int    `json:"reply_comment_total"`
	CreateTime        int64  `json:"create_time"` // unix seconds
	ReplyToCommentID  string `json:"reply_to_comment_id"`
	ReplyToItemID     string `json:"reply_to_item_id"`
	AtUserID          string `json:"at_user_id"`
}

// Comment decodes an item_comment_reply event; comment_id and the video
// are required.
func (ev Event) Comment() (CommentEvent, error) {
	var c CommentEvent
	if err := ev.decode(EventItemCommentReply, &c); err != nil {
		return c, err
	}
	if c.CommentID == "" || c.ReplyToItemID == "" {
		return c, fmt.Errorf("%w: item_comment_reply needs comment_id and reply_to_item_id", ErrMalformed)
	}
	if c.CommentUserID == "" {
		c.CommentUserID = ev.FromUserID
	}
	return c, nil
}

// UserInfo is a participant of a conversation.
type UserInfo struct {
	OpenID   string `json:"open_id"`
	NickName string `json:"nick_name"`
	Avatar   string `json:"avatar"`
}

// IMMessage is the content of im_receive_msg and im_send_msg. Text is the
// message of a text message_type; its field name is not in the pages
// available and follows the SDKs.
type IMMessage struct {
	ConversationShortID string     `json:"conversation_short_id"`
	ServerMessageID     string     `json:"server_message_id"`
	ConversationType    int        `json:"conversation_type"` // 1 private
	MessageType         string     `json:"message_type"`      // text, image, emoji, video, other...
	Source              string     `json:"source"`            // the client_key when sent through the API
	CreateTime          int64      `json:"create_time"`       // ms
	Text                string     `json:"text"`
	UserInfos           []UserInfo `json:"user_infos"`
}

// IMMessage decodes im_receive_msg or im_send_msg; the ids a reply needs
// are required.
func (ev Event) IMMessage() (IMMessage, error) {
	var m IMMessage
	name := ev.Event
	if name != EventIMReceiveMsg && name != EventIMSendMsg {
		name = EventIMReceiveMsg
	}
	if err := ev.decode(name, &m); err != nil {
		return m, err
	}
	if m.ConversationShortID == "" || m.ServerMessageID == "" {
		return m, fmt.Errorf("%w: %s needs conversation_short_id and server_message_id", ErrMalformed, ev.Event)
	}
	return m, nil
}

// Nickname is the nick_name of open_id among the message's users.
func (m IMMessage) Nickname(openID string) string {
	for _, u := range m.UserInfos {
		if u.OpenID == openID {
			return u.NickName
		}
	}
	return ""
}

// EnterDirectMsg is the content of im_enter_direct_msg: the user opened the
// chat page, from a video (ObjectID) or an ad.
type EnterDirectMsg struct {
	ConversationShortID string          `json:"conversation_short_id"`
	ObjectID            string          `json:"objectId"`
	SceneType           int             `json:"scene_type"`
	AdInfo              json.RawMessage `json:"ad_info,omitempty"`
	CreateTime          int64           `json:"create_time"` // ms
}

// EnterDirectMsg decodes an im_enter_direct_msg event.
func (ev Event) EnterDirectMsg() (EnterDirectMsg, error) {
	var e EnterDirectMsg
	err := ev.decode(EventIMEnterDirectMsg, &e)
	return e, err
}
