package wecom

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"siyu.dev/siyu/wecom/wxcrypt"
)

const (
	cbToken = "callbackToken"
	cbKey   = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
)

type receiverHarness struct {
	t     *testing.T
	crypt *wxcrypt.Crypt
	srv   *httptest.Server
	now   time.Time

	mu     sync.Mutex
	events []Event
	fail   error
	// gate, when set, holds the handler until closed; entered hears of
	// each delivery that reached it.
	gate, entered chan struct{}
}

func newReceiverHarness(t *testing.T) *receiverHarness {
	t.Helper()
	cr, err := wxcrypt.New(cbToken, cbKey, testCorpID)
	if err != nil {
		t.Fatal(err)
	}
	h := &receiverHarness{t: t, crypt: cr, now: time.Unix(1700000000, 0)}
	rc := NewReceiver(cr, func(ctx context.Context, ev Event) error {
		if h.gate != nil {
			h.entered <- struct{}{}
			<-h.gate
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.fail != nil {
			return h.fail
		}
		h.events = append(h.events, ev)
		return nil
	}, ReceiverOptions{Now: func() time.Time { return h.now }, MaxBodyBytes: 8 << 10})
	h.srv = httptest.NewServer(rc)
	t.Cleanup(h.srv.Close)
	return h
}

func (h *receiverHarness) received() []Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Event(nil), h.events...)
}

// post seals xmlBody the way WeCom does and POSTs it.
func (h *receiverHarness) post(xmlBody []byte, ts int64, nonce string) (int, string) {
	h.t.Helper()
	body, sig, err := h.crypt.SealMessage(xmlBody, "1000005", strconv.FormatInt(ts, 10), nonce)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.raw(http.MethodPost, url.Values{"msg_signature": {sig}, "timestamp": {strconv.FormatInt(ts, 10)}, "nonce": {nonce}}, body)
}

