package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/auth"
	"siyu.dev/siyu/emulator"
	"siyu.dev/siyu/server"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

// The security sweeps run the whole program (API, console, callbacks) as
// `siyu serve` assembles it, over a real store, with the WeCom emulator
// behind workspace A so that routes that talk to WeCom can succeed.

const sweepPassword = "correct horse battery staple 42"

// syncBuffer collects log output written from server goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type rig struct {
	t    *testing.T
	st   *store.Store
	dsn  string // the SQLite file, or a PostgreSQL URL
	srv  *server.Server
	ts   *httptest.Server
	emu  *emulator.Emulator
	logs *syncBuffer
	a, b *tenant
}

// tenant is one workspace with an API token and a console user per role.
type tenant struct {
	ws     siyu.Workspace
	tokens map[siyu.Role]string
	users  map[siyu.Role]siyu.User
	app    siyu.WeComApp // zero when WeCom is not configured
}

func newRig(t *testing.T) *rig {
	t.Helper()
	st, dsn := storetest.OpenDSN(t)
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := server.New(server.Config{Store: st, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	r := &rig{t: t, st: st, dsn: dsn, srv: srv, ts: ts, logs: logs}
	r.a = r.tenant("alpha")
	r.b = r.tenant("bravo")
	r.connectWeCom(r.a)
	return r
}

func (r *rig) tenant(slug string) *tenant {
	r.t.Helper()
	ctx := context.Background()
	ws, err := r.st.CreateWorkspace(ctx, slug, "品牌 "+slug)
	if err != nil {
		r.t.Fatal(err)
	}
	tn := &tenant{ws: ws, tokens: map[siyu.Role]string{}, users: map[siyu.Role]siyu.User{}}
	hash, err := auth.HashPassword(sweepPassword)
	if err != nil {
		r.t.Fatal(err)
	}
	for _, role := range []siyu.Role{siyu.RoleAdmin, siyu.RoleOperator, siyu.RoleAnalyst} {
		secret := auth.NewToken("siyu_")
		if _, err := r.st.CreateAPIToken(ctx, ws.ID, string(role)+" token", role, auth.HashToken(secret), auth.TokenPrefix(secret)); err != nil {
			r.t.Fatal(err)
		}
		tn.tokens[role] = secret
		u, err := r.st.CreateUser(ctx, slug+"-"+string(role), slug+" "+string(role), hash)
		if err != nil {
			r.t.Fatal(err)
		}
		if err := r.st.SetMembership(ctx, ws.ID, u.ID, role); err != nil {
			r.t.Fatal(err)
		}
		tn.users[role] = u
	}
	return tn
}

// connectWeCom puts the emulator behind a workspace, as `siyu wecom
// configure` and the first sync would.
func (r *rig) connectWeCom(tn *tenant) {
	r.t.Helper()
	ctx := context.Background()
	pop := emulator.Quiet(20)
	emu := emulator.New(emulator.Config{Seed: 3, Population: &pop})
	r.t.Cleanup(emu.Close)
	wx := httptest.NewServer(emu.Handler())
	r.t.Cleanup(wx.Close)
	key := make([]byte, 32)
	rand.Read(key)
	tn.app = siyu.WeComApp{CorpID: emu.CorpID(), Secret: emu.Secret(), BaseURL: wx.URL, Token: "sweepCallbackToken",
		EncodingAESKey: strings.TrimRight(base64.StdEncoding.EncodeToString(key), "=")}
	if err := r.srv.WeCom().Configure(ctx, tn.ws.ID, tn.app); err != nil {
		r.t.Fatal(err)
	}
	if err := emu.SetCallback(ctx, &emulator.CallbackConfig{URL: r.ts.URL + "/wecom/callback/" + tn.ws.Slug, Token: tn.app.Token, EncodingAESKey: tn.app.EncodingAESKey}); err != nil {
		r.t.Fatal(err)
	}
	if _, err := r.srv.WeCom().FullSync(ctx, tn.ws.ID, nil); err != nil {
		r.t.Fatal(err)
	}
	r.emu = emu
}

type reply struct {
	status   int
	location string
	body     string
	header   http.Header
}

func (p reply) String() string {
	b := p.body
	if len(b) > 400 {
		b = b[:400] + "…"
	}
	return fmt.Sprintf("%d %s", p.status, strings.TrimSpace(b))
}

// api sends one API request; body "" sends none.
func (r *rig) api(method, path, token, body string) reply {
	r.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, r.ts.URL+path, rd)
	if err != nil {
		r.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return r.send(http.DefaultClient, req)
}

func (r *rig) send(hc *http.Client, req *http.Request) reply {
	r.t.Helper()
	resp, err := hc.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		r.t.Fatal(err)
	}
	return reply{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(b), header: resp.Header}
}

// apiJSON sends v as JSON with the admin token and decodes a 2xx answer.
func (r *rig) apiJSON(tn *tenant, method, path string, in, out any) {
	r.t.Helper()
	body := ""
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			r.t.Fatal(err)
		}
		body = string(b)
	}
	p := r.api(method, path, tn.tokens[siyu.RoleAdmin], body)
	if p.status/100 != 2 {
		r.t.Fatalf("%s %s: %s", method, path, p)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(p.body), out); err != nil {
			r.t.Fatalf("%s %s: %v in %s", method, path, err, p.body)
		}
	}
}

