package web_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/analytics"
	"siyu.dev/siyu/auth"
	"siyu.dev/siyu/orderfile"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
	"siyu.dev/siyu/web"
)

var (
	_ web.Store           = (*store.Store)(nil)
	_ web.AnalyticsSource = (*analytics.Service)(nil)
)

const testPassword = "correct-horse-42"

// fixture is a console on loopback over a real store with two workspaces:
// brand A has an admin, an operator and an analyst; brand B has its own
// admin. The admin of A is also an analyst of B.
type fixture struct {
	t      *testing.T
	store  *store.Store
	srv    *httptest.Server
	wsA    siyu.Workspace
	wsB    siyu.Workspace
	logins map[string]siyu.User
}

// passwordHash is computed once: bcrypt is slow on purpose.
var passwordHash = func() string {
	h, err := auth.HashPassword(testPassword)
	if err != nil {
		panic(err)
	}
	return h
}()

func newFixture(t *testing.T) *fixture { return newFixtureWith(t, false, nil) }

// newFixtureTLS serves the console over https with Secure cookies when tls is
// set.
func newFixtureTLS(t *testing.T, tls bool) *fixture { return newFixtureWith(t, tls, nil) }

// newFixtureWith lets a test change the console's configuration (to leave
// out an optional part) before the console is built.
func newFixtureWith(t *testing.T, tls bool, configure func(*web.Config)) *fixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t)
	f := &fixture{t: t, store: st, logins: map[string]siyu.User{}}
	var err error
	if f.wsA, err = st.CreateWorkspace(ctx, "brand-a", "品牌甲"); err != nil {
		t.Fatal(err)
	}
	if f.wsB, err = st.CreateWorkspace(ctx, "brand-b", "品牌乙"); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		login string
		ws    siyu.Workspace
		role  siyu.Role
	}{
		{"admin", f.wsA, siyu.RoleAdmin},
		{"operator", f.wsA, siyu.RoleOperator},
		{"analyst", f.wsA, siyu.RoleAnalyst},
		{"bob", f.wsB, siyu.RoleAdmin},
	} {
		user, err := st.CreateUser(ctx, u.login, "用户 "+u.login, passwordHash)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SetMembership(ctx, u.ws.ID, user.ID, u.role); err != nil {
			t.Fatal(err)
		}
		f.logins[u.login] = user
	}
	if err := st.SetMembership(ctx, f.wsB.ID, f.logins["admin"].ID, siyu.RoleAnalyst); err != nil {
		t.Fatal(err)
	}
	cfg := web.Config{
		Store:         st,
		Import:        testImporter(st),
		Codes:         codeCreator{st},
		Contacts:      contactLister(st),
		Analytics:     analytics.NewService(st),
		SecureCookies: tls,
		Logger:        slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	if configure != nil {
		configure(&cfg)
	}
	c, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if tls {
		f.srv = httptest.NewTLSServer(c)
	} else {
		f.srv = httptest.NewServer(c)
	}
	t.Cleanup(f.srv.Close)
	return f
}

type testWriter struct{ t *testing.T }

// codeCreator does what the WeCom service does once WeCom has made the
// contact way: it stores the code and the QR link. Like the service, it
// refuses workspaces that have no WeCom app.
type codeCreator struct{ st *store.Store }

func (c codeCreator) CreateChannelCode(ctx context.Context, ws int64, code siyu.ChannelCode) (siyu.ChannelCode, error) {
	if _, err := c.st.WeComApp(ctx, ws); err != nil {
		return code, fmt.Errorf("workspace %d has no WeCom app: %w", ws, err)
	}
	created, err := c.st.CreateChannelCode(ctx, ws, code)
	if err != nil {
		return created, err
	}
	created.ConfigID = "cfg-" + created.State
	created.QRCode = "https://qr.example.com/" + url.PathEscape(created.State) + ".png"
	return created, c.st.SetChannelCodeWeCom(ctx, ws, created.ID, created.ConfigID, created.QRCode)
}

