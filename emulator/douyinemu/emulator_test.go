package douyinemu_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"siyu.dev/siyu/douyin"
	"siyu.dev/siyu/emulator/douyinemu"
)

var ctx = context.Background()

// 20:30 in Shanghai.
var evening = time.Date(2026, 3, 2, 12, 30, 0, 0, time.UTC)

type sink struct {
	mu  sync.Mutex
	evs []douyin.Event
}

func (s *sink) handle(_ context.Context, ev douyin.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.evs = append(s.evs, ev)
	return nil
}

func (s *sink) events(name string) []douyin.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []douyin.Event
	for _, ev := range s.evs {
		if ev.Event == name {
			out = append(out, ev)
		}
	}
	return out
}

func rig(t *testing.T, cfg douyinemu.Config) (*douyinemu.Emulator, *sink, *douyin.Client) {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return evening }
	}
	emu := douyinemu.New(cfg)
	s := &sink{}
	hook := httptest.NewServer(douyin.NewReceiver(emu.ClientSecret(), s.handle, douyin.ReceiverOptions{}))
	t.Cleanup(hook.Close)
	if err := emu.SetCallback(ctx, hook.URL); err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(emu.Handler())
	t.Cleanup(api.Close)
	c, err := douyin.NewClient(douyin.Config{BaseURL: api.URL, OpenID: emu.AccountOpenID(), Token: douyin.StaticToken(emu.AccessToken())})
	if err != nil {
		t.Fatal(err)
	}
	return emu, s, c
}

func TestSetCallbackNeedsTheChallenge(t *testing.T) {
	emu := douyinemu.New(douyinemu.Config{Population: 3})
	wrong := httptest.NewServer(douyin.NewReceiver("not-the-secret", func(context.Context, douyin.Event) error { return nil }, douyin.ReceiverOptions{}))
	defer wrong.Close()
	if err := emu.SetCallback(ctx, wrong.URL); err == nil {
		t.Fatal("a receiver with the wrong secret passed verification")
	}
}

func TestCommentWebhookIsSignedAndRetried(t *testing.T) {
	emu, s, _ := rig(t, douyinemu.Config{Seed: 1, Population: 10})
	c, err := emu.Comment(ctx, 2, emu.Videos()[1], "求电子版")
	if err != nil {
		t.Fatal(err)
	}
	evs := s.events(douyin.EventItemCommentReply)
	if len(evs) != 1 {
		t.Fatalf("%d comment events", len(evs))
	}
	got, err := evs[0].Comment()
	if err != nil || got.CommentID != c.CommentID || got.Content != "求电子版" || got.CommentUserID != emu.Users()[2].OpenID || got.ReplyToItemID != emu.Videos()[1] {
		t.Fatalf("%+v %v", got, err)
	}
	d := emu.Deliveries()
	if len(d) != 1 || d[0].Status != 200 || d[0].Attempts != 1 || d[0].MsgID == "" || evs[0].MsgID != d[0].MsgID {
		t.Fatalf("deliveries: %+v", d)
	}
	// The platform's retry carries the same Msg-Id: taken once.
	if status, err := emu.Resend(ctx, d[0].MsgID); err != nil || status != 200 {
		t.Fatalf("resend: %d %v", status, err)
	}
	if n := len(s.events(douyin.EventItemCommentReply)); n != 1 {
		t.Fatalf("the retry was handled again: %d", n)
	}
}

