package douyinsync

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/douyin"
	"siyu.dev/siyu/store"
)

// HandleEvent takes one verified webhook event of a workspace. Comments
// and messages are acted on; other events are ignored. An error means the
// event should be delivered again (Douyin retries).
func (s *Service) HandleEvent(ctx context.Context, ws int64, ev douyin.Event) error {
	switch ev.Event {
	case douyin.EventItemCommentReply:
		return s.onComment(ctx, ws, ev)
	case douyin.EventIMReceiveMsg:
		return s.onMessage(ctx, ws, ev)
	}
	return nil
}

// onComment stores the comment and, when it matches a rule and is recent
// enough that its author is still online, replies to it.
func (s *Service) onComment(ctx context.Context, ws int64, ev douyin.Event) error {
	c, err := ev.Comment()
	if err != nil {
		s.log.Warn("douyin comment ignored", "workspace", ws, "err", err)
		return nil // a retry carries the same content
	}
	app, err := s.app(ctx, ws)
	if err != nil {
		return err
	}
	if c.CommentUserID == "" || c.CommentUserID == app.AccountOpenID {
		return nil // the account's own replies come back as comments too
	}
	set, err := s.compiled(ctx, ws)
	if err != nil {
		return err
	}
	rule := set.match(c.Content)
	in := store.DouyinCommentInput{CommentID: c.CommentID, ItemID: c.ReplyToItemID, OpenID: c.CommentUserID, Content: c.Content}
	if c.CreateTime > 0 {
		in.CreatedAt = time.Unix(c.CreateTime, 0)
	}
	if rule != nil {
		in.RuleID = rule.ID
	}
	row, fresh, err := s.st.RecordDouyinComment(ctx, ws, in)
	if err != nil || !fresh || rule == nil {
		return err
	}
	now := s.now()
	if age := now.Sub(row.CreatedAt); age > time.Duration(set.OnlineMinutes)*time.Minute {
		s.log.Info("douyin intent comment too old for an automatic reply", "workspace", ws, "comment", c.CommentID, "age", age)
		return s.replyTask(ctx, ws, row, rule, now)
	}
	client, err := s.newClient(app)
	if err != nil {
		return err
	}
	replyID, err := client.ReplyComment(ctx, douyin.ReplyCommentRequest{ItemID: c.ReplyToItemID, CommentID: c.CommentID, Content: set.reply(rule)})
	if err != nil {
		// Not retried: the comment is stored, so a redelivery would not
		// reply either; the failure shows in the console and the metrics.
		s.log.Warn("douyin comment reply failed", "workspace", ws, "comment", c.CommentID, "err", err)
		if err := s.st.MarkDouyinReplied(ctx, ws, row.ID, "", now, truncate(err.Error(), 500)); err != nil {
			return err
		}
		return s.replyTask(ctx, ws, row, rule, now)
	}
	return s.st.MarkDouyinReplied(ctx, ws, row.ID, replyID, s.now(), "")
}

// replyTask hands an intent comment the automation could not answer to
// an operator (人工增强): a reply_comment task, one per comment.
func (s *Service) replyTask(ctx context.Context, ws int64, row store.DouyinComment, rule *Rule, now time.Time) error {
	_, err := s.st.CreateTask(ctx, ws, siyu.Task{
		Kind: siyu.TaskReplyComment, Title: truncate("回复抖音评论（"+rule.ID+"）："+row.Content, 120),
		Detail:     "item_id " + row.ItemID + ", comment_id " + row.CommentID,
		CustomerID: row.CustomerID, DueAt: now.Add(2 * time.Hour), Ref: "douyin:comment:" + row.CommentID,
	})
	return err
}

