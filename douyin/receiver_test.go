package douyin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

type recorder struct {
	mu   sync.Mutex
	evs  []Event
	fail bool
}

func (r *recorder) handle(_ context.Context, ev Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return errors.New("store down")
	}
	r.evs = append(r.evs, ev)
	return nil
}

func post(t *testing.T, url string, body []byte, sig, msgID string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set(HeaderSignature, sig)
	}
	if msgID != "" {
		req.Header.Set(HeaderMsgID, msgID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(res.Body)
	return res.StatusCode, buf.Bytes()
}

func TestReceiver(t *testing.T) {
	const secret = "client-secret"
	rec := &recorder{}
	srv := httptest.NewServer(NewReceiver(secret, rec.handle, ReceiverOptions{}))
	defer srv.Close()

	verify := []byte(`{"event":"verify_webhook","client_key":"ck","content":{"challenge":987654321}}`)
	status, body := post(t, srv.URL, verify, Sign(secret, verify), "")
	var ch map[string]json.Number
	if status != 200 || json.Unmarshal(body, &ch) != nil || ch["challenge"] != "987654321" {
		t.Fatalf("verify: %d %s", status, body)
	}

	comment := []byte(`{"event":"item_comment_reply","from_user_id":"u1","content":{"comment_id":"c1","reply_to_item_id":"v1","content":"求电子版"}}`)
	if status, _ := post(t, srv.URL, comment, Sign(secret, comment), "m-1"); status != 200 {
		t.Fatalf("signed comment: %d", status)
	}
	tampered := bytes.Replace(comment, []byte("求电子版"), []byte("求资料！"), 1)
	if status, _ := post(t, srv.URL, tampered, Sign(secret, comment), "m-2"); status != http.StatusUnauthorized {
		t.Fatalf("tampered comment: %d", status)
	}
	if status, _ := post(t, srv.URL, comment, "", "m-3"); status != http.StatusUnauthorized {
		t.Fatalf("unsigned comment: %d", status)
	}
	if status, _ := post(t, srv.URL, comment, Sign(secret, comment), "m-1"); status != 200 {
		t.Fatalf("retried comment: %d", status)
	}
	if len(rec.evs) != 1 || rec.evs[0].MsgID != "m-1" {
		t.Fatalf("handled %d events: %+v", len(rec.evs), rec.evs)
	}

	// A failed handling is retried by Douyin and then taken.
	rec.fail = true
	msg := []byte(`{"event":"im_receive_msg","from_user_id":"u1","content":{"conversation_short_id":"cv","server_message_id":"s1"}}`)
	if status, _ := post(t, srv.URL, msg, Sign(secret, msg), "m-4"); status != 500 {
		t.Fatalf("failing handler: %d", status)
	}
	rec.fail = false
	if status, _ := post(t, srv.URL, msg, Sign(secret, msg), "m-4"); status != 200 || len(rec.evs) != 2 {
		t.Fatalf("retry after failure: %d, %d events", status, len(rec.evs))
	}

	bad := []byte(`{"content":{}}`)
	if status, _ := post(t, srv.URL, bad, Sign(secret, bad), "m-5"); status != 400 {
		t.Fatalf("malformed: %d", status)
	}
	res, _ := http.Get(srv.URL)
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d", res.StatusCode)
	}
}
