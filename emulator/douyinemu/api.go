package douyinemu

import (
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"siyu.dev/siyu/douyin"
)

// Handler serves the open platform endpoints the client uses.
func (e *Emulator) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+douyin.PathCommentList, e.api(e.listComments))
	mux.HandleFunc("GET "+douyin.PathCommentReplyList, e.api(e.listReplies))
	mux.HandleFunc("POST "+douyin.PathCommentReply, e.api(e.replyComment))
	mux.HandleFunc("POST "+douyin.PathIMSend, e.api(e.sendIM))
	mux.HandleFunc("GET "+douyin.PathFansList, e.api(e.listFans))
	return mux
}

// apiErr is an error answer: HTTP 200 with error_code in data and extra.
type apiErr struct {
	code int
	desc string
}

// api checks the token and the account, runs what is due, and calls h
// under mu; h returns the data object or an *apiErr.
func (e *Emulator) api(h func(r *http.Request, now time.Time) (any, *apiErr)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		now := e.now()
		logID := now.In(time.UTC).Format("20060102150405") + strings.ToUpper(e.newID("", 18))
		var data any
		var fail *apiErr
		switch {
		case r.Header.Get(douyin.HeaderAccessToken) == "":
			fail = &apiErr{douyin.ErrCodeInvalidAccessToken, "access_token 缺失"}
		case r.Header.Get(douyin.HeaderAccessToken) != e.cfg.AccessToken:
			fail = &apiErr{douyin.ErrCodeInvalidAccessToken, "access_token 无效"}
		case r.URL.Query().Get(douyin.QueryOpenID) != e.cfg.AccountOpenID:
			fail = &apiErr{douyin.ErrCodeOpenIDMismatch, "access_token 与 open_id 不匹配"}
		default:
			e.runDue(now)
			data, fail = h(r, now)
		}
		e.mu.Unlock()
		extra := douyin.Extra{LogID: logID, Now: now.UnixMilli()}
		if fail != nil {
			extra.ErrorCode, extra.Description = fail.code, fail.desc
			data = douyin.Result{ErrorCode: fail.code, Description: fail.desc}
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(map[string]any{"data": data, "extra": extra})
	}
}

func invalid(desc string) *apiErr {
	return &apiErr{douyin.ErrCodeInvalidParam, "参数不合法: " + desc}
}

// page reads cursor and count (1..50).
func page(r *http.Request) (int, int, *apiErr) {
	q := r.URL.Query()
	cursor, err := strconv.Atoi(q.Get(douyin.QueryCursor))
	if q.Get(douyin.QueryCursor) == "" {
		cursor, err = 0, nil
	}
	if err != nil || cursor < 0 {
		return 0, 0, invalid("cursor")
	}
	count, err := strconv.Atoi(q.Get(douyin.QueryCount))
	if err != nil || count < 1 || count > douyin.MaxPageCount {
		return 0, 0, invalid("count 1..50")
	}
	return cursor, count, nil
}

func commentPage(cs []*comment, cursor, count int) douyin.CommentList {
	// Newest first.
	sorted := append([]*comment(nil), cs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].CreateTime > sorted[j].CreateTime })
	out := douyin.CommentList{List: []douyin.Comment{}}
	end := min(cursor+count, len(sorted))
	for i := min(cursor, len(sorted)); i < end; i++ {
		c := sorted[i].Comment
		c.ReplyCommentTotal = len(sorted[i].replies)
		out.List = append(out.List, c)
	}
	out.Cursor = int64(end)
	out.HasMore = end < len(sorted)
	return out
}

func (e *Emulator) listComments(r *http.Request, _ time.Time) (any, *apiErr) {
	item := r.URL.Query().Get(douyin.QueryItemID)
	if !e.hasVideo(item) {
		return nil, invalid("item_id")
	}
	cursor, count, fail := page(r)
	if fail != nil {
		return nil, fail
	}
	return commentPage(e.byItem[item], cursor, count), nil
}

func (e *Emulator) listReplies(r *http.Request, _ time.Time) (any, *apiErr) {
	q := r.URL.Query()
	c := e.comments[q.Get(douyin.QueryCommentID)]
	if c == nil || c.ItemID != q.Get(douyin.QueryItemID) {
		return nil, invalid("comment_id")
	}
	cursor, count, fail := page(r)
	if fail != nil {
		return nil, fail
	}
	return commentPage(c.replies, cursor, count), nil
}

func decodeBody(r *http.Request, v any) *apiErr {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil || json.Unmarshal(b, v) != nil {
		return invalid("body is not JSON")
	}
	return nil
}