func (h *receiverHarness) raw(method string, q url.Values, body []byte) (int, string) {
	h.t.Helper()
	req, _ := http.NewRequest(method, h.srv.URL+"/wecom/callback?"+q.Encode(), bytes.NewReader(body))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func eventXML(fields string, createTime int64) []byte {
	return []byte(fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType>%s</xml>", testCorpID, createTime, fields))
}

func TestReceiverURLVerification(t *testing.T) {
	h := newReceiverHarness(t)
	echo, _ := h.crypt.Encrypt([]byte("7391738291873"))
	ts := "1700000000"
	sig := h.crypt.Sign(ts, "n1", echo)

	status, body := h.raw(http.MethodGet, url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {"n1"}, "echostr": {echo}}, nil)
	if status != 200 || body != "7391738291873" {
		t.Fatalf("GET = %d %q, want 200 and the raw echostr", status, body)
	}

	// WeCom percent-encodes echostr; a '+' left raw arrives as a space.
	if strings.Contains(echo, "+") {
		q := "msg_signature=" + sig + "&timestamp=" + ts + "&nonce=n1&echostr=" + strings.ReplaceAll(echo, "/", "%2F")
		res, err := http.Get(h.srv.URL + "/cb?" + q)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || string(b) != "7391738291873" {
			t.Errorf("unencoded '+': %d %q", res.StatusCode, b)
		}
	}

	status, body = h.raw(http.MethodGet, url.Values{"msg_signature": {flipHex(sig)}, "timestamp": {ts}, "nonce": {"n1"}, "echostr": {echo}}, nil)
	if status != http.StatusForbidden || strings.Contains(body, "signature") {
		t.Errorf("bad signature: %d %q", status, body)
	}
	status, _ = h.raw(http.MethodGet, url.Values{"msg_signature": {sig}, "timestamp": {"1699990000"}, "nonce": {"n1"}, "echostr": {echo}}, nil)
	if status != http.StatusForbidden {
		t.Errorf("stale GET: %d", status)
	}
}

func flipHex(s string) string {
	if s[0] == '0' {
		return "1" + s[1:]
	}
	return "0" + s[1:]
}

func TestReceiverParsesEvents(t *testing.T) {
	tests := []struct {
		name   string
		fields string
		check  func(Event) bool
	}{
		{"add_external_contact", "<Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType><UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA]]></ExternalUserID><State><![CDATA[teststate]]></State><WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode>",
			func(e Event) bool {
				return e.Event == EventChangeExternalContact && e.ChangeType == ChangeAddExternalContact && e.UserID == "zhangsan" && e.ExternalUserID == "woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA" && e.State == "teststate" && e.WelcomeCode == "WELCOMECODE"
			}},
		{"add_half_external_contact", "<Event>change_external_contact</Event><ChangeType>add_half_external_contact</ChangeType><UserID>zhangsan</UserID><ExternalUserID>wm1</ExternalUserID><State>s</State><WelcomeCode>W2</WelcomeCode>",
			func(e Event) bool {
				return e.ChangeType == ChangeAddHalfExternalContact && e.WelcomeCode == "W2" && e.State == "s"
			}},
		{"edit_external_contact", "<Event>change_external_contact</Event><ChangeType>edit_external_contact</ChangeType><UserID>zhangsan</UserID><ExternalUserID>wm1</ExternalUserID>",
			func(e Event) bool { return e.ChangeType == ChangeEditExternalContact && e.ExternalUserID == "wm1" }},
		{"del_external_contact", "<Event>change_external_contact</Event><ChangeType>del_external_contact</ChangeType><UserID>zhangsan</UserID><ExternalUserID>wm1</ExternalUserID><Source><![CDATA[DELETE_BY_TRANSFER]]></Source>",
			func(e Event) bool {
				return e.ChangeType == ChangeDelExternalContact && e.Source == "DELETE_BY_TRANSFER"
			}},
		{"del_follow_user", "<Event>change_external_contact</Event><ChangeType>del_follow_user</ChangeType><UserID>zhangsan</UserID><ExternalUserID>wm1</ExternalUserID>",
			func(e Event) bool { return e.ChangeType == ChangeDelFollowUser && e.UserID == "zhangsan" }},
		{"transfer_fail", "<Event>change_external_contact</Event><ChangeType>transfer_fail</ChangeType><FailReason><![CDATA[customer_refused]]></FailReason><UserID>zhangsan</UserID><ExternalUserID>wm1</ExternalUserID>",
			func(e Event) bool { return e.ChangeType == ChangeTransferFail && e.FailReason == FailCustomerRefused }},
		{"chat create", "<Event>change_external_chat</Event><ChatId><![CDATA[wrx7HUARsKDlA]]></ChatId><ChangeType>create</ChangeType>",
			func(e Event) bool {
				return e.Event == EventChangeExternalChat && e.ChangeType == ChangeCreate && e.ChatID == "wrx7HUARsKDlA"
			}},
		{"chat add_member", "<Event>change_external_chat</Event><ChatId>wr1</ChatId><ChangeType>update</ChangeType><UpdateDetail>add_member</UpdateDetail><JoinScene>3</JoinScene><MemChangeCnt>2</MemChangeCnt><MemChangeList><Item>Jack</Item><Item>Rose</Item></MemChangeList><LastMemVer>9c3f</LastMemVer><CurMemVer>71217</CurMemVer>",
			func(e Event) bool {
				return e.UpdateDetail == UpdateAddMember && e.JoinScene == EventJoinSceneQRCode && e.MemChangeCnt == 2 && len(e.MemChangeList) == 2 && e.MemChangeList[1] == "Rose" && e.CurMemVer == "71217"
			}},
		{"chat del_member", "<Event>change_external_chat</Event><ChatId>wr1</ChatId><ChangeType>update</ChangeType><UpdateDetail>del_member</UpdateDetail><QuitScene>1</QuitScene><MemChangeCnt>1</MemChangeCnt>",
			func(e Event) bool { return e.UpdateDetail == UpdateDelMember && e.QuitScene == QuitSceneRemoved }},
		{"chat dismiss", "<Event>change_external_chat</Event><ChatId>wr1</ChatId><ChangeType>dismiss</ChangeType>",
			func(e Event) bool { return e.ChangeType == ChangeDismiss && e.ChatID == "wr1" }},
		{"tag create", "<Event>change_external_tag</Event><Id><![CDATA[etm7wjCgAA]]></Id><TagType><![CDATA[tag]]></TagType><ChangeType>create</ChangeType>",
			func(e Event) bool {
				return e.Event == EventChangeExternalTag && e.ID == "etm7wjCgAA" && e.TagType == TagTypeTag
			}},
		{"tag shuffle", "<Event>change_external_tag</Event><Id>etGroup</Id><TagType>tag_group</TagType><StrategyId>1</StrategyId><ChangeType>shuffle</ChangeType>",
			func(e Event) bool {
				return e.ChangeType == ChangeShuffle && e.TagType == TagTypeTagGroup && e.StrategyID == "1"
			}},
	}
	h := newReceiverHarness(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := h.post(eventXML(tt.fields, 1700000000+int64(i)), h.now.Unix(), fmt.Sprint("nonce", i))
			if status != 200 || body != "" {
				t.Fatalf("POST = %d %q, want 200 with an empty body", status, body)
			}
			evs := h.received()
			ev := evs[len(evs)-1]
			if !tt.check(ev) {
				t.Errorf("event = %+v", ev)
			}
			if ev.ToUserName != testCorpID || ev.MsgType != "event" || ev.CreateTime != 1700000000+int64(i) {
				t.Errorf("header = %q %q %d", ev.ToUserName, ev.MsgType, ev.CreateTime)
			}
		})
	}
}

