package douyinsync_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/douyin"
	"siyu.dev/siyu/douyinsync"
	"siyu.dev/siyu/emulator"
	"siyu.dev/siyu/emulator/douyinemu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
	"siyu.dev/siyu/wecom"
	"siyu.dev/siyu/wecomsync"
)

var ctx = context.Background()

// rig is Siyu between the Douyin and WeCom emulators, all over HTTP on
// loopback: Siyu calls both APIs, both push signed webhooks/callbacks to
// Siyu, and a Douyin user who scans a channel code becomes the same person
// adding the account in the WeCom emulator.
type rig struct {
	st      *store.Store
	ws      int64
	svc     *douyinsync.Service
	wc      *wecomsync.Service
	dy      *douyinemu.Emulator
	wx      *emulator.Emulator
	hookURL string
}

const account = "service_01"

func newRig(t *testing.T, pol douyinemu.Policy) *rig {
	t.Helper()
	st := storetest.Open(t)
	w, err := st.CreateWorkspace(ctx, "brand", "木棉集")
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{st: st, ws: w.ID}

	// WeCom: as in wecomsync's own end-to-end test.
	r.wx = emulator.New(emulator.Config{Seed: 7})
	t.Cleanup(r.wx.Close)
	wxAPI := httptest.NewServer(r.wx.Handler())
	t.Cleanup(wxAPI.Close)
	r.wc = wecomsync.New(st, wecomsync.Options{})

	at := time.Date(2026, 3, 2, 12, 30, 0, 0, time.UTC) // 20:30 in Shanghai
	var users []douyinemu.User
	for _, u := range r.wx.Users()[:60] {
		users = append(users, douyinemu.User{OpenID: u.DouyinOpenID, UnionID: "dyu_" + u.UnionID, Nickname: u.Nickname, Province: u.Province, City: u.City, Gender: u.Gender, Ref: u.Index})
	}
	r.dy = douyinemu.New(douyinemu.Config{Seed: 11, Users: users, Now: func() time.Time { return at }, Policy: &pol, OnChannelCode: r.scanOnWeCom})
	dyAPI := httptest.NewServer(r.dy.Handler())
	t.Cleanup(dyAPI.Close)
	r.svc = douyinsync.New(st, douyinsync.Options{Codes: r.wc, Now: r.dy.Now})

	mux := http.NewServeMux()
	mux.HandleFunc("/wecom/callback/{ws}", func(w http.ResponseWriter, req *http.Request) {
		h, err := r.wc.Receiver(req.Context(), r.ws)
		if err != nil {
			http.NotFound(w, req)
			return
		}
		h.ServeHTTP(w, req)
	})
	mux.HandleFunc("/douyin/webhook/{ws}", func(w http.ResponseWriter, req *http.Request) {
		h, err := r.svc.Receiver(req.Context(), r.ws)
		if err != nil {
			http.NotFound(w, req)
			return
		}
		h.ServeHTTP(w, req)
	})
	siyuSrv := httptest.NewServer(mux)
	t.Cleanup(siyuSrv.Close)

	token, key := "siyuCallbackToken", aesKey()
	if err := r.wc.Configure(ctx, w.ID, siyu.WeComApp{CorpID: r.wx.CorpID(), Secret: r.wx.Secret(), BaseURL: wxAPI.URL, Token: token, EncodingAESKey: key}); err != nil {
		t.Fatal(err)
	}
	if err := r.wx.SetCallback(ctx, &emulator.CallbackConfig{URL: fmt.Sprintf("%s/wecom/callback/%d", siyuSrv.URL, w.ID), Token: token, EncodingAESKey: key}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.wc.FullSync(ctx, w.ID, nil); err != nil {
		t.Fatal(err)
	}

	if err := r.svc.Configure(ctx, w.ID, store.DouyinApp{ClientKey: r.dy.ClientKey(), ClientSecret: r.dy.ClientSecret(), AccessToken: r.dy.AccessToken(),
		AccountOpenID: r.dy.AccountOpenID(), BaseURL: dyAPI.URL}); err != nil {
		t.Fatal(err)
	}
	set := douyinsync.DefaultSettings()
	set.Accounts = []string{account}
	if err := r.svc.SaveSettings(ctx, w.ID, set); err != nil {
		t.Fatal(err)
	}
	r.hookURL = fmt.Sprintf("%s/douyin/webhook/%d", siyuSrv.URL, w.ID)
	if err := r.dy.SetCallback(ctx, r.hookURL); err != nil {
		t.Fatalf("the Douyin emulator could not verify Siyu's webhook URL: %v", err)
	}
	return r
}

func aesKey() string {
	b := make([]byte, 32)
	rand.Read(b)
	return strings.TrimRight(base64.StdEncoding.EncodeToString(b), "=")
}

// scanOnWeCom is the follow-through: the Douyin user scans the QR URL, which
// in WeCom is a contact way; the same person (Ref) adds the member.
func (r *rig) scanOnWeCom(ctx context.Context, url string, u douyinemu.User) error {
	client, _, err := r.wc.Client(ctx, r.ws)
	if err != nil {
		return err
	}
	list, err := client.ListContactWay(ctx, wecom.ListContactWayRequest{Limit: 1000})
	if err != nil {
		return err
	}
	for _, ref := range list.ContactWay {
		way, err := client.GetContactWay(ctx, ref.ConfigID)
		if err != nil {
			return err
		}
		if way.QRCode == url {
			if _, err := r.wx.Scan(way.ConfigID, u.Ref); err != nil {
				return err
			}
			return r.wx.Flush(ctx)
		}
	}
	return fmt.Errorf("no contact way has the QR %s", url)
}

// freshUser is a Douyin user whose WeChat self is nobody's contact yet,
// so that the scan adds them and Siyu knows them only from Douyin.
func (r *rig) freshUser(t *testing.T, skip int) int {
	t.Helper()
	taken := map[int]bool{}
	for _, m := range r.wx.Snapshot().Members {
		for _, c := range m.Contacts {
			taken[c.UserIndex] = true
		}
	}
	for i, u := range r.dy.Users() {
		if !taken[u.Ref] {
			if skip == 0 {
				return i
			}
			skip--
		}
	}
	t.Fatal("every user is already a contact")
	return 0
}

func post(t *testing.T, url string, body []byte, sig, msgID string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set(douyin.HeaderSignature, sig)
	req.Header.Set(douyin.HeaderMsgID, msgID)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func commentRows(t *testing.T, r *rig) int {
	t.Helper()
	var n int
	if err := r.st.DB().QueryRow(`SELECT COUNT(*) FROM douyin_comments WHERE workspace_id = $1`, r.ws).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestWebhookSignatureAndDedupe(t *testing.T) {
	r := newRig(t, douyinemu.DefaultPolicy())
	video := r.dy.Videos()[0]
	c, err := r.dy.Comment(ctx, 0, video, "求电子版")
	if err != nil {
		t.Fatal(err)
	}
	d := r.dy.Deliveries()
	if len(d) != 1 || d[0].Status != http.StatusOK {
		t.Fatalf("signed webhook: %+v", d)
	}
	if n := len(r.dy.Replies(c.CommentID)); n != 1 {
		t.Fatalf("%d replies to the intent comment", n)
	}
	// The platform retries with the same Msg-Id: processed once.
	if status, err := r.dy.Resend(ctx, d[0].MsgID); err != nil || status != http.StatusOK {
		t.Fatalf("resend: %d %v", status, err)
	}
	if n := len(r.dy.Replies(c.CommentID)); n != 1 || commentRows(t, r) != 1 {
		t.Fatalf("a duplicate delivery was processed again: %d replies, %d rows", n, commentRows(t, r))
	}
	// A tampered body with the old signature, or a body signed with
	// another secret, is rejected before anything is stored.
	tampered := bytes.Replace(d[0].Body, []byte(c.CommentID), []byte(c.CommentID+"9"), 1)
	if status := post(t, r.hookURL, tampered, douyin.Sign(r.dy.ClientSecret(), d[0].Body), "tampered-1"); status != http.StatusUnauthorized {
		t.Fatalf("tampered: %d", status)
	}
	if status := post(t, r.hookURL, tampered, douyin.Sign("guessed", tampered), "tampered-2"); status != http.StatusUnauthorized {
		t.Fatalf("wrong secret: %d", status)
	}
	if commentRows(t, r) != 1 {
		t.Fatal("a rejected webhook was stored")
	}
	// Chatter is stored but not answered.
	chat, _ := r.dy.Comment(ctx, 1, video, "老师讲得真清楚")
	if n := len(r.dy.Replies(chat.CommentID)); n != 0 || commentRows(t, r) != 2 {
		t.Fatalf("chatter: %d replies, %d rows", n, commentRows(t, r))
	}
}

// The acceptance test of comment mining: an intent comment is answered
// while its author is online, they write, get their own channel code,
// scan it, and the WeCom contact joins the customer of their Douyin
// identity.
func TestIntentCommentBecomesWeComContact(t *testing.T) {
	pol := douyinemu.DefaultPolicy()
	pol.FollowRate, pol.DMRate, pol.ScanRate = 1, 1, 1
	r := newRig(t, pol)
	i := r.freshUser(t, 0)
	u := r.dy.Users()[i]
	video := r.dy.Videos()[2]

	c, err := r.dy.Comment(ctx, i, video, "求 资 料🙏 孩子三年级")
	if err != nil {
		t.Fatal(err)
	}
	replies := r.dy.Replies(c.CommentID)
	if len(replies) != 1 || replies[0].CommentUserID != r.dy.AccountOpenID() || !strings.Contains(replies[0].Content, "私信") {
		t.Fatalf("replies: %+v", replies)
	}

	// A minute later the user, who saw the reply, follows and writes.
	r.dy.Advance(ctx, pol.ReactionDelay)
	conv := r.dy.Conversation(u.OpenID)
	if len(conv) != 2 || conv[0].ByAccount || !conv[1].ByAccount {
		t.Fatalf("conversation: %+v", conv)
	}
	dm := conv[1].Text
	dyUser, err := r.st.DouyinUser(ctx, r.ws, u.OpenID)
	if err != nil {
		t.Fatal(err)
	}
	if dyUser.CodeURL == "" || !strings.Contains(dm, dyUser.CodeURL) || dyUser.DMSentAt == nil || dyUser.RuleID != "求资料" {
		t.Fatalf("the private message %q should carry the user's code: %+v", dm, dyUser)
	}
	code, err := r.st.ChannelCodeByState(ctx, r.ws, dyUser.CodeState)
	if err != nil || code.CustomerID != dyUser.CustomerID || code.QRCode != dyUser.CodeURL {
		t.Fatalf("channel code %+v %v", code, err)
	}

	// Another minute: the user scans, the WeCom emulator posts the add.
	r.dy.Advance(ctx, pol.ReactionDelay)
	scans := r.dy.Scans()
	if len(scans) != 1 || scans[0].Err != "" {
		t.Fatalf("scans: %+v", scans)
	}
	for _, d := range r.wx.Deliveries() {
		if d.Status != http.StatusOK {
			t.Fatalf("WeCom callback: %+v", d)
		}
	}

	v, err := r.st.Customer360(ctx, r.ws, dyUser.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	wxUser := r.wx.Users()[u.Ref]
	kinds := map[siyu.IdentityKind]string{}
	for _, id := range v.Identities {
		kinds[id.Kind] = id.Display
	}
	if kinds[siyu.KindDouyinOpenID] != u.OpenID || kinds[siyu.KindExternalUser] != wxUser.ExternalUserID {
		t.Fatalf("one customer should hold the Douyin identity and the WeCom contact: %+v", v.Identities)
	}
	if !slices.ContainsFunc(v.Contacts, func(c siyu.Contact) bool {
		return c.ExternalUserID == wxUser.ExternalUserID && c.State == dyUser.CodeState
	}) {
		t.Fatalf("contacts: %+v", v.Contacts)
	}
	if !slices.ContainsFunc(v.Tags, func(tg siyu.Tag) bool { return tg.Name == "抖音" }) {
		t.Fatalf("the code's tag was not applied: %+v", v.Tags)
	}

	res, err := r.svc.Refresh(ctx, r.ws)
	if err != nil || res.Followed != 1 || res.Conversions != 1 {
		t.Fatalf("refresh: %+v %v", res, err)
	}
	m, err := r.st.DouyinMetrics(ctx, r.ws, r.dy.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	tot := m.Total
	if tot.Comments != 1 || tot.Replied != 1 || tot.Leads != 1 || tot.Followed != 1 || tot.DMSent != 1 || tot.Converted != 1 || tot.WeChatRate != 1 {
		t.Fatalf("metrics: %+v", m)
	}
	if len(m.Rules) != 1 || m.Rules[0].Rule != "求资料" {
		t.Fatalf("rules: %+v", m.Rules)
	}
	v, _ = r.st.Customer360(ctx, r.ws, dyUser.CustomerID)
	types := map[string]int{}
	for _, e := range v.Timeline {
		types[e.Type]++
	}
	for _, typ := range []string{siyu.EventDouyinCommented, siyu.EventDouyinIntent, siyu.EventDouyinReplied, siyu.EventDouyinDMSent, siyu.EventDouyinFollowed, siyu.EventDouyinConverted} {
		if types[typ] != 1 {
			t.Fatalf("events on the customer: %v", types)
		}
	}
}

// A comment seen too late gets no automatic reply; a message is still
// answered with the code if it asks for something itself.
func TestLateCommentAndDirectAsk(t *testing.T) {
	r := newRig(t, douyinemu.DefaultPolicy())
	i := r.freshUser(t, 1)
	u := r.dy.Users()[i]
	in := fmt.Sprintf(`{"event":"item_comment_reply","from_user_id":%q,"to_user_id":%q,"client_key":%q,"content":{"comment_id":"old1","comment_user_id":%q,"content":"多少钱","create_time":%d,"reply_to_item_id":%q}}`,
		u.OpenID, r.dy.AccountOpenID(), r.dy.ClientKey(), u.OpenID, r.dy.Now().Add(-time.Hour).Unix(), r.dy.Videos()[0])
	if status := post(t, r.hookURL, []byte(in), douyin.Sign(r.dy.ClientSecret(), []byte(in)), "late-1"); status != http.StatusOK {
		t.Fatalf("late comment: %d", status)
	}
	if n := len(r.dy.Replies("old1")); n != 0 {
		t.Fatal("an hour-old comment got an automatic reply")
	}
	task, err := r.st.TaskByRef(ctx, r.ws, "douyin:comment:old1")
	if err != nil || task.Kind != siyu.TaskReplyComment || task.Status != "open" || !strings.Contains(task.Title, "多少钱") {
		t.Fatalf("the late comment should be an operator's task: %+v %v", task, err)
	}
	if _, err := r.dy.SendMessage(ctx, i, "你好，怎么买？"); err != nil {
		t.Fatal(err)
	}
	conv := r.dy.Conversation(u.OpenID)
	if len(conv) != 2 || !strings.Contains(conv[1].Text, "https://") {
		t.Fatalf("a direct ask should be answered with a code: %+v", conv)
	}
	dyUser, _ := r.st.DouyinUser(ctx, r.ws, u.OpenID)
	if dyUser.RuleID != "多少钱" { // the first intent stays the user's
		t.Fatalf("rule %q", dyUser.RuleID)
	}
	// A second message does not send another code.
	r.dy.SendMessage(ctx, i, "求资料")
	if conv := r.dy.Conversation(u.OpenID); len(conv) != 3 {
		t.Fatalf("a second code was sent: %+v", conv)
	}
}
