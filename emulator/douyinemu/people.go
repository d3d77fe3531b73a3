package douyinemu

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"siyu.dev/siyu/douyin"
)

// Comment has user i comment text on a video and pushes the webhook. The
// user is online from then on for Policy.OnlineFor.
func (e *Emulator) Comment(ctx context.Context, i int, itemID, text string) (douyin.Comment, error) {
	e.mu.Lock()
	u, err := e.user(i)
	if err == nil && !e.hasVideo(itemID) {
		err = fmt.Errorf("douyinemu: no video %q", itemID)
	}
	if err == nil && (strings.TrimSpace(text) == "" || !utf8.ValidString(text)) {
		err = fmt.Errorf("douyinemu: empty comment")
	}
	var c *comment
	if err == nil {
		e.runDue(e.now())
		c = e.comment(u, itemID, text, e.now())
	}
	e.mu.Unlock()
	if err != nil {
		return douyin.Comment{}, err
	}
	e.flush(ctx)
	return c.Comment, nil
}

// Simulate has n random users comment on random videos now (mostly
// chatter, Policy.IntentShare of them with intent) and returns the
// comments.
func (e *Emulator) Simulate(ctx context.Context, n int) []douyin.Comment {
	e.mu.Lock()
	now := e.now()
	e.runDue(now)
	out := make([]douyin.Comment, 0, n)
	for range n {
		u := pick(e.rnd, e.users)
		out = append(out, e.comment(u, pick(e.rnd, e.videos), e.drawText(), now).Comment)
	}
	e.mu.Unlock()
	e.flush(ctx)
	return out
}

func (e *Emulator) hasVideo(itemID string) bool {
	for _, v := range e.videos {
		if v == itemID {
			return true
		}
	}
	return false
}

// comment records a user's comment and queues its webhook. Callers hold mu.
func (e *Emulator) comment(u *user, itemID, text string, now time.Time) *comment {
	c := &comment{Comment: douyin.Comment{CommentID: e.newNumericID(), CommentUserID: u.OpenID, Content: text, CreateTime: now.Unix()}, ItemID: itemID}
	e.comments[c.CommentID] = c
	e.byItem[itemID] = append(e.byItem[itemID], c)
	u.lastActive = now
	e.outbox = append(e.outbox, outgoing{event: douyin.EventItemCommentReply, from: u.OpenID, to: e.cfg.AccountOpenID, content: douyin.CommentEvent{
		CommentID: c.CommentID, CommentUserID: u.OpenID, Content: text, CreateTime: c.CreateTime, ReplyToItemID: itemID,
	}})
	return c
}

// SendMessage has user i open the chat page and send the account a
// private message; it returns the message's server_message_id.
func (e *Emulator) SendMessage(ctx context.Context, i int, text string) (string, error) {
	e.mu.Lock()
	u, err := e.user(i)
	var id string
	if err == nil {
		e.runDue(e.now())
		id = e.userMessage(u, text, e.now())
	}
	e.mu.Unlock()
	if err != nil {
		return "", err
	}
	e.flush(ctx)
	return id, nil
}

// userMessage records a message from a user and queues the webhooks of
// the chat page being opened and of the message. Callers hold mu.
func (e *Emulator) userMessage(u *user, text string, now time.Time) string {
	cv := e.convs[u.OpenID]
	if cv == nil {
		cv = &conversation{ShortID: e.newNumericID()}
		e.convs[u.OpenID] = cv
	}
	m := Message{ServerMessageID: e.newID("", 24), FromOpenID: u.OpenID, Text: text, At: now}
	cv.Messages = append(cv.Messages, m)
	u.lastActive = now
	e.outbox = append(e.outbox,
		outgoing{event: douyin.EventIMEnterDirectMsg, from: u.OpenID, to: e.cfg.AccountOpenID, content: douyin.EnterDirectMsg{
			ConversationShortID: cv.ShortID, ObjectID: pick(e.rnd, e.videos), SceneType: 1, CreateTime: now.UnixMilli(),
		}},
		outgoing{event: douyin.EventIMReceiveMsg, from: u.OpenID, to: e.cfg.AccountOpenID, content: douyin.IMMessage{
			ConversationShortID: cv.ShortID, ServerMessageID: m.ServerMessageID, ConversationType: 1, MessageType: "text",
			CreateTime: now.UnixMilli(), Text: text, UserInfos: []douyin.UserInfo{{OpenID: u.OpenID, NickName: u.Nickname}},
		}})
	return m.ServerMessageID
}

// sawReply schedules what the author of a comment does on seeing the
// account's reply: follow the account, send it a message. Callers hold mu.
func (e *Emulator) sawReply(u *user, now time.Time) {
	seen := e.online(u, now)
	delay := e.pol.ReactionDelay
	if !seen {
		delay = e.pol.OfflineDelay
	}
	e.schedule(now.Add(delay), func(at time.Time) {
		acted := false
		if e.roll(e.pol.FollowRate, seen) {
			e.follow(u, at)
			acted = true
		}
		if e.roll(e.pol.DMRate, seen) {
			e.userMessage(u, pick(e.rnd, dmOpeners), at)
			acted = true
		}
		if acted {
			u.lastActive = at
		}
	})
}

var urlPattern = regexp.MustCompile(`https?://[^\s，。、！？"'<>]+`)

// sawMessage schedules a user scanning the first URL of a message from
// the account. Callers hold mu.
func (e *Emulator) sawMessage(u *user, text string, now time.Time) {
	url := urlPattern.FindString(text)
	if url == "" {
		return
	}
	seen := e.online(u, now)
	delay := e.pol.ReactionDelay
	if !seen {
		delay = e.pol.OfflineDelay
	}
	e.schedule(now.Add(delay), func(at time.Time) {
		if !e.roll(e.pol.ScanRate, seen) {
			return
		}
		u.lastActive = at
		e.outbox = append(e.outbox, outgoing{scan: &Scan{OpenID: u.OpenID, URL: url, At: at}, user: u.User})
	})
}

func (e *Emulator) follow(u *user, at time.Time) {
	if e.fanSet[u.OpenID] {
		return
	}
	e.fanSet[u.OpenID] = true
	e.fans = append(e.fans, Fan{OpenID: u.OpenID, FollowedAt: at})
}

// Follow has user i follow the account now.
func (e *Emulator) Follow(i int) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	u, err := e.user(i)
	if err == nil {
		e.follow(u, e.now())
	}
	return err
}

// Fans returns the account's followers, oldest first.
func (e *Emulator) Fans() []Fan {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Fan(nil), e.fans...)
}

// Replies returns the account's and users' replies to a comment.
func (e *Emulator) Replies(commentID string) []douyin.Comment {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.comments[commentID]
	if c == nil {
		return nil
	}
	out := make([]douyin.Comment, len(c.replies))
	for i, r := range c.replies {
		out[i] = r.Comment
	}
	return out
}

// Conversation returns the private messages between the account and a
// user, in order.
func (e *Emulator) Conversation(openID string) []Message {
	e.mu.Lock()
	defer e.mu.Unlock()
	if cv := e.convs[openID]; cv != nil {
		return append([]Message(nil), cv.Messages...)
	}
	return nil
}

// Scans returns the scans of URLs sent in messages, with their outcome.
func (e *Emulator) Scans() []Scan {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Scan(nil), e.scans...)
}

// ConversationID is the conversation_short_id between the account and a
// user, or "" when they have not written.
func (e *Emulator) ConversationID(openID string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if cv := e.convs[openID]; cv != nil {
		return cv.ShortID
	}
	return ""
}
