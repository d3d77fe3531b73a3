package wecom

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"siyu.dev/siyu"
)

func TestNewClientValidatesConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no corp", Config{Secret: "s"}},
		{"no secret", Config{CorpID: "c"}},
		{"bad base", Config{CorpID: "c", Secret: "s", BaseURL: "ftp://x"}},
		{"relative base", Config{CorpID: "c", Secret: "s", BaseURL: "/cgi-bin"}},
	}
	for _, tt := range tests {
		if _, err := NewClient(tt.cfg); err == nil {
			t.Errorf("%s: NewClient accepted %+v", tt.name, tt.cfg)
		}
	}
	c, err := NewClient(Config{CorpID: "c", Secret: "s"})
	if err != nil || c.base != DefaultBaseURL {
		t.Errorf("default base URL = %q, %v", c.base, err)
	}
}

func TestTokenRefreshOn42001RetriesOnce(t *testing.T) {
	for _, code := range []int{ErrCodeAccessTokenExpired, ErrCodeInvalidAccessToken} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			f := newFake(t)
			f.handle(PathGetFollowUserList, func(r *http.Request, _ []byte) (int, string) {
				if r.URL.Query().Get("access_token") == "token1" {
					return 200, fmt.Sprintf(`{"errcode":%d,"errmsg":"access_token expired"}`, code)
				}
				return 200, `{"errcode":0,"errmsg":"ok","follow_user":["a"]}`
			})
			c := f.client(t)
			users, err := c.GetFollowUserList(bg)
			if err != nil || len(users) != 1 {
				t.Fatalf("GetFollowUserList = %v, %v", users, err)
			}
			reqs := f.recorded()
			if len(reqs) != 2 || reqs[0].Token != "token1" || reqs[1].Token != "token2" {
				t.Fatalf("requests = %+v, want token1 then token2", reqs)
			}
			if n := f.tokenCalls.Load(); n != 2 {
				t.Errorf("gettoken called %d times, want 2", n)
			}
		})
	}
}

