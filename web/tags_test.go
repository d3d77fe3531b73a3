package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/web"
)

var _ web.TagStore = (*store.Store)(nil)

func TestCustomerTagsAndConsentInTheConsole(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.store.RecordEvents(ctx, f.wsA.ID, []siyu.EventInput{{Type: siyu.EventMessage, Name: "林小满",
		Identifiers: []siyu.Identifier{{Kind: siyu.KindUnionID, Value: "u-lin"}}, Props: map[string]any{"text": "你好"}}}); err != nil {
		t.Fatal(err)
	}
	page, _ := f.store.SearchCustomers(ctx, f.wsA.ID, siyu.CustomerQuery{Query: "u-lin"})
	id := page.Customers[0].ID
	path := "/customers/" + strconv.FormatInt(id, 10)

	op := f.client()
	op.login("operator")
	csrf := op.csrf()
	p := op.post(path+"/tags", url.Values{"csrf": {csrf}, "tag": {"高意向"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("add tag: %d %s", p.status, p.body)
	}
	p = op.get(path)
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="customer-tags"`) || !strings.Contains(p.body, "高意向") {
		t.Fatalf("the tag is not on the page:\n%s", p.body)
	}
	if strings.Contains(p.body, `id="opted-out-badge"`) {
		t.Fatal("opted-out badge before opting out")
	}
	// Without the CSRF token nothing happens.
	if p := op.post(path+"/opt-out", url.Values{"note": {"x"}}); p.status != http.StatusForbidden {
		t.Fatalf("opt-out without csrf: %d", p.status)
	}
	if p := op.post(path+"/opt-out", url.Values{"csrf": {csrf}, "note": {"电话里说别再发了"}}); p.status != http.StatusSeeOther {
		t.Fatalf("opt-out: %d %s", p.status, p.body)
	}
	p = op.get(path)
	if !strings.Contains(p.body, `id="opted-out-badge"`) || !strings.Contains(p.body, `id="opt-in"`) || !strings.Contains(p.body, "电话里说别再发了") {
		t.Fatalf("no opted-out badge:\n%s", p.body)
	}
	if got, _ := f.store.OptedOut(ctx, f.wsA.ID, []int64{id}); !got[id] {
		t.Fatal("the console's opt-out did not reach the store")
	}

	// An analyst sees but cannot change.
	an := f.client()
	an.login("analyst")
	p = an.get(path)
	if !strings.Contains(p.body, "高意向") || strings.Contains(p.body, `id="tag-add"`) || strings.Contains(p.body, `id="opt-in"`) {
		t.Fatalf("analyst's page has forms or lacks tags:\n%s", p.body)
	}
	if p := an.post(path+"/tags/remove", url.Values{"csrf": {an.csrf()}, "tag": {"高意向"}}); p.status != http.StatusForbidden {
		t.Fatalf("analyst removed a tag: %d", p.status)
	}

	// Someone of another workspace cannot act on the customer.
	bob := f.client()
	bob.login("bob")
	if p := bob.post(path+"/tags", url.Values{"csrf": {bob.csrf()}, "tag": {"x"}}); p.status != http.StatusNotFound {
		t.Fatalf("another workspace tagged: %d", p.status)
	}

	if p := op.post(path+"/opt-in", url.Values{"csrf": {csrf}}); p.status != http.StatusSeeOther {
		t.Fatalf("opt-in: %d", p.status)
	}
	if p := op.post(path+"/tags/remove", url.Values{"csrf": {csrf}, "tag": {"高意向"}}); p.status != http.StatusSeeOther {
		t.Fatalf("remove: %d", p.status)
	}
	tags, _ := f.store.CustomerTags(ctx, f.wsA.ID, id)
	if len(tags) != 0 {
		t.Fatalf("tags left: %+v", tags)
	}
	entries, _ := f.store.AuditLog(ctx, f.wsA.ID, store.AuditFilter{})
	seen := map[string]bool{}
	for _, e := range entries {
		seen[e.Action] = e.UserID == f.logins["operator"].ID
	}
	for _, a := range []string{"tag.add", "tag.remove", "consent.opt_out", "consent.opt_in"} {
		if !seen[a] {
			t.Errorf("audit log lacks %s by the operator: %+v", a, entries)
		}
	}
}

func TestTagsPage(t *testing.T) {
	f := newFixture(t)
	op := f.client()
	op.login("operator")
	csrf := op.csrf()
	if p := op.post("/tags", url.Values{"csrf": {csrf}, "name": {"复购客"}, "group": {"生命周期"}, "push_wecom": {"1"}}); p.status != http.StatusSeeOther {
		t.Fatalf("create tag: %d %s", p.status, p.body)
	}
	if p := op.post("/tags/rules", url.Values{"csrf": {csrf}, "name": {"护肤兴趣"}, "tag": {"护肤兴趣"}, "keywords": {"护肤，面霜\n精华"}, "window_days": {"30"}}); p.status != http.StatusSeeOther {
		t.Fatalf("create rule: %d %s", p.status, p.body)
	}
	p := op.post("/tags/rules", url.Values{"csrf": {csrf}, "name": {"坏规则"}, "tag": {"x"}, "keywords": {"！！"}})
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="tags-error"`) || !strings.Contains(p.body, "坏规则") {
		t.Fatalf("a bad rule: %d\n%s", p.status, p.body)
	}
	for _, lang := range []string{"", "en"} {
		c := f.client()
		c.login("analyst")
		if lang != "" {
			c.get("/lang?lang=" + lang + "&back=/tags")
		}
		p = c.get("/tags")
		if p.status != http.StatusOK {
			t.Fatalf("tags page (%s): %d %s", lang, p.status, p.body)
		}
		for _, want := range []string{"复购客", "生命周期", "护肤兴趣", "面霜", "精华", "退订", `id="tag-rules"`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("tags page (%s) lacks %q", lang, want)
			}
		}
		if strings.Contains(p.body, `id="rule-form"`) {
			t.Error("an analyst got the rule form")
		}
	}
	rules, _ := f.store.TagRules(context.Background(), f.wsA.ID)
	if len(rules) != 1 || len(rules[0].Keywords) != 3 {
		t.Fatalf("rules: %+v", rules)
	}
}