// contactLister is the console's contact list over the store, as the
// server wires it.
func contactLister(st *store.Store) web.ContactLister {
	return func(ctx context.Context, ws int64, state string, accountID int64, deleted *bool, limit, offset int) ([]web.ContactListItem, int, error) {
		p, err := st.ListContacts(ctx, ws, store.ContactQuery{State: state, AccountID: accountID, Deleted: deleted, Limit: limit, Offset: offset})
		if err != nil {
			return nil, 0, err
		}
		items := make([]web.ContactListItem, len(p.Contacts))
		for i, r := range p.Contacts {
			items[i] = web.ContactListItem(r)
		}
		return items, p.Total, nil
	}
}

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// testImporter reads the file with orderfile and stores the good rows, as
// the real importer does; in strict mode a bad row stops the file.
func testImporter(st *store.Store) web.ImportFunc {
	return func(ctx context.Context, ws int64, format, filename string, r io.Reader, strict bool) (siyu.ImportResult, error) {
		ff, err := orderfile.ParseFormat(format)
		if err != nil {
			return siyu.ImportResult{}, err
		}
		rd, err := orderfile.NewReader(r, ff)
		if err != nil {
			return siyu.ImportResult{}, err
		}
		var rows []siyu.OrderInput
		var bad []siyu.RowError
		for {
			o, err := rd.Next()
			if err == io.EOF {
				break
			}
			var re siyu.RowError
			if errors.As(err, &re) {
				re.File = filename
				bad = append(bad, re)
				continue
			}
			if err != nil {
				return siyu.ImportResult{}, err
			}
			rows = append(rows, o)
		}
		if strict && len(bad) > 0 {
			res := siyu.ImportResult{Rows: len(rows) + len(bad), Rejected: len(rows) + len(bad), Errors: bad}
			return res, fmt.Errorf("%w: %d bad rows, nothing imported", siyu.ErrInvalid, len(bad))
		}
		res, err := st.ImportOrders(ctx, ws, rows, "import:"+filename)
		res.Rows += len(bad)
		res.Rejected += len(bad)
		res.Errors = append(bad, res.Errors...)
		return res, err
	}
}

// client is one browser: a cookie jar, no automatic redirects, and the
// Origin header a browser sends with a form post.
type client struct {
	f    *fixture
	http *http.Client
}

func (f *fixture) client() *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return &client{f: f, http: &http.Client{
		Transport:     f.srv.Client().Transport,
		Jar:           jar,
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// page is a response with its body read.
type page struct {
	status int
	header http.Header
	body   string
}

func (p page) location() string { return p.header.Get("Location") }

func (c *client) do(req *http.Request) page {
	c.f.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.f.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.f.t.Fatal(err)
	}
	return page{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (c *client) get(path string) page {
	c.f.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.f.srv.URL+path, nil)
	if err != nil {
		c.f.t.Fatal(err)
	}
	return c.do(req)
}

// post sends a form from a page of the site (Origin set like a browser).
func (c *client) post(path string, form url.Values) page {
	c.f.t.Helper()
	return c.postWith(path, form, map[string]string{"Origin": c.f.srv.URL})
}

func (c *client) postWith(path string, form url.Values, headers map[string]string) page {
	c.f.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.f.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.f.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return c.do(req)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfOf returns the CSRF token of the first form on the page.
func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf field on the page:\n%s", body)
	}
	return html.UnescapeString(m[1])
}

// login logs the client in and fails the test if that does not work.
func (c *client) login(login string) {
	c.f.t.Helper()
	p := c.tryLogin(login, testPassword)
	if p.status != http.StatusSeeOther || p.location() != "/customers" {
		c.f.t.Fatalf("login %s: status %d, location %q\n%s", login, p.status, p.location(), p.body)
	}
}

func (c *client) tryLogin(login, password string) page {
	c.f.t.Helper()
	form := c.get("/login")
	if form.status != http.StatusOK {
		c.f.t.Fatalf("GET /login: %d", form.status)
	}
	return c.post("/login", url.Values{"csrf": {csrfOf(c.f.t, form.body)}, "login": {login}, "password": {password}})
}

// csrf returns the session's token, read from a page.
func (c *client) csrf() string {
	c.f.t.Helper()
	p := c.get("/customers")
	if p.status != http.StatusOK {
		c.f.t.Fatalf("GET /customers: %d", p.status)
	}
	return csrfOf(c.f.t, p.body)
}

// upload posts a file to the import page like the browser form does.
func (c *client) upload(csrf, format string, strict bool, filename, content string) page {
	c.f.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if csrf != "" {
		mw.WriteField("csrf", csrf)
	}
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		c.f.t.Fatal(err)
	}
	io.WriteString(fw, content)
	mw.WriteField("format", format)
	if strict {
		mw.WriteField("strict", "1")
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.f.srv.URL+"/import", &buf)
	if err != nil {
		c.f.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.f.srv.URL)
	return c.do(req)
}

func mustContain(t *testing.T, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	if t.Failed() {
		t.Logf("page:\n%s", body)
	}
}

func mustNotContain(t *testing.T, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("page contains %q", w)
		}
	}
}