func TestTokenErrorRetriedOnlyOnce(t *testing.T) {
	f := newFake(t)
	f.reply(PathGetFollowUserList, `{"errcode":42001,"errmsg":"access_token expired"}`)
	c := f.client(t)
	_, err := c.GetFollowUserList(bg)
	if !IsTokenError(err) {
		t.Fatalf("err = %v, want a token error", err)
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.Path != PathGetFollowUserList || ae.Code != 42001 {
		t.Errorf("err = %#v", err)
	}
	if n := len(f.recorded()); n != 2 {
		t.Errorf("%d calls, want exactly 2 (one retry)", n)
	}
}

func TestTokenSingleFlight(t *testing.T) {
	f := newFake(t)
	f.tokenDelay = 50 * time.Millisecond
	f.reply(PathGetFollowUserList, `{"errcode":0,"errmsg":"ok","follow_user":[]}`)
	cache := NewTokenCache()
	var clients []*Client
	for i := 0; i < 3; i++ { // several clients of one app share the cache
		c := f.client(t)
		c.tokens = cache
		clients = append(clients, c)
	}
	var wg sync.WaitGroup
	var failures atomic.Int32
	for i := 0; i < 60; i++ {
		wg.Add(1)
		go func(c *Client) {
			defer wg.Done()
			if _, err := c.GetFollowUserList(bg); err != nil {
				failures.Add(1)
			}
		}(clients[i%len(clients)])
	}
	wg.Wait()
	if failures.Load() != 0 {
		t.Errorf("%d calls failed", failures.Load())
	}
	if n := f.tokenCalls.Load(); n != 1 {
		t.Errorf("gettoken called %d times, want 1", n)
	}
	for _, r := range f.recorded() {
		if r.Token != "token1" {
			t.Fatalf("call used %q", r.Token)
		}
	}
}

func TestTokenCacheKeyedBySecret(t *testing.T) {
	f := newFake(t)
	f.reply(PathGetFollowUserList, `{"errcode":0,"errmsg":"ok"}`)
	cache := NewTokenCache()
	a := f.client(t)
	a.tokens = cache
	b := f.client(t)
	b.tokens = cache
	b.secret = "another-app-secret"
	if _, err := a.GetFollowUserList(bg); err != nil {
		t.Fatal(err)
	}
	if _, err := b.GetFollowUserList(bg); ErrorCode(err) != ErrCodeInvalidCorpID {
		t.Fatalf("second app reused the first app's token: err = %v", err)
	}
}

func TestTokenRefreshedBeforeExpiry(t *testing.T) {
	f := newFake(t)
	f.reply(PathGetFollowUserList, `{"errcode":0,"errmsg":"ok"}`)
	c := f.client(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	c.tokens.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	call := func() string {
		t.Helper()
		if _, err := c.GetFollowUserList(bg); err != nil {
			t.Fatal(err)
		}
		r := f.recorded()
		return r[len(r)-1].Token
	}
	if tok := call(); tok != "token1" {
		t.Fatalf("first token %q", tok)
	}
	advance(7200*time.Second - DefaultRefreshBefore - time.Second)
	if tok := call(); tok != "token1" {
		t.Errorf("token replaced too early: %q", tok)
	}
	advance(2 * time.Second) // now inside the 5-minute refresh window
	if tok := call(); tok != "token2" {
		t.Errorf("token not refreshed 5 minutes before expiry: %q", tok)
	}
}

func TestTokenRefreshFailureKeepsValidToken(t *testing.T) {
	f := newFake(t)
	f.reply(PathGetFollowUserList, `{"errcode":0,"errmsg":"ok"}`)
	c := f.client(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c.tokens.now = func() time.Time { return now }
	if _, err := c.GetFollowUserList(bg); err != nil {
		t.Fatal(err)
	}
	now = now.Add(7200*time.Second - time.Minute) // refresh due, token still valid
	f.tokenErr.Store(ErrCodeSystemBusy)
	if _, err := c.GetFollowUserList(bg); err != nil {
		t.Fatalf("a failed early refresh broke the call: %v", err)
	}
	r := f.recorded()
	if r[len(r)-1].Token != "token1" {
		t.Errorf("used %q, want the still-valid token1", r[len(r)-1].Token)
	}
}

func TestCredentialErrorNotRetried(t *testing.T) {
	f := newFake(t)
	f.tokenErr.Store(ErrCodeInvalidSecret)
	c := f.client(t)
	for i := 0; i < 5; i++ {
		if _, err := c.GetFollowUserList(bg); ErrorCode(err) != ErrCodeInvalidSecret {
			t.Fatalf("err = %v, want 40001", err)
		}
	}
	// A wrong secret must not hammer gettoken: repeated failures block the IP.
	if n := f.tokenCalls.Load(); n != 1 {
		t.Errorf("gettoken called %d times, want 1", n)
	}
	if len(f.recorded()) != 0 {
		t.Error("API called without a token")
	}
}

func TestBackoffOnRateLimitThenSuccess(t *testing.T) {
	for _, code := range []int{ErrCodeAPIFreqOutOfLimit, ErrCodeAPIConcurrentOutOfLimit, ErrCodeSystemBusy} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			f := newFake(t)
			var n atomic.Int32
			f.handle(PathAddMsgTemplate, func(*http.Request, []byte) (int, string) {
				if n.Add(1) <= 2 {
					return 200, fmt.Sprintf(`{"errcode":%d,"errmsg":"api freq out of limit"}`, code)
				}
				return 200, `{"errcode":0,"errmsg":"ok","msgid":"msg1"}`
			})
			c := f.client(t)
			var delays []time.Duration
			c.sleep = func(ctx context.Context, d time.Duration) error { delays = append(delays, d); return nil }
			c.retry = RetryPolicy{MaxAttempts: 4, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
			resp, err := c.AddMsgTemplate(bg, AddMsgTemplateRequest{ExternalUserID: []string{"wm1"}, Text: &TextContent{Content: "hi"}})
			if err != nil || resp.MsgID != "msg1" {
				t.Fatalf("AddMsgTemplate = %+v, %v", resp, err)
			}
			if n.Load() != 3 || len(delays) != 2 {
				t.Fatalf("%d attempts, %d sleeps; want 3 and 2", n.Load(), len(delays))
			}
			// Jittered exponential: [50,100] ms then [100,200] ms.
			if delays[0] < 50*time.Millisecond || delays[0] > 100*time.Millisecond || delays[1] < 100*time.Millisecond || delays[1] > 200*time.Millisecond {
				t.Errorf("delays = %v", delays)
			}
		})
	}
}

func TestRetriesAreBounded(t *testing.T) {
	f := newFake(t)
	f.reply(PathGetFollowUserList, `{"errcode":45009,"errmsg":"api freq out of limit"}`)
	c := f.client(t)
	_, err := c.GetFollowUserList(bg)
	if !IsRetryable(err) || ErrorCode(err) != 45009 {
		t.Fatalf("err = %v", err)
	}
	if n := len(f.recorded()); n != c.retry.MaxAttempts {
		t.Errorf("%d attempts, want %d", n, c.retry.MaxAttempts)
	}
}

func TestNonRetryableErrorsReturnAtOnce(t *testing.T) {
	f := newFake(t)
	f.reply(PathSendWelcomeMsg, `{"errcode":41051,"errmsg":"externaluser has started chatting"}`)
	c := f.client(t)
	err := c.SendWelcomeMsg(bg, SendWelcomeMsgRequest{WelcomeCode: "CODE", Text: &TextContent{Content: "欢迎"}})
	if ErrorCode(err) != ErrCodeWelcomeAlreadyDelivered || IsRetryable(err) {
		t.Fatalf("err = %v", err)
	}
	if n := len(f.recorded()); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
}

func TestServerErrorsRetriedOnlyWhenIdempotent(t *testing.T) {
	f := newFake(t)
	var reads, creates atomic.Int32
	f.handle(PathGroupChatGet, func(*http.Request, []byte) (int, string) {
		if reads.Add(1) == 1 {
			return 502, "bad gateway"
		}
		return 200, `{"errcode":0,"errmsg":"ok","group_chat":{"chat_id":"wr1"}}`
	})
	f.handle(PathAddContactWay, func(*http.Request, []byte) (int, string) {
		creates.Add(1)
		return 503, "unavailable"
	})
	c := f.client(t)
	if g, err := c.GroupChatGet(bg, "wr1", false); err != nil || g.ChatID != "wr1" {
		t.Fatalf("GroupChatGet = %+v, %v", g, err)
	}
	_, err := c.AddContactWay(bg, AddContactWayRequest{Type: 1, Scene: 2, User: []string{"u"}})
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != 503 {
		t.Fatalf("err = %v, want HTTP 503", err)
	}
	if creates.Load() != 1 {
		t.Errorf("a create was sent %d times after a 5xx; it may have been carried out", creates.Load())
	}
}

func TestTransportErrorsDoNotLeakToken(t *testing.T) {
	// A server that hangs up on every API call.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == PathGetToken {
			fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","access_token":"SECRET_TOKEN_VALUE","expires_in":7200}`)
			return
		}
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	})}
	go srv.Serve(ln)
	defer srv.Close()
	c, _ := NewClient(Config{BaseURL: "http://" + ln.Addr().String(), CorpID: testCorpID, Secret: testSecret, Tokens: NewTokenCache(),
		Retry: RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}})
	_, err = c.GetFollowUserList(bg)
	if err == nil {
		t.Fatal("no error from a server that hangs up")
	}
	if s := err.Error(); strings.Contains(s, "SECRET_TOKEN_VALUE") || strings.Contains(s, testSecret) || strings.Contains(s, "access_token") {
		t.Errorf("error leaks credentials: %s", s)
	}
}

