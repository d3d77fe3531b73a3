package douyin_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"siyu.dev/siyu/douyin"
	"siyu.dev/siyu/emulator/douyinemu"
)

var ctx = context.Background()

func newClient(t *testing.T, token string) (*douyin.Client, *douyinemu.Emulator) {
	t.Helper()
	at := time.Date(2026, 3, 2, 20, 0, 0, 0, time.UTC)
	emu := douyinemu.New(douyinemu.Config{Seed: 3, Population: 20, Now: func() time.Time { return at }})
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	if token == "" {
		token = emu.AccessToken()
	}
	c, err := douyin.NewClient(douyin.Config{BaseURL: srv.URL, OpenID: emu.AccountOpenID(), Token: douyin.StaticToken(token)})
	if err != nil {
		t.Fatal(err)
	}
	return c, emu
}

func TestClientComments(t *testing.T) {
	c, emu := newClient(t, "")
	video := emu.Videos()[0]
	var ids []string
	for i, text := range []string{"第一条", "求资料", "第三条"} {
		cm, err := emu.Comment(ctx, i, video, text)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, cm.CommentID)
		emu.Advance(ctx, time.Second)
	}
	page, err := c.ListComments(ctx, video, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.List) != 2 || !page.HasMore || page.List[0].Content != "第三条" || page.List[0].CommentUserID != emu.Users()[2].OpenID {
		t.Fatalf("first page: %+v", page)
	}
	rest, err := c.ListComments(ctx, video, page.Cursor, 2)
	if err != nil || len(rest.List) != 1 || rest.HasMore || rest.List[0].CommentID != ids[0] {
		t.Fatalf("second page: %+v %v", rest, err)
	}

	replyID, err := c.ReplyComment(ctx, douyin.ReplyCommentRequest{ItemID: video, CommentID: ids[1], Content: "已私信你～"})
	if err != nil || replyID == "" {
		t.Fatalf("reply: %q %v", replyID, err)
	}
	replies, err := c.ListCommentReplies(ctx, video, ids[1], 0, 10)
	if err != nil || len(replies.List) != 1 || replies.List[0].Content != "已私信你～" || replies.List[0].CommentUserID != emu.AccountOpenID() {
		t.Fatalf("replies: %+v %v", replies, err)
	}

	_, err = c.ReplyComment(ctx, douyin.ReplyCommentRequest{ItemID: video, CommentID: "nope", Content: "x"})
	var ae *douyin.APIError
	if !errors.As(err, &ae) || ae.Code != douyin.ErrCodeInvalidParam || ae.LogID == "" {
		t.Fatalf("unknown comment: %v", err)
	}
	if _, err := c.ListComments(ctx, video, 0, 51); err == nil {
		t.Fatal("count 51 was sent")
	}
}

func TestClientRejectedToken(t *testing.T) {
	c, emu := newClient(t, "act.wrong")
	_, err := c.ListComments(ctx, emu.Videos()[0], 0, 10)
	if !douyin.IsTokenError(err) {
		t.Fatalf("want a token error, got %v", err)
	}
}

func TestClientIMWindowAndCap(t *testing.T) {
	c, emu := newClient(t, "")
	p := emu.Policy()
	p.MaxReplies, p.ReplyWindow = 2, time.Hour
	emu.SetPolicy(p)
	u := emu.Users()[4]
	msgID, err := emu.SendMessage(ctx, 4, "你好，怎么买")
	if err != nil {
		t.Fatal(err)
	}
	conv := emu.Conversation(u.OpenID)
	req := douyin.IMSendRequest{MsgID: msgID, ConversationID: emu.ConversationID(u.OpenID), ToUserID: u.OpenID, Content: douyin.TextMessage("您好，链接发您")}
	for i := 0; i < 2; i++ {
		if id, err := c.SendIM(ctx, req); err != nil || id == "" {
			t.Fatalf("reply %d: %v", i, err)
		}
	}
	if _, err := c.SendIM(ctx, req); douyin.ErrorCode(err) != douyin.ErrCodeIMCapReached {
		t.Fatalf("third reply: %v", err)
	}
	// A new message from the user opens the cap again, but not the window
	// of the old one.
	msg2, _ := emu.SendMessage(ctx, 4, "还在吗")
	emu.Advance(ctx, 2*time.Hour)
	req.MsgID = msg2
	if _, err := c.SendIM(ctx, req); douyin.ErrorCode(err) != douyin.ErrCodeIMWindowClosed {
		t.Fatalf("after the window: %v", err)
	}
	req.MsgID = conv[0].ServerMessageID + "x"
	if _, err := c.SendIM(ctx, req); douyin.ErrorCode(err) != douyin.ErrCodeIMUnknownMsg {
		t.Fatalf("unknown msg: %v", err)
	}
}

func TestClientFans(t *testing.T) {
	c, emu := newClient(t, "")
	for i := range 7 {
		emu.Follow(i)
	}
	var got []douyin.Fan
	var cursor int64
	for {
		page, err := c.ListFans(ctx, cursor, 3)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page.List...)
		if !page.HasMore {
			if page.Total != 7 {
				t.Fatalf("total %d", page.Total)
			}
			break
		}
		cursor = page.Cursor
	}
	if len(got) != 7 || got[0].OpenID != emu.Users()[6].OpenID || got[0].UnionID == "" || got[0].Nickname == "" {
		t.Fatalf("fans: %+v", got)
	}
}