// seedOrders stores orders through the store, as an import would. Three
// orders: two customers, then an order that links them (one merge), plus a
// customer of its own.
func (f *fixture) seedOrders(ws siyu.Workspace, suffix string) siyu.ImportResult {
	f.t.Helper()
	at := func(s string) *time.Time {
		t, err := time.ParseInLocation("2006-01-02 15:04", s, siyu.Shanghai)
		if err != nil {
			f.t.Fatal(err)
		}
		return &t
	}
	rows := []siyu.OrderInput{
		{
			Channel: siyu.ChannelTaobao, ExternalID: "TB1" + suffix, Status: siyu.StatusCompleted,
			PlacedAt: *at("2026-03-01 10:00"), PaidAt: at("2026-03-01 10:05"), Amount: 123450,
			BuyerName: "王小明",
			Identifiers: []siyu.Identifier{
				{Kind: siyu.KindTaobaoNick, Value: "xiaoming" + suffix},
				{Kind: siyu.KindPhone, Value: "13800138000"},
			},
			Items: []siyu.OrderItem{{Title: "桂花乌龙茶 礼盒", Quantity: 2, Price: 61725}},
		},
		{
			Channel: siyu.ChannelJD, ExternalID: "JD1" + suffix, Status: siyu.StatusPaid,
			PlacedAt: *at("2026-04-02 20:30"), PaidAt: at("2026-04-02 20:31"), Amount: 9900, Refund: 1000,
			BuyerName:   "王小明",
			Identifiers: []siyu.Identifier{{Kind: siyu.KindJDBuyerID, Value: "jd-wang" + suffix}, {Kind: siyu.KindMemberNo, Value: "M-001" + suffix}},
		},
		{
			Channel: siyu.ChannelYouzan, ExternalID: "YZ1" + suffix, Status: siyu.StatusPaid,
			PlacedAt: *at("2026-05-03 09:00"), PaidAt: at("2026-05-03 09:01"), Amount: 5000,
			Identifiers: []siyu.Identifier{{Kind: siyu.KindPhone, Value: "13800138000"}, {Kind: siyu.KindMemberNo, Value: "M-001" + suffix}},
		},
		{
			Channel: siyu.ChannelTmall, ExternalID: "TM9" + suffix, Status: siyu.StatusPaid,
			PlacedAt: *at("2026-05-10 12:00"), PaidAt: at("2026-05-10 12:00"), Amount: 20000,
			BuyerName:   "李华",
			Identifiers: []siyu.Identifier{{Kind: siyu.KindTaobaoNick, Value: "lihua" + suffix}},
		},
	}
	// The linking order comes in a later batch, so that it merges two
	// existing customers instead of creating one.
	ctx := context.Background()
	first, err := f.store.ImportOrders(ctx, ws.ID, []siyu.OrderInput{rows[0], rows[1], rows[3]}, "test")
	if err != nil {
		f.t.Fatal(err)
	}
	res, err := f.store.ImportOrders(ctx, ws.ID, rows[2:3], "import:link.csv line 2")
	if err != nil {
		f.t.Fatal(err)
	}
	if first.Rejected != 0 || first.NewCustomers != 3 || res.Rejected != 0 || res.Merges != 1 {
		f.t.Fatalf("seed: %+v then %+v", first, res)
	}
	return res
}

// customerID finds the customer that a query names.
func (f *fixture) customerID(ws siyu.Workspace, q string) int64 {
	f.t.Helper()
	p, err := f.store.SearchCustomers(context.Background(), ws.ID, siyu.CustomerQuery{Query: q, Limit: 5})
	if err != nil {
		f.t.Fatal(err)
	}
	if len(p.Customers) != 1 {
		f.t.Fatalf("search %q: %d customers", q, len(p.Customers))
	}
	return p.Customers[0].ID
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// seedMany stores n one-order customers.
func (f *fixture) seedMany(ws siyu.Workspace, n int) {
	f.t.Helper()
	placed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var rows []siyu.OrderInput
	for i := range n {
		at := placed.Add(time.Duration(i) * time.Hour)
		rows = append(rows, siyu.OrderInput{
			Channel: siyu.ChannelOffline, ExternalID: fmt.Sprintf("OFF-%03d", i), Status: siyu.StatusPaid,
			PlacedAt: at, PaidAt: &at, Amount: siyu.Fen(100 * (i + 1)), BuyerName: fmt.Sprintf("顾客%03d", i),
			Identifiers: []siyu.Identifier{{Kind: siyu.KindMemberNo, Value: fmt.Sprintf("MEM-%03d", i)}},
		})
	}
	if _, err := f.store.ImportOrders(context.Background(), ws.ID, rows, "test"); err != nil {
		f.t.Fatal(err)
	}
}

// mergedIDOf returns the customer merged into survivor.
func (f *fixture) mergedIDOf(survivor int64) int64 {
	f.t.Helper()
	v, err := f.store.Customer360(context.Background(), f.wsA.ID, survivor)
	if err != nil || len(v.Merges) != 1 {
		f.t.Fatalf("merges of %d: %v %v", survivor, v.Merges, err)
	}
	return v.Merges[0].MergedID
}