func TestContextCancellation(t *testing.T) {
	t.Run("during a slow call", func(t *testing.T) {
		f := newFake(t)
		f.handle(PathGetFollowUserList, func(r *http.Request, _ []byte) (int, string) {
			<-r.Context().Done()
			return 200, `{"errcode":0,"errmsg":"ok"}`
		})
		c := f.client(t)
		ctx, cancel := context.WithTimeout(bg, 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.GetFollowUserList(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want DeadlineExceeded", err)
		}
		if time.Since(start) > 2*time.Second {
			t.Error("cancellation took too long")
		}
		if n := len(f.recorded()); n != 1 {
			t.Errorf("%d attempts after cancellation, want 1", n)
		}
	})
	t.Run("during backoff", func(t *testing.T) {
		f := newFake(t)
		f.reply(PathGetFollowUserList, `{"errcode":45009,"errmsg":"api freq out of limit"}`)
		c := f.client(t)
		c.retry = RetryPolicy{MaxAttempts: 10, BaseDelay: time.Hour, MaxDelay: time.Hour}
		ctx, cancel := context.WithTimeout(bg, 50*time.Millisecond)
		defer cancel()
		_, err := c.GetFollowUserList(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want DeadlineExceeded", err)
		}
	})
	t.Run("waiting for a token", func(t *testing.T) {
		f := newFake(t)
		f.tokenDelay = 300 * time.Millisecond
		c := f.client(t)
		ctx, cancel := context.WithCancel(bg)
		cancel()
		if _, err := c.GetFollowUserList(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want Canceled", err)
		}
	})
	t.Run("waiting for the limiter", func(t *testing.T) {
		f := newFake(t)
		f.reply(PathGetFollowUserList, `{"errcode":0,"errmsg":"ok"}`)
		c := f.client(t)
		c.limiter = NewTokenBucket(TokenBucketConfig{PerMinute: 1, Burst: 1})
		if _, err := c.GetFollowUserList(bg); err != nil { // gettoken has a bucket of its own
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(bg, 30*time.Millisecond)
		defer cancel()
		if _, err := c.GetFollowUserList(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want DeadlineExceeded", err)
		}
	})
}

func TestBatchIteratorWalksAllPages(t *testing.T) {
	f := newFake(t)
	var cursors []string
	pages := map[string]string{
		"":   `{"errcode":0,"errmsg":"ok","external_contact_list":[{"external_contact":{"external_userid":"wm1"},"follow_info":{"userid":"u1"}},{"external_contact":{"external_userid":"wm2"},"follow_info":{"userid":"u1"}}],"next_cursor":"p2"}`,
		"p2": `{"errcode":0,"errmsg":"ok","external_contact_list":[{"external_contact":{"external_userid":"wm3"},"follow_info":{"userid":"u2"}}],"next_cursor":"p3"}`,
		"p3": `{"errcode":0,"errmsg":"ok","external_contact_list":[{"external_contact":{"external_userid":"wm4"},"follow_info":{"userid":"u2"}}],"next_cursor":""}`,
	}
	f.handle(PathBatchGetByUser, func(_ *http.Request, body []byte) (int, string) {
		var req BatchGetByUserRequest
		if err := jsonUnmarshal(body, &req); err != nil || len(req.UserIDList) != 2 || req.Limit != 2 {
			return 200, `{"errcode":40058,"errmsg":"bad request"}`
		}
		cursors = append(cursors, req.Cursor)
		return 200, pages[req.Cursor]
	})
	c := f.client(t)
	var ids []string
	for item, err := range c.ExternalContactsByUser(bg, []string{"u1", "u2"}, 2) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, item.ExternalContact.ExternalUserID+"/"+item.FollowInfo.UserID)
	}
	if got := strings.Join(ids, ","); got != "wm1/u1,wm2/u1,wm3/u2,wm4/u2" {
		t.Errorf("items = %s", got)
	}
	if got := strings.Join(cursors, ","); got != ",p2,p3" {
		t.Errorf("cursors sent = %q", got)
	}

	// Stopping early fetches no further page.
	cursors = nil
	for range c.ExternalContactsByUser(bg, []string{"u1", "u2"}, 2) {
		break
	}
	if len(cursors) != 1 {
		t.Errorf("early break fetched %d pages", len(cursors))
	}
}

