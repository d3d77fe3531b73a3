package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"siyu.dev/siyu/store"
	"siyu.dev/siyu/web"
)

var _ web.SegmentStore = (*store.Store)(nil)

func TestSegmentPages(t *testing.T) {
	f := newFixture(t)
	f.seedOrders(f.wsA, "")
	f.seedOrders(f.wsB, "b")
	op := f.client()
	op.login("operator")
	csrf := op.csrf()

	p := op.get("/segments")
	if p.status != http.StatusOK {
		t.Fatalf("GET /segments: %d", p.status)
	}
	mustContain(t, p.body, `id="no-segments"`, `id="nav-segments"`)

	// The live preview: a count and a sample, or the error's position.
	preview := func(rule string, headers map[string]string) (page, map[string]any) {
		t.Helper()
		pv := op.postWith("/segments/preview", url.Values{"rule": {rule}}, headers)
		var out map[string]any
		if pv.status == http.StatusOK || pv.status == http.StatusUnprocessableEntity {
			if err := json.Unmarshal([]byte(pv.body), &out); err != nil {
				t.Fatalf("preview answer is not JSON: %s", pv.body)
			}
		}
		return pv, out
	}
	hdr := map[string]string{"Origin": f.srv.URL, "X-CSRF-Token": csrf}
	pv, out := preview(`total_paid >= 1000元`, hdr)
	if pv.status != http.StatusOK || out["count"] != 1.0 || !strings.Contains(pv.body, "王小明") || strings.Contains(pv.body, "李华") {
		t.Fatalf("preview: %d %s", pv.status, pv.body)
	}
	pv, out = preview("total_paid >= 1000元\n  and stag == \"new\"", hdr)
	e, _ := out["error"].(map[string]any)
	if pv.status != http.StatusOK || e["line"] != 2.0 || e["column"] != 7.0 {
		t.Fatalf("bad rule preview: %d %s", pv.status, pv.body)
	}
	if pv, _ := preview(`is_contact`, map[string]string{"Origin": f.srv.URL}); pv.status != http.StatusForbidden {
		t.Fatalf("preview without the CSRF token: %d", pv.status)
	}

	// Create: a bad rule comes back with its position; a good one is saved.
	p = op.post("/segments", url.Values{"csrf": {csrf}, "name": {"大客户"}, "rule": {`total_paid >= "很多"`}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad rule: %d", p.status)
	}
	mustContain(t, p.body, `id="segment-error"`, "1:15")
	p = op.post("/segments", url.Values{"csrf": {csrf}, "name": {"大客户"}, "rule": {`total_paid >= 1000元`}, "tag": {"大客户"}})
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/segments/") {
		t.Fatalf("create: %d %q", p.status, p.location())
	}
	self := p.location()
	if p = op.post(self+"/refresh", url.Values{"csrf": {csrf}}); p.status != http.StatusSeeOther {
		t.Fatalf("refresh: %d", p.status)
	}
	p = op.get(self)
	mustContain(t, p.body, `id="segment-members"`, "王小明", `total_paid &gt;= 1000元`)
	mustNotContain(t, p.body, "李华")

	// Others: an analyst reads but cannot change; brand B sees nothing.
	an := f.client()
	an.login("analyst")
	if p := an.get(self); p.status != http.StatusOK {
		t.Fatalf("analyst reads: %d", p.status)
	}
	if p := an.post("/segments", url.Values{"csrf": {an.csrf()}, "name": {"x"}, "rule": {"is_contact"}}); p.status != http.StatusForbidden {
		t.Fatalf("analyst creates: %d", p.status)
	}
	b := f.client()
	b.login("bob")
	if p := b.get(self); p.status != http.StatusNotFound {
		t.Fatalf("brand B reads brand A's segment: %d", p.status)
	}

	if p = op.post(self+"/delete", url.Values{"csrf": {csrf}}); p.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", p.status)
	}
	if p := op.get(self); p.status != http.StatusNotFound {
		t.Fatalf("after delete: %d", p.status)
	}
}