// Seeing a reply while online, a user follows, writes, and scans the code
// sent back; the scan reaches OnChannelCode.
func TestReplyLeadsToFollowMessageAndScan(t *testing.T) {
	var scanned []string
	pol := douyinemu.DefaultPolicy()
	pol.FollowRate, pol.DMRate, pol.ScanRate = 1, 1, 1
	emu, s, c := rig(t, douyinemu.Config{Seed: 2, Population: 10, Policy: &pol,
		OnChannelCode: func(_ context.Context, url string, u douyinemu.User) error {
			scanned = append(scanned, url+" "+u.OpenID)
			return nil
		}})
	video := emu.Videos()[0]
	cm, _ := emu.Comment(ctx, 5, video, "怎么买")
	if _, err := c.ReplyComment(ctx, douyin.ReplyCommentRequest{ItemID: video, CommentID: cm.CommentID, Content: "私信你啦"}); err != nil {
		t.Fatal(err)
	}
	emu.Advance(ctx, pol.ReactionDelay)
	u := emu.Users()[5]
	if fans := emu.Fans(); len(fans) != 1 || fans[0].OpenID != u.OpenID {
		t.Fatalf("fans: %+v", fans)
	}
	msgs := s.events(douyin.EventIMReceiveMsg)
	if len(msgs) != 1 || len(s.events(douyin.EventIMEnterDirectMsg)) != 1 {
		t.Fatalf("messages: %+v", s.evs)
	}
	m, err := msgs[0].IMMessage()
	if err != nil || msgs[0].FromUserID != u.OpenID || m.Nickname(u.OpenID) != u.Nickname {
		t.Fatalf("%+v %v", m, err)
	}
	_, err = c.SendIM(ctx, douyin.IMSendRequest{MsgID: m.ServerMessageID, ConversationID: m.ConversationShortID, ToUserID: u.OpenID,
		Content: douyin.TextMessage("资料在这里，扫码加老师微信领取：https://wework.qpic.cn/wwpic/abc/0")})
	if err != nil {
		t.Fatal(err)
	}
	emu.Advance(ctx, pol.ReactionDelay)
	if len(scanned) != 1 || scanned[0] != "https://wework.qpic.cn/wwpic/abc/0 "+u.OpenID {
		t.Fatalf("scans: %v", scanned)
	}
	sent := s.events(douyin.EventIMSendMsg)
	if len(sent) != 1 {
		t.Fatal("no im_send_msg for the API's message")
	}
	if m, _ := sent[0].IMMessage(); m.Source != emu.ClientKey() || !strings.Contains(m.Text, "扫码") {
		t.Fatalf("im_send_msg: %+v", m)
	}
}

// Nobody reacts to a reply they never see in time, when late reactions
// are off.
func TestOfflineUsersReactLate(t *testing.T) {
	pol := douyinemu.DefaultPolicy()
	pol.FollowRate, pol.DMRate, pol.OfflineFactor = 1, 0, 0
	emu, _, c := rig(t, douyinemu.Config{Seed: 2, Population: 10, Policy: &pol})
	video := emu.Videos()[0]
	cm, _ := emu.Comment(ctx, 1, video, "多少钱")
	emu.Advance(ctx, 30*time.Minute) // past OnlineFor; 21:00 may be in a daily window, so check
	if emu.Online(emu.Users()[1].OpenID) {
		t.Skip("user 1 happens to be in a daily window")
	}
	c.ReplyComment(ctx, douyin.ReplyCommentRequest{ItemID: video, CommentID: cm.CommentID, Content: "私信"})
	emu.Advance(ctx, pol.OfflineDelay)
	if len(emu.Fans()) != 0 {
		t.Fatal("an offline user reacted with OfflineFactor 0")
	}
}

func TestSimulateMixesIntentAndChatter(t *testing.T) {
	emu, s, _ := rig(t, douyinemu.Config{Seed: 9, Population: 50})
	cs := emu.Simulate(ctx, 400)
	if len(cs) != 400 || len(s.events(douyin.EventItemCommentReply)) != 400 {
		t.Fatalf("%d comments, %d webhooks", len(cs), len(s.events(douyin.EventItemCommentReply)))
	}
	intent := 0
	for _, c := range cs {
		for _, k := range []string{"资料", "电子版", "怎么买", "多少钱", "链接"} {
			if strings.Contains(c.Content, k) {
				intent++
				break
			}
		}
	}
	// IntentShare 0.12 plus chatter that mentions 资料 by chance.
	if intent < 20 || intent > 120 {
		t.Fatalf("%d of 400 comments look like intent", intent)
	}
}

func TestSameSeedSameUsers(t *testing.T) {
	a := douyinemu.New(douyinemu.Config{Seed: 5, Population: 30}).Users()
	b := douyinemu.New(douyinemu.Config{Seed: 5, Population: 30}).Users()
	c := douyinemu.New(douyinemu.Config{Seed: 6, Population: 30}).Users()
	if a[7] != b[7] || a[7].OpenID == c[7].OpenID {
		t.Fatal("the population does not follow the seed")
	}
	seen := map[string]bool{}
	for _, u := range a {
		if seen[u.OpenID] || !strings.HasPrefix(u.OpenID, "_000") {
			t.Fatalf("open_id %q", u.OpenID)
		}
		seen[u.OpenID] = true
	}
}