func (e *Emulator) replyComment(r *http.Request, now time.Time) (any, *apiErr) {
	var req douyin.ReplyCommentRequest
	if fail := decodeBody(r, &req); fail != nil {
		return nil, fail
	}
	if !e.hasVideo(req.ItemID) {
		return nil, invalid("item_id")
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(req.Content)); n == 0 || n > 1000 {
		return nil, invalid("content 1..1000 characters")
	}
	var parent *comment
	if req.CommentID != "" {
		if parent = e.comments[req.CommentID]; parent == nil || parent.ItemID != req.ItemID {
			return nil, invalid("comment_id")
		}
	}
	c := &comment{Comment: douyin.Comment{CommentID: e.newNumericID(), CommentUserID: e.cfg.AccountOpenID, Content: req.Content, CreateTime: now.Unix()}, ItemID: req.ItemID, ByAccount: true}
	e.comments[c.CommentID] = c
	if parent == nil {
		e.byItem[req.ItemID] = append(e.byItem[req.ItemID], c)
	} else {
		c.ParentID = parent.CommentID
		parent.replies = append(parent.replies, c)
		if u := e.userBy[parent.CommentUserID]; u != nil {
			e.sawReply(u, now)
		}
	}
	return douyin.ReplyCommentData{CommentID: c.CommentID}, nil
}

func (e *Emulator) sendIM(r *http.Request, now time.Time) (any, *apiErr) {
	var req douyin.IMSendRequest
	if fail := decodeBody(r, &req); fail != nil {
		return nil, fail
	}
	if req.Scene != douyin.SceneIMReply {
		return nil, invalid("scene")
	}
	if req.Content.MsgType != douyin.MsgTypeText || req.Content.Text == nil || strings.TrimSpace(req.Content.Text.Text) == "" {
		return nil, invalid("content: text messages only")
	}
	u := e.userBy[req.ToUserID]
	cv := e.convs[req.ToUserID]
	if u == nil || cv == nil || cv.ShortID != req.ConversationID {
		return nil, invalid("to_user_id or conversation_id")
	}
	var replied *Message
	after := 0 // the account's messages since the user's latest
	for i := range cv.Messages {
		m := &cv.Messages[i]
		if m.ByAccount {
			after++
			continue
		}
		after = 0
		if m.ServerMessageID == req.MsgID {
			replied = m
		}
	}
	switch {
	case replied == nil:
		return nil, &apiErr{douyin.ErrCodeIMUnknownMsg, "msg_id 不是该用户的消息"}
	case now.Sub(replied.At) > e.pol.ReplyWindow:
		return nil, &apiErr{douyin.ErrCodeIMWindowClosed, "超出回复时间窗口"}
	case e.pol.MaxReplies > 0 && after >= e.pol.MaxReplies:
		return nil, &apiErr{douyin.ErrCodeIMCapReached, "回复条数已达上限"}
	}
	m := Message{ServerMessageID: e.newID("", 24), FromOpenID: e.cfg.AccountOpenID, Text: req.Content.Text.Text, At: now, ByAccount: true}
	cv.Messages = append(cv.Messages, m)
	e.outbox = append(e.outbox, outgoing{event: douyin.EventIMSendMsg, from: e.cfg.AccountOpenID, to: u.OpenID, content: douyin.IMMessage{
		ConversationShortID: cv.ShortID, ServerMessageID: m.ServerMessageID, ConversationType: 1, MessageType: "text",
		Source: e.cfg.ClientKey, CreateTime: now.UnixMilli(), Text: m.Text,
	}})
	e.sawMessage(u, m.Text, now)
	return douyin.IMSendData{MsgID: m.ServerMessageID}, nil
}

func (e *Emulator) listFans(r *http.Request, _ time.Time) (any, *apiErr) {
	cursor, count, fail := page(r)
	if fail != nil {
		return nil, fail
	}
	// Only the most recent fans, newest first here (the platform promises
	// no order).
	n := len(e.fans)
	if e.pol.FansListCap > 0 {
		n = min(n, e.pol.FansListCap)
	}
	out := douyin.FansList{List: []douyin.Fan{}, Total: len(e.fans)}
	end := min(cursor+count, n)
	for i := min(cursor, n); i < end; i++ {
		f := e.fans[len(e.fans)-1-i]
		u := e.userBy[f.OpenID]
		out.List = append(out.List, douyin.Fan{OpenID: u.OpenID, UnionID: u.UnionID, Nickname: u.Nickname, City: u.City, Province: u.Province, Country: "中国", Gender: u.Gender})
	}
	out.Cursor, out.HasMore = int64(end), end < n
	return out, nil
}
