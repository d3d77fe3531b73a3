package wecom

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"siyu.dev/siyu/wecom/wxcrypt"
)

// FuzzReceiverEvent seals arbitrary inner XML correctly, so that the fuzzer
// reaches the event parser through the real signature and decryption path.
func FuzzReceiverEvent(f *testing.F) {
	cr, err := wxcrypt.New(cbToken, cbKey, testCorpID)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte("<xml><Event>change_external_contact</Event><ChangeType>add_external_contact</ChangeType><UserID>u</UserID></xml>"), "n")
	f.Add([]byte("<xml><MemChangeList><Item>a</Item></MemChangeList><JoinScene>x</JoinScene></xml>"), "")
	f.Add([]byte("<xml><xml><xml>"), "n")
	f.Add([]byte{}, "n")
	f.Fuzz(func(t *testing.T, inner []byte, nonce string) {
		handled := 0
		rc := NewReceiver(cr, func(context.Context, Event) error { handled++; return nil },
			ReceiverOptions{Now: func() time.Time { return time.Unix(1700000000, 0) }})
		body, sig, err := cr.SealMessage(inner, "1", "1700000000", nonce)
		if err != nil {
			t.Fatal(err)
		}
		q := url.Values{"msg_signature": {sig}, "timestamp": {"1700000000"}, "nonce": {nonce}}
		w := httptest.NewRecorder()
		rc.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/cb?"+q.Encode(), bytes.NewReader(body)))
		switch w.Code {
		case http.StatusOK:
			if handled != 1 {
				t.Fatalf("200 without the handler running")
			}
		case http.StatusBadRequest:
			if handled != 0 {
				t.Fatal("handler ran for a rejected event")
			}
			if nonce != "" {
				if _, err := ParseEvent(inner); err == nil {
					t.Fatalf("rejected an event that parses: %q", inner)
				}
			}
		default:
			t.Fatalf("status %d for a correctly sealed message", w.Code)
		}
	})
}

// FuzzReceiverRaw throws arbitrary queries and bodies at the receiver.
func FuzzReceiverRaw(f *testing.F) {
	cr, _ := wxcrypt.New(cbToken, cbKey, testCorpID)
	body, sig, _ := cr.SealMessage([]byte("<xml><Event>e</Event></xml>"), "1", "1700000000", "n")
	f.Add("POST", "msg_signature="+sig+"&timestamp=1700000000&nonce=n", body)
	f.Add("GET", "msg_signature=x&timestamp=1700000000&nonce=n&echostr=AAAA", []byte{})
	f.Add("POST", "timestamp=-9223372036854775808&nonce=n&msg_signature=x", []byte("<xml><Encrypt>AAAA</Encrypt></xml>"))
	f.Fuzz(func(t *testing.T, method, rawQuery string, body []byte) {
		if method != http.MethodGet && method != http.MethodPost {
			method = http.MethodPost
		}
		rc := NewReceiver(cr, func(context.Context, Event) error { return nil },
			ReceiverOptions{Now: func() time.Time { return time.Unix(1700000000, 0) }})
		req := httptest.NewRequest(method, "/cb", bytes.NewReader(body))
		req.URL.RawQuery = rawQuery
		w := httptest.NewRecorder()
		rc.ServeHTTP(w, req)
		if w.Code == http.StatusOK && method == http.MethodPost {
			// Only a correctly signed body can be accepted.
			q := req.URL.Query()
			plain, err := cr.DecryptMessage(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), body)
			if err != nil || plain == nil {
				t.Fatalf("accepted a POST that does not verify: %v", err)
			}
		}
	})
}
