package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
)

// TestNoSecretsOrPhonesInLogs runs a representative day through the whole
// program with its log at DEBUG — imports with phones (file and API),
// WeCom configured with its secret, token and AES key, callbacks, a
// campaign, logins (one with a wrong password, one with the password typed
// into the login field), API token use and a series of errors — and then
// looks for every secret and phone number in the log.
func TestNoSecretsOrPhonesInLogs(t *testing.T) {
	r := newRig(t)
	ctx := t.Context()
	secrets := map[string]string{
		"password":             sweepPassword,
		"WeCom secret":         r.a.app.Secret,
		"WeCom callback token": r.a.app.Token,
		"WeCom AES key":        r.a.app.EncodingAESKey,
	}
	for role, tok := range r.a.tokens {
		secrets["API token "+string(role)] = tok
	}
	// Phones as they were sent, and as the store normalises them.
	phones := map[string]string{
		"13900139000":       "13900139000", // the console upload
		"13500135000":       "13500135000", // a rejected row of the upload
		"+86 137-0013-7000": "13700137000", // the API, spelled loosely
		"13400134000":       "13400134000", // a malformed API request
		"13300133000":       "13300133000", // searches
		"13200132000":       "13200132000", // an event
	}

	// Logins: a wrong password, a password typed into the login field, a
	// good one.
	b := r.browser()
	for _, form := range []url.Values{
		{"login": {r.a.users[siyu.RoleAdmin].Login}, "password": {"wrong " + sweepPassword}},
		{"login": {sweepPassword}, "password": {sweepPassword}},
	} {
		p := b.do("GET", "/login", nil, nil)
		form.Set("csrf", csrfInput.FindStringSubmatch(p.body)[1])
		if p := b.do("POST", "/login", form, nil); p.status != http.StatusUnauthorized && p.status != http.StatusOK {
			t.Fatalf("failed login: %s", p)
		}
	}
	op := r.login(r.a.users[siyu.RoleOperator])
	admin := r.login(r.a.users[siyu.RoleAdmin])
	u, _ := url.Parse(r.ts.URL)
	for _, br := range []*browser{op, admin} {
		for _, ck := range br.hc.Jar.Cookies(u) {
			secrets["cookie "+ck.Name] = ck.Value
		}
		secrets["CSRF token"] = br.csrf
	}

	// The console upload, one row rejected.
	csv := sweepCSV + "youzan,YZ-901,paid,2026-06-02 10:00:00,2026-06-02 10:01:00,not-money,钱七,13500135000,,绿茶,1,1.00\n"
	if p := op.do("POST", "/import", url.Values{"format": {"generic"}, "file": {csv}}, nil); p.status != http.StatusOK {
		t.Fatalf("upload: %s", p)
	}
	// The same file in strict mode fails as a whole.
	op.do("POST", "/import", url.Values{"format": {"generic"}, "strict": {"1"}, "file": {csv}}, nil)
	// An upload named after a phone.
	op.do("POST", "/import", url.Values{"format": {"taobao"}, "file": {"13900139000"}}, nil)

	tok := r.a.tokens[siyu.RoleOperator]
	paid := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	r.api("POST", "/api/v1/orders", tok, fmt.Sprintf(`{"orders":[{"channel":"jd","external_id":"JD-1","status":"paid","placed_at":%q,"paid_at":%q,"amount_fen":100,"identifiers":[{"kind":"phone","value":"+86 137-0013-7000"}]}]}`, paid, paid))
	r.api("POST", "/api/v1/orders", tok, `{"orders":[{"channel":"jd","identifiers":[{"kind":"phone","value":"13400134000"}],"colour":"13400134000"}]}`)
	r.api("POST", "/api/v1/orders", tok, `{"orders":[{"channel":"jd","external_id":"JD-2","placed_at":"13400134000","identifiers":[{"kind":"phone","value":"13400134000"}]}]}`)
	r.api("POST", "/api/v1/events", tok, `{"events":[{"type":"page.viewed","identifiers":[{"kind":"phone","value":"13200132000"}]}]}`)
	r.api("GET", "/api/v1/customers?query=13300133000", tok, "")
	r.api("GET", "/api/v1/customers/13300133000", tok, "")
	r.api("GET", "/api/v1/customers?query=13300133000&limit=13300133000", tok, "")
	op.do("GET", "/customers?q=13300133000", nil, nil)
	op.do("GET", "/customers/13300133000", nil, nil)
	r.api("GET", "/api/v1/workspace", "siyu_"+strings.Repeat("x", 40), "")
	r.api("GET", "/api/v1/workspace", r.a.tokens[siyu.RoleAdmin]+"x", "")

	// WeCom: a channel code, a scan through it, the callbacks.
	if p := op.do("POST", "/codes", url.Values{"name": {"门店"}, "kind": {"channel"}, "state": {"store_log"}, "accounts": {"founder"}}, nil); p.status != http.StatusSeeOther {
		t.Fatalf("code: %s", p)
	}
	for i := range 3 {
		if _, err := r.emu.Scan("store_log", i); err != nil {
			t.Fatal(err)
		}
	}
	r.flushCallbacks()
	for _, u := range r.emu.Users() {
		if u.Phone != "" {
			phones[u.Phone] = u.Phone
		}
	}
	// A forged callback.
	r.send(http.DefaultClient, mustRequest(t, "POST", r.ts.URL+"/wecom/callback/alpha?msg_signature=x&timestamp=1&nonce=2", "<xml><Encrypt>bad</Encrypt></xml>"))

	// A campaign, planned and launched.
	var c struct {
		ID int64 `json:"id"`
	}
	r.apiJSON(r.a, "POST", "/api/v1/campaigns", map[string]any{"name": "上新", "audience": "all", "channel": "single",
		"send_at":  time.Now().Add(time.Hour).UTC().Truncate(time.Second),
		"variants": []map[string]any{{"name": "A", "weight": 1, "message": map[string]any{"text": "{{name}} 你好"}}}}, &c)
	r.api("POST", fmt.Sprintf("/api/v1/campaigns/%d/plan", c.ID), tok, "")
	r.api("POST", fmt.Sprintf("/api/v1/campaigns/%d/launch", c.ID), tok, "")

	// A token made and revoked in the console: its secret is on the page.
	p := admin.do("POST", "/settings/tokens", url.Values{"name": {"sync"}, "role": {"operator"}}, nil)
	if m := regexp.MustCompile(`(siyu_[A-Za-z0-9_-]{20,})`).FindStringSubmatch(p.body); m != nil {
		secrets["console-made API token"] = m[1]
	} else {
		t.Fatalf("token page: %s", p)
	}
	admin.do("POST", "/logout", nil, nil)
	_ = ctx

	logs := r.logs.String()
	if len(logs) < 1000 {
		t.Fatalf("the log is nearly empty (%d bytes): the test sees nothing", len(logs))
	}
	for what, s := range secrets {
		if s != "" && strings.Contains(logs, s) {
			t.Errorf("the %s is in the log:\n%s", what, lineWith(logs, s))
		}
	}
	digits := regexp.MustCompile(`[\s\-+]`).ReplaceAllString(logs, "")
	for sent, norm := range phones {
		if strings.Contains(logs, sent) || strings.Contains(digits, norm) {
			t.Errorf("phone %s is in the log:\n%s", sent, lineWith(logs, norm))
		}
	}

	// PII at rest: no phone in clear in the database file (nor its WAL).
	if strings.Contains(r.dsn, "://") {
		t.Log("PostgreSQL: the file scan is SQLite only")
		return
	}
	r.st.Close()
	var raw []byte
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(r.dsn + suffix)
		if err == nil {
			raw = append(raw, b...)
		}
	}
	if len(raw) < 10000 {
		t.Fatalf("database file: %d bytes", len(raw))
	}
	for sent, norm := range phones {
		if strings.Contains(string(raw), norm) {
			t.Errorf("phone %s is stored in clear in the database file", sent)
		}
	}
	for _, what := range []string{"WeCom secret", "WeCom callback token", "WeCom AES key", "password"} {
		if strings.Contains(string(raw), secrets[what]) {
			t.Errorf("the %s is stored in clear in the database file", what)
		}
	}
	for role, tok := range r.a.tokens {
		if strings.Contains(string(raw), tok) {
			t.Errorf("the %s API token is stored in clear", role)
		}
	}
}

func mustRequest(t *testing.T, method, url, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// lineWith returns the log lines containing s (digits compared loosely).
func lineWith(logs, s string) string {
	var out []string
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, s) || strings.Contains(regexp.MustCompile(`[\s\-+]`).ReplaceAllString(l, ""), s) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