func TestReceiverRejects(t *testing.T) {
	h := newReceiverHarness(t)
	ev := eventXML("<Event>change_external_contact</Event><ChangeType>add_external_contact</ChangeType><UserID>u</UserID><ExternalUserID>wm1</ExternalUserID>", 1700000000)
	ts := h.now.Unix()

	if status, _ := h.post(ev, ts, "first"); status != 200 {
		t.Fatalf("first delivery: %d", status)
	}
	body, sig, _ := h.crypt.SealMessage(ev, "1", strconv.FormatInt(ts, 10), "n2")
	q := url.Values{"msg_signature": {sig}, "timestamp": {strconv.FormatInt(ts, 10)}, "nonce": {"n2"}}
	otherEvent := eventXML("<Event>change_external_contact</Event><ChangeType>del_follow_user</ChangeType><UserID>u</UserID><ExternalUserID>wm1</ExternalUserID>", 1700000000)

	tests := []struct {
		name   string
		do     func() (int, string)
		status int
	}{
		// Handled already: answered as done, not handled again (the count below).
		{"same event, new nonce (WeCom retry or replay)", func() (int, string) { return h.post(ev, ts, "second") }, http.StatusOK},
		{"bad signature", func() (int, string) {
			qq := url.Values{"msg_signature": {flipHex(sig)}, "timestamp": q["timestamp"], "nonce": q["nonce"]}
			return h.raw(http.MethodPost, qq, body)
		}, http.StatusForbidden},
		{"stale timestamp", func() (int, string) { return h.post(otherEvent, ts-301, "old") }, http.StatusForbidden},
		{"future timestamp", func() (int, string) { return h.post(otherEvent, ts+301, "future") }, http.StatusForbidden},
		{"timestamp not a number", func() (int, string) {
			return h.raw(http.MethodPost, url.Values{"msg_signature": {sig}, "timestamp": {"soon"}, "nonce": {"n"}}, body)
		}, http.StatusBadRequest},
		{"missing signature", func() (int, string) {
			return h.raw(http.MethodPost, url.Values{"timestamp": q["timestamp"], "nonce": q["nonce"]}, body)
		}, http.StatusBadRequest},
		{"not xml", func() (int, string) { return h.raw(http.MethodPost, q, []byte("hello")) }, http.StatusBadRequest},
		{"too large", func() (int, string) { return h.raw(http.MethodPost, q, bytes.Repeat([]byte("a"), 9<<10)) }, http.StatusRequestEntityTooLarge},
		{"method", func() (int, string) { return h.raw(http.MethodPut, q, body) }, http.StatusMethodNotAllowed},
		{"other corp", func() (int, string) {
			other, _ := wxcrypt.New(cbToken, cbKey, "wwOTHERCORP")
			b, s, _ := other.SealMessage(otherEvent, "1", strconv.FormatInt(ts, 10), "oc")
			return h.raw(http.MethodPost, url.Values{"msg_signature": {s}, "timestamp": q["timestamp"], "nonce": {"oc"}}, b)
		}, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, b := tt.do()
			if status != tt.status {
				t.Errorf("status = %d, want %d", status, tt.status)
			}
			if strings.Contains(strings.ToLower(b), "signature") || strings.Contains(b, "wxcrypt") || strings.Contains(b, "timestamp") {
				t.Errorf("answer leaks detail: %q", b)
			}
		})
	}
	// Within the window the skew is accepted in both directions.
	if status, _ := h.post(otherEvent, ts-299, "edge"); status != 200 {
		t.Errorf("timestamp 299 s old: %d", status)
	}
	if n := len(h.received()); n != 2 {
		t.Errorf("handler ran %d times, want 2", n)
	}
}

func TestReceiverReplayOfSameRequest(t *testing.T) {
	h := newReceiverHarness(t)
	ev := eventXML("<Event>change_external_chat</Event><ChatId>wr1</ChatId><ChangeType>dismiss</ChangeType>", 1700000000)
	body, sig, _ := h.crypt.SealMessage(ev, "1", "1700000000", "n")
	q := url.Values{"msg_signature": {sig}, "timestamp": {"1700000000"}, "nonce": {"n"}}
	if status, _ := h.raw(http.MethodPost, q, body); status != 200 {
		t.Fatalf("first: %d", status)
	}
	if status, _ := h.raw(http.MethodPost, q, body); status != http.StatusOK {
		t.Fatalf("replay of a handled request: %d, want 200 (done, not handled again)", status)
	}
	if n := len(h.received()); n != 1 {
		t.Errorf("handler ran %d times", n)
	}
}