// onMessage remembers the user's message (a reply must name it) and, for
// a lead who has not had it yet, answers with their channel code.
func (s *Service) onMessage(ctx context.Context, ws int64, ev douyin.Event) error {
	m, err := ev.IMMessage()
	if err != nil {
		s.log.Warn("douyin message ignored", "workspace", ws, "err", err)
		return nil
	}
	app, err := s.app(ctx, ws)
	if err != nil {
		return err
	}
	from := ev.FromUserID
	if from == "" || from == app.AccountOpenID || (m.Source != "" && m.Source == app.ClientKey) {
		return nil
	}
	set, err := s.compiled(ctx, ws)
	if err != nil {
		return err
	}
	in := store.DouyinMessageInput{OpenID: from, Nickname: m.Nickname(from), ConversationID: m.ConversationShortID, MsgID: m.ServerMessageID, At: s.now()}
	if m.CreateTime > 0 {
		in.At = time.UnixMilli(m.CreateTime)
	}
	if r := set.match(m.Text); r != nil {
		in.RuleID = r.ID
	}
	u, err := s.st.RecordDouyinMessage(ctx, ws, in)
	if err != nil {
		return err
	}
	if u.RuleID == "" || u.DMSentAt != nil {
		return nil
	}
	if s.codes == nil {
		s.log.Info("douyin lead not sent a channel code: no WeCom integration", "workspace", ws, "open_id", from)
		return nil
	}
	url, err := s.codeFor(ctx, ws, set, u)
	if err != nil {
		return err
	}
	client, err := s.newClient(app)
	if err != nil {
		return err
	}
	_, err = client.SendIM(ctx, douyin.IMSendRequest{
		MsgID: m.ServerMessageID, ConversationID: m.ConversationShortID, ToUserID: from,
		Content: douyin.TextMessage(strings.ReplaceAll(set.DM, URLPlaceholder, url)), Scene: douyin.SceneIMReply,
	})
	switch douyin.ErrorCode(err) {
	case 0:
	case douyin.ErrCodeIMWindowClosed, douyin.ErrCodeIMCapReached, douyin.ErrCodeNoPermission, douyin.ErrCodeIMUnknownMsg:
		// Retrying cannot help; the user's next message is another chance.
		s.log.Warn("douyin private message refused", "workspace", ws, "open_id", from, "err", err)
		return nil
	default:
		return err
	}
	return s.st.MarkDouyinDMSent(ctx, ws, u.ID, s.now())
}

// codeFor returns the URL of the user's own channel code, creating it the
// first time: its state names the user, and it is made for the user's
// customer, so that whoever adds through it joins that customer.
func (s *Service) codeFor(ctx context.Context, ws int64, set *compiled, u store.DouyinUser) (string, error) {
	if u.CodeURL != "" {
		return u.CodeURL, nil
	}
	accounts := set.Accounts
	if len(accounts) == 0 {
		all, err := s.st.Accounts(ctx, ws)
		if err != nil {
			return "", err
		}
		for _, a := range all {
			if a.Active {
				accounts = []string{a.WeComUserID}
				break
			}
		}
		if len(accounts) == 0 {
			return "", fmt.Errorf("douyin: workspace %d has no active WeCom account to hand leads to", ws)
		}
	}
	name := u.Nickname
	if name == "" {
		name = u.OpenID
	}
	state := "dy:" + strconv.FormatInt(u.ID, 10)
	code, err := s.codes.CreateChannelCode(ctx, ws, siyu.ChannelCode{
		Name: truncate("抖音 · "+name, 60), Kind: siyu.CodeChannel, State: state, Accounts: accounts,
		Tags: set.Tags, Welcome: set.Welcome, CustomerID: u.CustomerID,
	})
	if errors.Is(err, siyu.ErrConflict) { // made before, not recorded: take it
		code, err = s.st.ChannelCodeByState(ctx, ws, state)
	}
	if err != nil {
		return "", err
	}
	if code.QRCode == "" {
		return "", fmt.Errorf("douyin: channel code %d has no QR URL", code.ID)
	}
	return code.QRCode, s.st.SetDouyinCode(ctx, ws, u.ID, code.ID, code.State, code.QRCode)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