func TestIteratorYieldsError(t *testing.T) {
	f := newFake(t)
	var n atomic.Int32
	f.handle(PathGroupChatList, func(*http.Request, []byte) (int, string) {
		if n.Add(1) == 1 {
			return 200, `{"errcode":0,"errmsg":"ok","group_chat_list":[{"chat_id":"wr1","status":0}],"next_cursor":"c2"}`
		}
		return 200, `{"errcode":81017,"errmsg":"request count exceeds limit"}`
	})
	c := f.client(t)
	var chats []string
	var gotErr error
	for g, err := range c.GroupChats(bg, GroupChatListRequest{}) {
		if err != nil {
			gotErr = err
			break
		}
		chats = append(chats, g.ChatID)
	}
	if len(chats) != 1 || ErrorCode(gotErr) != ErrCodeTooManyItems {
		t.Errorf("chats %v, err %v", chats, gotErr)
	}
	var req GroupChatListRequest
	_ = jsonUnmarshal(f.recorded()[0].Body, &req)
	if req.Limit != MaxGroupChatListLimit {
		t.Errorf("iterator page size = %d, want %d", req.Limit, MaxGroupChatListLimit)
	}
}

func TestClientSideValidation(t *testing.T) {
	f := newFake(t)
	c := f.client(t)
	many := func(n int) []string {
		s := make([]string, n)
		for i := range s {
			s[i] = fmt.Sprintf("wm%05d", i)
		}
		return s
	}
	tenAtts := make([]Attachment, 10)
	for i := range tenAtts {
		tenAtts[i] = Attachment{MsgType: MsgTypeImage, Image: &ImageAttachment{MediaID: "m"}}
	}
	text := &TextContent{Content: "hi"}
	tests := []struct {
		name, want string
		call       func() error
	}{
		{"101 userids", "userid_list has 101 entries", func() error { _, err := c.BatchGetByUser(bg, BatchGetByUserRequest{UserIDList: many(101)}); return err }},
		{"no userids", "userid_list has 0 entries", func() error { _, err := c.BatchGetByUser(bg, BatchGetByUserRequest{}); return err }},
		{"batch limit", "limit 101", func() error {
			_, err := c.BatchGetByUser(bg, BatchGetByUserRequest{UserIDList: many(1), Limit: 101})
			return err
		}},
		{"10001 customers", "external_userid has 10001 entries", func() error {
			_, err := c.AddMsgTemplate(bg, AddMsgTemplateRequest{ExternalUserID: many(10001), Text: text})
			return err
		}},
		{"10 attachments", "attachments has 10 entries", func() error {
			return c.SendWelcomeMsg(bg, SendWelcomeMsgRequest{WelcomeCode: "c", Attachments: tenAtts})
		}},
		{"moment 10 attachments", "attachments has 10 entries", func() error {
			_, err := c.AddMomentTask(bg, AddMomentTaskRequest{Attachments: tenAtts})
			return err
		}},
		{"moment file attachment", `msgtype "file"`, func() error {
			_, err := c.AddMomentTask(bg, AddMomentTaskRequest{Attachments: []Attachment{{MsgType: MsgTypeFile, File: &MediaAttachment{MediaID: "m"}}}})
			return err
		}},
		{"attachment without member", "no link member", func() error {
			return c.SendWelcomeMsg(bg, SendWelcomeMsgRequest{WelcomeCode: "c", Attachments: []Attachment{{MsgType: MsgTypeLink}}})
		}},
		{"attachment with two members", "also a image member", func() error {
			return c.SendWelcomeMsg(bg, SendWelcomeMsgRequest{WelcomeCode: "c", Attachments: []Attachment{{MsgType: MsgTypeLink, Link: &LinkAttachment{Title: "t", URL: "u"}, Image: &ImageAttachment{}}}})
		}},
		{"welcome text too long", "text.content has 4001 bytes", func() error {
			return c.SendWelcomeMsg(bg, SendWelcomeMsgRequest{WelcomeCode: "c", Text: &TextContent{Content: strings.Repeat("a", 4001)}})
		}},
		{"empty welcome", "both empty", func() error { return c.SendWelcomeMsg(bg, SendWelcomeMsgRequest{WelcomeCode: "c"}) }},
		{"no welcome code", "welcome_code is required", func() error { return c.SendWelcomeMsg(bg, SendWelcomeMsgRequest{Text: text}) }},
		{"state 31 chars", "state has 31 characters", func() error {
			_, err := c.AddContactWay(bg, AddContactWayRequest{Type: 1, Scene: 2, User: []string{"u"}, State: strings.Repeat("渠", 31)})
			return err
		}},
		{"state 30 chars ok in join way but 6 chats", "chat_id_list has 6 entries", func() error {
			_, err := c.AddJoinWay(bg, AddJoinWayRequest{Scene: 2, State: strings.Repeat("渠", 30), ChatIDList: many(6)})
			return err
		}},
		{"type 1 with two users", "exactly one user", func() error {
			_, err := c.AddContactWay(bg, AddContactWayRequest{Type: 1, Scene: 2, User: []string{"a", "b"}})
			return err
		}},
		{"bad scene", "scene 3", func() error {
			_, err := c.AddContactWay(bg, AddContactWayRequest{Type: 2, Scene: 3, User: []string{"a"}})
			return err
		}},
		{"tag name 31", "tag[0].name has 31 characters", func() error {
			_, err := c.AddCorpTag(bg, AddCorpTagRequest{GroupName: "g", Tag: []NewCorpTag{{Name: strings.Repeat("标", 31)}}})
			return err
		}},
		{"group template without sender", "sender is required", func() error {
			_, err := c.AddMsgTemplate(bg, AddMsgTemplateRequest{ChatType: ChatTypeGroup, Text: text})
			return err
		}},
		{"transfer 101", "external_userid has 101 entries", func() error {
			_, err := c.TransferCustomer(bg, TransferCustomerRequest{HandoverUserID: "a", TakeoverUserID: "b", ExternalUserID: many(101)})
			return err
		}},
		{"transfer to self", "are the same member", func() error {
			_, err := c.TransferCustomer(bg, TransferCustomerRequest{HandoverUserID: "a", TakeoverUserID: "a", ExternalUserID: many(1)})
			return err
		}},
		{"groupchat list limit", "limit 0", func() error { _, err := c.GroupChatList(bg, GroupChatListRequest{}); return err }},
		{"chat transfer none", "chat_id_list has 0 entries", func() error {
			_, err := c.TransferGroupChat(bg, GroupChatTransferRequest{NewOwner: "x"})
			return err
		}},
		{"moment list range", "do not make a range", func() error {
			_, err := c.GetMomentList(bg, GetMomentListRequest{StartTime: 10, EndTime: 5})
			return err
		}},
		{"remark too long", "remark has 21 characters", func() error {
			return c.Remark(bg, RemarkRequest{UserID: "u", ExternalUserID: "wm", Remark: strings.Repeat("备", 21)})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !errors.Is(err, siyu.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrInvalid mentioning %q", err, tt.want)
			}
		})
	}
	if n := len(f.recorded()); n != 0 {
		t.Errorf("%d invalid requests reached the server", n)
	}
	if n := f.tokenCalls.Load(); n != 0 {
		t.Errorf("invalid requests fetched a token")
	}
}

