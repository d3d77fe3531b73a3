package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"siyu.dev/siyu/store"
	"siyu.dev/siyu/web"
)

var _ web.JourneyStore = (*store.Store)(nil)

func TestJourneyPages(t *testing.T) {
	f := newFixture(t)
	op := f.client()
	op.login("operator")
	csrf := op.csrf()

	p := op.get("/journeys")
	if p.status != http.StatusOK {
		t.Fatalf("GET /journeys: %d", p.status)
	}
	mustContain(t, p.body, `id="no-journeys"`, `id="nav-journeys"`)
	p = op.get("/journeys/new")
	mustContain(t, p.body, `id="template-moment_interest"`, `id="template-order_service"`, `id="journey-json-form"`)

	// A definition with a mistake comes back with the field named.
	p = op.post("/journeys", url.Values{"csrf": {csrf}, "name": {"坏的"},
		"definition": {`{"trigger":{"kind":"event","event":"order.paid"},"steps":[{"id":"s","type":"send","message":{"text":"{{nick}}"}}]}`}})
	if p.status != http.StatusBadRequest {
		t.Fatalf("bad definition: %d", p.status)
	}
	mustContain(t, p.body, `id="journey-error"`, "steps[0] (s).message.text")

	// One click on a template.
	p = op.post("/journeys", url.Values{"csrf": {csrf}, "template": {"moment_interest"}, "topic": {"护肤"}})
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/journeys/") {
		t.Fatalf("create from template: %d %s", p.status, p.location())
	}
	page := p.location()
	p = op.get(page)
	mustContain(t, p.body, `id="flow"`, `id="step-interest_tag"`, `id="step-follow_up"`, "兴趣:护肤", `id="activate"`)

	p = op.post(page+"/activate", url.Values{"csrf": {csrf}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("activate: %d", p.status)
	}
	mustContain(t, op.get(page).body, `id="pause"`)

	p = op.post(page+"/dry-run", url.Values{"csrf": {csrf}, "from": {"2026-01-01"}, "to": {"2026-01-31"}, "version": {"1"}})
	if p.status != http.StatusOK {
		t.Fatalf("dry run: %d", p.status)
	}
	mustContain(t, p.body, `id="dry-run-report"`)
	p = op.post(page+"/dry-run", url.Values{"csrf": {csrf}, "from": {"soon"}, "to": {"2026-01-31"}, "version": {"1"}})
	if p.status != http.StatusBadRequest {
		t.Fatalf("dry run with a bad date: %d", p.status)
	}

	// An edit makes version 2.
	p = op.post(page, url.Values{"csrf": {csrf}, "name": {"点赞"},
		"definition": {`{"trigger":{"kind":"event","event":"moment.liked"},"steps":[{"id":"t","type":"tag","add_tags":["点赞"]}]}`}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", p.status, p.body)
	}
	mustContain(t, op.get(page).body, "v2", `id="step-t"`)

	// Another workspace's user does not see it; an analyst cannot change it.
	other := f.client()
	other.login("bob")
	if p := other.get(page); p.status != http.StatusNotFound {
		t.Fatalf("another workspace: %d", p.status)
	}
}