func TestReceiverHandlerFailureAllowsRetry(t *testing.T) {
	h := newReceiverHarness(t)
	h.fail = errors.New("database down")
	ev := eventXML("<Event>change_external_contact</Event><ChangeType>add_external_contact</ChangeType><UserID>u</UserID><ExternalUserID>wm9</ExternalUserID>", 1700000000)
	body, sig, _ := h.crypt.SealMessage(ev, "1", "1700000000", "n")
	q := url.Values{"msg_signature": {sig}, "timestamp": {"1700000000"}, "nonce": {"n"}}
	status, b := h.raw(http.MethodPost, q, body)
	if status != http.StatusInternalServerError || strings.Contains(b, "database") {
		t.Fatalf("failing handler: %d %q", status, b)
	}
	h.mu.Lock()
	h.fail = nil
	h.mu.Unlock()
	// WeCom retries the same request; it must not be taken for a replay.
	if status, _ := h.raw(http.MethodPost, q, body); status != 200 {
		t.Fatalf("retry after failure: %d, want 200", status)
	}
	if n := len(h.received()); n != 1 {
		t.Errorf("handler succeeded %d times", n)
	}
}

func TestReceiverPanicReleasesClaims(t *testing.T) {
	cr, _ := wxcrypt.New(cbToken, cbKey, testCorpID)
	guard := NewMemoryReplayGuard(0)
	rc := NewReceiver(cr, func(context.Context, Event) error { panic("boom") }, ReceiverOptions{ReplayGuard: guard, Now: func() time.Time { return time.Unix(1700000000, 0) }})
	ev := eventXML("<Event>change_external_chat</Event><ChatId>wr1</ChatId><ChangeType>create</ChangeType>", 1700000000)
	body, sig, _ := cr.SealMessage(ev, "1", "1700000000", "n")
	req := httptest.NewRequest(http.MethodPost, "/cb?"+url.Values{"msg_signature": {sig}, "timestamp": {"1700000000"}, "nonce": {"n"}}.Encode(), bytes.NewReader(body))
	func() {
		defer func() { _ = recover() }()
		rc.ServeHTTP(httptest.NewRecorder(), req)
	}()
	if guard.Len() != 0 {
		t.Errorf("%d claims left after a panic", guard.Len())
	}
}

func TestMemoryReplayGuard(t *testing.T) {
	g := NewMemoryReplayGuard(3)
	now := time.Unix(1700000000, 0)
	g.now = func() time.Time { return now }
	claim := func(k string) bool {
		ok, err := g.Claim(bg, k, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !claim("a") || claim("a") {
		t.Fatal("a claimed twice")
	}
	now = now.Add(61 * time.Second)
	if !claim("a") {
		t.Error("expired key not claimable")
	}
	claim("b")
	claim("c")
	claim("d") // evicts the oldest, a
	if g.Len() != 3 {
		t.Errorf("len = %d", g.Len())
	}
	if !claim("a") {
		t.Error("evicted key still held")
	}
	_ = g.Release(bg, "c")
	if !claim("c") {
		t.Error("released key still held")
	}
}

// A retry that arrives while the first delivery is still being handled
// gets 409, so that WeCom comes back if that one fails; once it is
// handled, retries are answered as done. The handler runs once.
func TestReceiverRetryDuringHandling(t *testing.T) {
	h := newReceiverHarness(t)
	h.gate, h.entered = make(chan struct{}), make(chan struct{}, 4)
	ev := eventXML("<Event>change_external_contact</Event><ChangeType>add_external_contact</ChangeType><UserID>u</UserID><ExternalUserID>wm7</ExternalUserID>", 1700000000)
	ts := h.now.Unix()
	first := make(chan int, 1)
	go func() {
		status, _ := h.post(ev, ts, "one")
		first <- status
	}()
	<-h.entered // the first delivery is being handled
	if status, _ := h.post(ev, ts, "two"); status != http.StatusConflict {
		t.Fatalf("retry during handling: %d, want 409", status)
	}
	close(h.gate)
	if status := <-first; status != http.StatusOK {
		t.Fatalf("first delivery: %d", status)
	}
	if status, _ := h.post(ev, ts, "three"); status != http.StatusOK {
		t.Fatalf("retry after handling: %d, want 200", status)
	}
	if n := len(h.received()); n != 1 {
		t.Fatalf("handler ran %d times", n)
	}
}
