package emulator

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/wecom"
	"siyu.dev/siyu/wecom/wxcrypt"
)

// t0 is the frozen base time of the tests: a Tuesday morning in Shanghai.
var t0 = time.Date(2026, 3, 10, 10, 0, 0, 0, siyu.Shanghai)

// env is an emulator behind a real HTTP server on loopback.
type env struct {
	t   *testing.T
	emu *Emulator
	srv *httptest.Server
	tok string
}

// newEnv starts an emulator with a quiet population of 20 users on a frozen
// clock; configure adjusts the Config first.
func newEnv(t *testing.T, configure func(*Config)) *env {
	t.Helper()
	pol := DefaultPolicy()
	pop := Quiet(20)
	cfg := Config{Seed: 1, Now: func() time.Time { return t0 }, Policy: &pol, Population: &pop}
	if configure != nil {
		configure(&cfg)
	}
	emu := New(cfg)
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(func() {
		srv.Close()
		emu.Close()
	})
	return &env{t: t, emu: emu, srv: srv}
}

// token returns a valid access_token, fetched once.
func (v *env) token() string {
	v.t.Helper()
	if v.tok == "" {
		var resp wecom.GetTokenResponse
		q := url.Values{"corpid": {v.emu.CorpID()}, "corpsecret": {v.emu.Secret()}}
		if code := v.call(http.MethodGet, wecom.PathGetToken, q, nil, &resp); code != 0 {
			v.t.Fatalf("gettoken: errcode %d", code)
		}
		v.tok = resp.AccessToken
	}
	return v.tok
}

// call does one request and decodes the answer into out; it returns the
// errcode, or fails the test on a transport error or a non-JSON answer.
func (v *env) call(method, path string, q url.Values, body, out any) int {
	v.t.Helper()
	u := v.srv.URL + path
	if q != nil {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			v.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		v.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		v.t.Fatal(err)
	}
	var base wecom.Response
	if err := json.Unmarshal(raw, &base); err != nil {
		v.t.Fatalf("%s %s: HTTP %d, not JSON: %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			v.t.Fatalf("%s: %v in %s", path, err, raw)
		}
	}
	if base.ErrMsg == "" {
		v.t.Errorf("%s: answer without errmsg: %s", path, raw)
	}
	return base.ErrCode
}

// get calls a GET endpoint with the access token.
func (v *env) get(path string, q url.Values, out any) int {
	v.t.Helper()
	if q == nil {
		q = url.Values{}
	}
	q.Set("access_token", v.token())
	return v.call(http.MethodGet, path, q, nil, out)
}

// post calls a POST endpoint with the access token.
func (v *env) post(path string, body, out any) int {
	v.t.Helper()
	return v.call(http.MethodPost, path, url.Values{"access_token": {v.token()}}, body, out)
}

// mustPost fails the test unless the call succeeds.
func (v *env) mustPost(path string, body, out any) {
	v.t.Helper()
	if code := v.post(path, body, out); code != 0 {
		v.t.Fatalf("%s: errcode %d", path, code)
	}
}

// addContactWay creates a QR contact way for member with state.
func (v *env) addContactWay(member, state string) string {
	v.t.Helper()
	var resp wecom.AddContactWayResponse
	v.mustPost(wecom.PathAddContactWay, wecom.AddContactWayRequest{
		Type: wecom.ContactWayTypeSingle, Scene: wecom.SceneQRCode, State: state, User: []string{member},
	}, &resp)
	return resp.ConfigID
}

func (v *env) flush() {
	v.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := v.emu.Flush(ctx); err != nil {
		v.t.Fatal(err)
	}
}

// receiver is a callback endpoint that checks every push with wxcrypt, as a
// real app does.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	cfg    CallbackConfig
	crypt  *wxcrypt.Crypt
	failN  atomic.Int32 // answer this many next pushes with HTTP 500
	quiet  bool         // failures to verify are expected
	mu     sync.Mutex
	events []wecom.Event
	posts  int
}

func newReceiver(t *testing.T, corpID string) *receiver {
	t.Helper()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	r := &receiver{t: t, cfg: CallbackConfig{Token: "cb-token", EncodingAESKey: base64.StdEncoding.EncodeToString(key)[:43]}}
	var err error
	if r.crypt, err = wxcrypt.New(r.cfg.Token, r.cfg.EncodingAESKey, corpID); err != nil {
		t.Fatal(err)
	}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	r.cfg.URL = r.srv.URL + "/wecom/callback"
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	q := req.URL.Query()
	if req.Method == http.MethodGet {
		plain, err := r.crypt.VerifyURL(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), q.Get("echostr"))
		if err != nil {
			if !r.quiet {
				r.t.Errorf("URL verification: %v", err)
			}
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		_, _ = w.Write(plain)
		return
	}
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.posts++
	r.mu.Unlock()
	if r.failN.Add(-1) >= 0 {
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	msg, err := r.crypt.DecryptMessage(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), body)
	if err != nil {
		r.t.Errorf("callback does not verify: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ev, err := wecom.ParseEvent(msg)
	if err != nil {
		r.t.Errorf("callback XML: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
}

func (r *receiver) received() []wecom.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]wecom.Event(nil), r.events...)
}