// browser is a console user's browser: cookies, no redirects followed.
type browser struct {
	r    *rig
	hc   *http.Client
	csrf string
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (r *rig) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{r: r, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// login logs in with the login form and picks up the session's CSRF token.
func (r *rig) login(u siyu.User) *browser {
	r.t.Helper()
	b := r.browser()
	p := b.do("GET", "/login", nil, nil)
	m := csrfInput.FindStringSubmatch(p.body)
	if m == nil {
		r.t.Fatalf("no CSRF token on the login page: %s", p)
	}
	p = b.do("POST", "/login", url.Values{"csrf": {m[1]}, "login": {u.Login}, "password": {sweepPassword}}, nil)
	if p.status != http.StatusSeeOther {
		r.t.Fatalf("login %s: %s", u.Login, p)
	}
	p = b.do("GET", "/customers", nil, nil)
	m = csrfInput.FindStringSubmatch(p.body)
	if m == nil {
		r.t.Fatalf("no CSRF token after login: %s", p)
	}
	b.csrf = m[1]
	return b
}

// do sends a console request. A form is posted with the session's CSRF
// token unless it sets "csrf" itself (to "" for none), from this site's
// origin unless headers say otherwise.
func (b *browser) do(method, path string, form url.Values, headers map[string]string) reply {
	b.r.t.Helper()
	var rd io.Reader
	contentType := "application/x-www-form-urlencoded"
	if method != "GET" && method != "HEAD" {
		v := url.Values{}
		for k, vs := range form {
			v[k] = vs
		}
		if _, set := v["csrf"]; !set && b.csrf != "" {
			v.Set("csrf", b.csrf)
		}
		if v.Get("csrf") == "" {
			v.Del("csrf")
		}
		rd = strings.NewReader(v.Encode())
		if path == "/import" {
			rd, contentType = importUpload(v)
		}
	}
	req, err := http.NewRequest(method, b.r.ts.URL+path, rd)
	if err != nil {
		b.r.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Origin", b.r.ts.URL)
	}
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	return b.r.send(b.hc, req)
}

// auditCount is the number of audit rows of a workspace.
func (r *rig) auditRows(ws int64) []store.AuditEntry {
	r.t.Helper()
	es, err := r.st.AuditLog(context.Background(), ws, store.AuditFilter{Limit: 1000})
	if err != nil {
		r.t.Fatal(err)
	}
	return es
}

// flushCallbacks waits until the emulator delivered its callbacks.
func (r *rig) flushCallbacks() {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.emu.Flush(ctx); err != nil {
		r.t.Fatal(err)
	}
}

// sweepCSV is a small generic order file with phones in it.
const sweepCSV = "channel,external_id,status,placed_at,paid_at,amount,name,phone,member_no,item_title,quantity,item_price\n" +
	"youzan,YZ-900,paid,2026-06-01 10:00:00,2026-06-01 10:01:00,88.00,赵六,13900139000,,红茶,1,88.00\n"

// importUpload is the import form as a browser sends it: the fields, then
// the file (the form's "file" value, or sweepCSV).
func importUpload(form url.Values) (io.Reader, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, k := range []string{"csrf", "format", "strict"} {
		if v := form.Get(k); v != "" {
			w.WriteField(k, v)
		}
	}
	content := form.Get("file")
	if content == "" {
		content = sweepCSV
	}
	fw, _ := w.CreateFormFile("file", "orders.csv")
	io.WriteString(fw, content)
	w.Close()
	return &buf, w.FormDataContentType()
}

// actedBy counts audit rows of a workspace by a console user or an API token.
func (r *rig) actedBy(ws int64, userID int64, tokenSecret string) int {
	r.t.Helper()
	n := 0
	prefix := ""
	if tokenSecret != "" {
		prefix = auth.TokenPrefix(tokenSecret)
	}
	for _, e := range r.auditRows(ws) {
		if (userID != 0 && e.UserID == userID) || (prefix != "" && strings.Contains(e.Actor, prefix)) {
			n++
		}
	}
	return n
}
