package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"siyu.dev/siyu"
)

func (f *fixture) tokenCount(ws siyu.Workspace) int {
	f.t.Helper()
	toks, err := f.store.ListAPITokens(context.Background(), ws.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return len(toks)
}

func TestCSRFRejection(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client()
	c.login("admin")
	tok := c.csrf()
	form := func(csrf string) url.Values {
		v := url.Values{"name": {"同步"}, "role": {"operator"}}
		if csrf != "" {
			v.Set("csrf", csrf)
		}
		return v
	}
	for _, tc := range []struct {
		name    string
		form    url.Values
		headers map[string]string
	}{
		{"missing token", form(""), map[string]string{"Origin": f.srv.URL}},
		{"wrong token", form(tok[:len(tok)-2] + "xx"), map[string]string{"Origin": f.srv.URL}},
		{"token of another session", form(f.loggedIn("operator").csrf()), map[string]string{"Origin": f.srv.URL}},
		{"foreign origin", form(tok), map[string]string{"Origin": "http://evil.example"}},
		{"null origin", form(tok), map[string]string{"Origin": "null"}},
		{"foreign referer", form(tok), map[string]string{"Referer": "http://evil.example/page"}},
		{"no origin nor referer", form(tok), nil},
		{"cross-site fetch", form(tok), map[string]string{"Origin": f.srv.URL, "Sec-Fetch-Site": "cross-site"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := c.postWith("/settings/tokens", tc.form, tc.headers)
			if p.status != http.StatusForbidden {
				t.Fatalf("status %d, want 403", p.status)
			}
			if n := f.tokenCount(f.wsA); n != 0 {
				t.Fatalf("%d tokens were created", n)
			}
		})
	}
	// The header works in place of the field, and a same-origin referer in
	// place of Origin.
	p := c.postWith("/settings/tokens", form(""), map[string]string{"Referer": f.srv.URL + "/settings/tokens", "X-CSRF-Token": tok})
	if p.status != http.StatusOK {
		t.Fatalf("with header token: status %d", p.status)
	}
	if n := f.tokenCount(f.wsA); n != 1 {
		t.Fatalf("%d tokens, want 1", n)
	}
}

func TestCSRFRejectionOnUploadAndUnmerge(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seedOrders(f.wsA, "")
	c := f.loggedIn("operator")
	before := f.customerCount(f.wsA)
	p := c.upload("", "generic", false, "orders.csv", genericCSV)
	if p.status != http.StatusForbidden {
		t.Fatalf("upload without token: %d", p.status)
	}
	p = c.upload("bogus-token-that-is-long-enough-000000000000", "generic", false, "orders.csv", genericCSV)
	if p.status != http.StatusForbidden {
		t.Fatalf("upload with a wrong token: %d", p.status)
	}
	if n := f.customerCount(f.wsA); n != before {
		t.Fatalf("customers %d → %d after refused uploads", before, n)
	}

	id := f.customerID(f.wsA, "13800138000")
	mergeID := f.mergeID(f.wsA, id)
	p = c.post("/customers/"+itoa(id)+"/merges/"+itoa(mergeID)+"/undo", url.Values{"csrf": {"nope"}})
	if p.status != http.StatusForbidden {
		t.Fatalf("unmerge with a wrong token: %d", p.status)
	}
	if v, _ := f.store.Customer360(context.Background(), f.wsA.ID, id); v.Merges[0].UndoneAt != nil {
		t.Fatal("the merge was undone")
	}
}

func TestRoles(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seedOrders(f.wsA, "")
	id := f.customerID(f.wsA, "13800138000")
	mergeID := f.mergeID(f.wsA, id)
	undo := "/customers/" + itoa(id) + "/merges/" + itoa(mergeID) + "/undo"

	analyst := f.loggedIn("analyst")
	tok := analyst.csrf()
	for _, path := range []string{"/import", "/settings/tokens"} {
		if p := analyst.get(path); p.status != http.StatusForbidden {
			t.Errorf("analyst GET %s: %d", path, p.status)
		}
	}
	if p := analyst.upload(tok, "generic", false, "orders.csv", genericCSV); p.status != http.StatusForbidden {
		t.Errorf("analyst upload: %d", p.status)
	}
	if p := analyst.post("/settings/tokens", url.Values{"csrf": {tok}, "name": {"x"}, "role": {"admin"}}); p.status != http.StatusForbidden {
		t.Errorf("analyst token: %d", p.status)
	}
	if p := analyst.post(undo, url.Values{"csrf": {tok}}); p.status != http.StatusForbidden {
		t.Errorf("analyst unmerge: %d", p.status)
	}
	p := analyst.get("/customers/" + itoa(id))
	if p.status != http.StatusOK {
		t.Fatalf("analyst 360: %d", p.status)
	}
	mustNotContain(t, p.body, "撤销合并</button>", `href="/import"`, `href="/settings/tokens"`)
	if n := f.tokenCount(f.wsA); n != 0 {
		t.Fatalf("tokens: %d", n)
	}

	operator := f.loggedIn("operator")
	tok = operator.csrf()
	if p := operator.get("/import"); p.status != http.StatusOK {
		t.Errorf("operator GET /import: %d", p.status)
	}
	if p := operator.get("/settings/tokens"); p.status != http.StatusForbidden {
		t.Errorf("operator GET tokens: %d", p.status)
	}
	if p := operator.post("/settings/tokens", url.Values{"csrf": {tok}, "name": {"x"}, "role": {"admin"}}); p.status != http.StatusForbidden {
		t.Errorf("operator token: %d", p.status)
	}
	p = operator.get("/customers/" + itoa(id))
	mustContain(t, p.body, "撤销合并</button>")
	if p := operator.post(undo, url.Values{"csrf": {tok}}); p.status != http.StatusSeeOther {
		t.Fatalf("operator unmerge: %d\n%s", p.status, p.body)
	}
	v, err := f.store.Customer360(context.Background(), f.wsA.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if v.Merges[0].UndoneAt == nil {
		t.Fatal("merge not undone")
	}
	p = operator.get("/customers/" + itoa(id) + "?undone=1")
	mustContain(t, p.body, "已撤销合并")
	// Twice is a conflict, not a crash.
	if p := operator.post(undo, url.Values{"csrf": {tok}}); p.status != http.StatusConflict {
		t.Errorf("second unmerge: %d", p.status)
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.loggedIn("admin")
	tok := c.csrf()
	p := c.post("/settings/tokens", url.Values{"csrf": {tok}, "name": {"有赞同步"}, "role": {"operator"}})
	if p.status != http.StatusOK {
		t.Fatalf("create: %d", p.status)
	}
	secret := regexp.MustCompile(`id="token-secret">(siyu_[A-Za-z0-9_-]+)<`).FindStringSubmatch(p.body)
	if secret == nil {
		t.Fatalf("secret not shown:\n%s", p.body)
	}
	if p.header.Get("Cache-Control") != "no-store" {
		t.Error("the page with the secret may be cached")
	}
	toks, err := f.store.ListAPITokens(context.Background(), f.wsA.ID)
	if err != nil || len(toks) != 1 {
		t.Fatalf("tokens %v %v", toks, err)
	}
	if toks[0].Name != "有赞同步" || toks[0].Role != siyu.RoleOperator {
		t.Errorf("token %+v", toks[0])
	}
	// The secret authenticates (the store has its hash) and is not shown again.
	list := c.get("/settings/tokens")
	mustContain(t, list.body, "有赞同步", toks[0].Prefix)
	mustNotContain(t, list.body, secret[1])

	if p := c.post("/settings/tokens", url.Values{"csrf": {tok}, "name": {""}, "role": {"operator"}}); p.status != http.StatusBadRequest {
		t.Errorf("empty name: %d", p.status)
	}
	if p := c.post("/settings/tokens", url.Values{"csrf": {tok}, "name": {"x"}, "role": {"root"}}); p.status != http.StatusBadRequest {
		t.Errorf("bad role: %d", p.status)
	}

	// bob, admin of B, cannot revoke A's token.
	bob := f.loggedIn("bob")
	if p := bob.post("/settings/tokens/"+itoa(toks[0].ID)+"/revoke", url.Values{"csrf": {bob.csrf()}}); p.status != http.StatusNotFound {
		t.Errorf("revoke from another workspace: %d", p.status)
	}
	if p := c.post("/settings/tokens/"+itoa(toks[0].ID)+"/revoke", url.Values{"csrf": {tok}}); p.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", p.status)
	}
	if n := f.tokenCount(f.wsA); n != 0 {
		t.Fatalf("%d tokens after revoke", n)
	}
}

func TestWorkspaceIsolation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seedOrders(f.wsA, "")
	f.seedOrders(f.wsB, "-b")
	idA := f.customerID(f.wsA, "xiaoming")
	idB := f.customerID(f.wsB, "xiaoming-b")

	bob := f.loggedIn("bob") // member of B only
	if p := bob.get("/customers/" + itoa(idA)); p.status != http.StatusNotFound {
		t.Fatalf("B's user opened A's customer: %d", p.status)
	}
	if p := bob.get("/customers/" + itoa(idB)); p.status != http.StatusOK {
		t.Fatalf("own customer: %d", p.status)
	}
	p := bob.get("/customers?q=xiaoming")
	mustNotContain(t, p.body, "/customers/"+itoa(idA)+`"`)
	mergeA := f.mergeID(f.wsA, idA)
	if p := bob.post("/customers/"+itoa(idA)+"/merges/"+itoa(mergeA)+"/undo", url.Values{"csrf": {bob.csrf()}}); p.status != http.StatusNotFound {
		t.Fatalf("unmerge in another workspace: %d", p.status)
	}

	// admin belongs to A (admin) and B (analyst) and can switch.
	admin := f.loggedIn("admin")
	tok := admin.csrf()
	if p := admin.get("/customers/" + itoa(idB)); p.status != http.StatusNotFound {
		t.Fatalf("B's customer seen from A: %d", p.status)
	}
	if p := admin.post("/workspace", url.Values{"csrf": {tok}, "workspace_id": {itoa(f.wsB.ID)}}); p.status != http.StatusSeeOther {
		t.Fatalf("switch: %d", p.status)
	}
	if p := admin.get("/customers/" + itoa(idB)); p.status != http.StatusOK {
		t.Fatalf("after switch: %d", p.status)
	}
	if p := admin.get("/customers/" + itoa(idA)); p.status != http.StatusNotFound {
		t.Fatalf("A's customer seen from B: %d", p.status)
	}
	// In B the admin is an analyst.
	if p := admin.get("/import"); p.status != http.StatusForbidden {
		t.Fatalf("analyst role in B not applied: %d", p.status)
	}
	// A workspace that is not the user's is refused.
	other, err := f.store.CreateWorkspace(context.Background(), "brand-c", "品牌丙")
	if err != nil {
		t.Fatal(err)
	}
	if p := admin.post("/workspace", url.Values{"csrf": {tok}, "workspace_id": {itoa(other.ID)}}); p.status != http.StatusForbidden {
		t.Fatalf("switch to a foreign workspace: %d", p.status)
	}
}

func TestLanguageSwitch(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client()
	if p := c.get("/login"); !strings.Contains(p.body, "登录") || !strings.Contains(p.body, `lang="zh-CN"`) {
		t.Fatal("login page is not Chinese by default")
	}
	p := c.get("/lang?to=en&back=/login")
	if p.status != http.StatusSeeOther || p.location() != "/login" {
		t.Fatalf("switch: %d %q", p.status, p.location())
	}
	mustContain(t, c.get("/login").body, "Log in", "Password", `lang="en"`)

	// The cookie carries the choice into the session.
	c.login("analyst")
	mustContain(t, c.get("/customers").body, "Customers", "Name, phone or any identifier", "Log out")
	c.get("/lang?to=zh-CN&back=/customers")
	mustContain(t, c.get("/customers").body, "姓名、手机号或任意标识", "退出登录")

	// Unknown languages and foreign redirect targets are refused.
	if p := c.get("/lang?to=fr"); p.status != http.StatusBadRequest {
		t.Errorf("to=fr: %d", p.status)
	}
	if p := c.get("/lang?to=en&back=//evil.example/x"); p.location() != "/customers" {
		t.Errorf("back to another site: %q", p.location())
	}
}

func (f *fixture) loggedIn(login string) *client {
	c := f.client()
	c.login(login)
	return c
}

func (f *fixture) customerCount(ws siyu.Workspace) int {
	f.t.Helper()
	p, err := f.store.SearchCustomers(context.Background(), ws.ID, siyu.CustomerQuery{Limit: 1})
	if err != nil {
		f.t.Fatal(err)
	}
	return p.Total
}

func (f *fixture) mergeID(ws siyu.Workspace, customerID int64) int64 {
	f.t.Helper()
	v, err := f.store.Customer360(context.Background(), ws.ID, customerID)
	if err != nil {
		f.t.Fatal(err)
	}
	if len(v.Merges) != 1 {
		f.t.Fatalf("customer %d has %d merges", customerID, len(v.Merges))
	}
	return v.Merges[0].ID
}