func TestNonJSONAnswer(t *testing.T) {
	f := newFake(t)
	f.reply(PathGetFollowUserList, `<html>gateway</html>`)
	c := f.client(t)
	if _, err := c.GetFollowUserList(bg); err == nil || !strings.Contains(err.Error(), "not JSON") {
		t.Errorf("err = %v", err)
	}
}

func TestTimestampDecoding(t *testing.T) {
	tests := []struct {
		in   string
		want Timestamp
		ok   bool
	}{
		{`1605171726`, 1605171726, true},
		{`"1605171726"`, 1605171726, true},
		{`""`, 0, true},
		{`null`, 0, true},
		{`"xxxx"`, 0, false},
		{`1.5`, 0, false},
		{`true`, 0, false},
	}
	for _, tt := range tests {
		var ts Timestamp
		err := ts.UnmarshalJSON([]byte(tt.in))
		if (err == nil) != tt.ok || (tt.ok && ts != tt.want) {
			t.Errorf("%s: got %d, %v", tt.in, ts, err)
		}
	}
}

func TestErrorHelpers(t *testing.T) {
	tests := []struct {
		code             int
		retryable, token bool
	}{
		{ErrCodeAPIFreqOutOfLimit, true, false},
		{ErrCodeAPIConcurrentOutOfLimit, true, false},
		{ErrCodeSystemBusy, true, false},
		{ErrCodeWelcomeMsgDistributing, true, false},
		{ErrCodeWelcomeAlreadyDelivered, false, false},
		{ErrCodeInvalidWelcomeCode, false, false},
		{ErrCodeAccessTokenExpired, false, true},
		{ErrCodeInvalidAccessToken, false, true},
		{ErrCodeInvalidSecret, false, false},
	}
	for _, tt := range tests {
		err := fmt.Errorf("wrapped: %w", &APIError{Code: tt.code, Msg: "m", Path: "/p"})
		if IsRetryable(err) != tt.retryable || IsTokenError(err) != tt.token {
			t.Errorf("%d: retryable %v token %v", tt.code, IsRetryable(err), IsTokenError(err))
		}
	}
	if IsRetryable(errors.New("plain")) || ErrorCode(nil) != 0 {
		t.Error("plain errors classified as API errors")
	}
}
