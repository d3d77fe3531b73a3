package wecom

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testCorpID = "wwTESTCORP000001"
	testSecret = "s3cr3t-customer-contact"
)

// fakeWeCom is a minimal WeCom written for these tests: gettoken hands out
// numbered tokens, and each API path is answered by a function the test
// sets. It records what it received.
type fakeWeCom struct {
	t   *testing.T
	srv *httptest.Server

	tokenCalls atomic.Int32
	tokenDelay time.Duration
	tokenErr   atomic.Int32 // errcode gettoken answers with, 0 for success

	mu       sync.Mutex
	handlers map[string]func(r *http.Request, body []byte) (int, string)
	requests []recorded
}

type recorded struct {
	Method, Path, Token string
	Query               map[string][]string
	Body                []byte
}

func newFake(t *testing.T) *fakeWeCom {
	f := &fakeWeCom{t: t, handlers: make(map[string]func(*http.Request, []byte) (int, string))}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeWeCom) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.URL.Path == PathGetToken {
		n := f.tokenCalls.Add(1)
		if r.Method != http.MethodGet || r.URL.Query().Get("corpid") != testCorpID || r.URL.Query().Get("corpsecret") != testSecret {
			fmt.Fprint(w, `{"errcode":40013,"errmsg":"invalid corpid"}`)
			return
		}
		if f.tokenDelay > 0 {
			time.Sleep(f.tokenDelay)
		}
		if code := f.tokenErr.Load(); code != 0 {
			fmt.Fprintf(w, `{"errcode":%d,"errmsg":"invalid credential, hint: [x], from ip: 127.0.0.1"}`, code)
			return
		}
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","access_token":"token%d","expires_in":7200}`, n)
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, recorded{Method: r.Method, Path: r.URL.Path, Token: r.URL.Query().Get("access_token"), Query: r.URL.Query(), Body: body})
	h := f.handlers[r.URL.Path]
	f.mu.Unlock()
	if r.URL.Query().Get("access_token") == "" {
		fmt.Fprint(w, `{"errcode":41001,"errmsg":"access_token missing"}`)
		return
	}
	if h == nil {
		http.NotFound(w, r)
		return
	}
	status, out := h(r, body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, out)
}

func (f *fakeWeCom) handle(path string, h func(r *http.Request, body []byte) (int, string)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handlers[path] = h
}

// reply answers path with a fixed body.
func (f *fakeWeCom) reply(path, body string) {
	f.handle(path, func(*http.Request, []byte) (int, string) { return 200, body })
}

func (f *fakeWeCom) recorded() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.requests...)
}

// client returns a client of f with its own token cache, a generous
// limiter and fast retries.
func (f *fakeWeCom) client(t *testing.T) *Client {
	t.Helper()
	c, err := NewClient(Config{
		BaseURL: f.srv.URL,
		CorpID:  testCorpID,
		Secret:  testSecret,
		Tokens:  NewTokenCache(),
		Limiter: NewTokenBucket(TokenBucketConfig{PerMinute: 600000, Burst: 1000}),
		Retry:   RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// jsonEqual compares two JSON documents by value.
func jsonEqual(t *testing.T, got []byte, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Errorf("request body is not JSON: %v: %s", err, got)
		return false
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation %s: %v", want, err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	return string(gb) == string(wb)
}

var bg = context.Background()

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
