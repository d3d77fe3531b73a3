package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
)

func TestTagAndConsentEndpoints(t *testing.T) {
	a := newTestAPI(t)
	ws, tok := a.workspace("brand")
	_, otherTok := a.workspace("other")
	op, analyst := tok[siyu.RoleOperator], tok[siyu.RoleAnalyst]

	// A comment about face cream and a message saying 退订 arrive by the API.
	now := time.Now().UTC().Format(time.RFC3339)
	r := a.postJSON("/api/v1/tag-rules", op, map[string]any{"name": "护肤兴趣", "tag": "护肤兴趣", "keywords": []string{"护肤", "面霜"}, "window_days": 30})
	if r.Status != http.StatusCreated {
		t.Fatalf("create rule: %d %s", r.Status, r.Body)
	}
	var rule store.TagRule
	r.decode(t, &rule)
	r = a.postJSON("/api/v1/events", op, map[string]any{"events": []map[string]any{
		{"type": siyu.EventMomentComment, "occurred_at": now, "identifiers": []siyu.Identifier{{Kind: siyu.KindUnionID, Value: "fan"}}, "props": map[string]any{"text": "面霜怎么卖"}},
		{"type": siyu.EventMessage, "occurred_at": now, "identifiers": []siyu.Identifier{{Kind: siyu.KindUnionID, Value: "quit"}}, "props": map[string]any{"text": "TD"}},
	}})
	if r.Status != http.StatusOK {
		t.Fatalf("events: %d %s", r.Status, r.Body)
	}
	fan, quit := a.search(op, "fan").Customers[0].ID, a.search(op, "quit").Customers[0].ID

	var tags struct{ Tags []store.CustomerTag }
	a.get(fmt.Sprintf("/api/v1/customers/%d/tags", fan), analyst).decode(t, &tags)
	if len(tags.Tags) != 1 || tags.Tags[0].Name != "护肤兴趣" || tags.Tags[0].Source != store.RuleTagSource(rule.ID) {
		t.Fatalf("the rule did not tag the commenter at once: %+v", tags)
	}
	var consent optOutJSON
	a.get(fmt.Sprintf("/api/v1/customers/%d/opt-out", quit), analyst).decode(t, &consent)
	if !consent.OptedOut || consent.Record.Source != store.ConsentSourceKeyword {
		t.Fatalf("TD did not opt out: %+v", consent)
	}

	// Manual tags: PUT and DELETE, idempotent, audited, writers only.
	tagPath := fmt.Sprintf("/api/v1/customers/%d/tags/%s", fan, url.PathEscape("高 净值"))
	if r := a.do("PUT", tagPath, analyst, nil); r.Status != http.StatusForbidden {
		t.Fatalf("an analyst tagged: %d", r.Status)
	}
	if r := a.do("PUT", tagPath, otherTok[siyu.RoleOperator], nil); r.Status != http.StatusNotFound {
		t.Fatalf("another workspace tagged: %d %s", r.Status, r.Body)
	}
	for i, want := range []bool{true, false} {
		var res struct{ Changed bool }
		r := a.do("PUT", tagPath, op, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("PUT %d: %d %s", i, r.Status, r.Body)
		}
		if r.decode(t, &res); res.Changed != want {
			t.Fatalf("PUT %d: changed %v", i, res.Changed)
		}
	}
	var list struct{ Tags []store.TagInfo }
	a.get("/api/v1/tags", analyst).decode(t, &list)
	counts := map[string]int{}
	for _, tg := range list.Tags {
		counts[tg.Name] = tg.Customers
	}
	if counts["高 净值"] != 1 || counts["护肤兴趣"] != 1 {
		t.Fatalf("tag list: %+v", list)
	}
	if r := a.do("DELETE", tagPath, op, nil); r.Status != http.StatusOK {
		t.Fatalf("DELETE: %d %s", r.Status, r.Body)
	}
	a.get(fmt.Sprintf("/api/v1/customers/%d/tags", fan), analyst).decode(t, &tags)
	if len(tags.Tags) != 1 {
		t.Fatalf("after DELETE: %+v", tags)
	}

	// Opt-out and back by the API.
	optPath := fmt.Sprintf("/api/v1/customers/%d/opt-out", fan)
	if r := a.postJSON(optPath, analyst, map[string]string{}); r.Status != http.StatusForbidden {
		t.Fatalf("an analyst opted someone out: %d", r.Status)
	}
	r = a.postJSON(optPath, op, map[string]string{"note": "电话里要求"})
	if r.decode(t, &consent); r.Status != http.StatusOK || !consent.OptedOut || consent.Record.Note != "电话里要求" {
		t.Fatalf("opt out: %d %s", r.Status, r.Body)
	}
	r = a.do("DELETE", optPath, op, nil)
	if r.decode(t, &consent); r.Status != http.StatusOK || consent.OptedOut {
		t.Fatalf("opt in: %d %s", r.Status, r.Body)
	}
	if r := a.postJSON(fmt.Sprintf("/api/v1/customers/%d/opt-out", fan), otherTok[siyu.RoleOperator], map[string]string{}); r.Status != http.StatusNotFound {
		t.Fatalf("another workspace opted out: %d", r.Status)
	}

	// Consent settings: admins only.
	body := bytes.NewReader([]byte(`{"keywords":["退订","拒收"]}`))
	if r := a.do("PUT", "/api/v1/consent/settings", op, body); r.Status != http.StatusForbidden {
		t.Fatalf("an operator changed consent settings: %d", r.Status)
	}
	if r := a.do("PUT", "/api/v1/consent/settings", tok[siyu.RoleAdmin], bytes.NewReader([]byte(`{"keywords":["退订","拒收"]}`))); r.Status != http.StatusOK {
		t.Fatalf("settings: %d %s", r.Status, r.Body)
	}

	// Bad input names the field.
	r = a.postJSON("/api/v1/tag-rules", op, map[string]any{"name": "x", "tag": "x", "keywords": []string{}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a rule without keywords: %d %s", r.Status, r.Body)
	}

	entries, err := a.store.AuditLog(context.Background(), ws.ID, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, e := range entries {
		seen[e.Action]++
	}
	if seen["tag.add"] != 1 || seen["tag.remove"] != 1 || seen["consent.opt_out"] != 1 || seen["consent.opt_in"] != 1 || seen["tag_rule.create"] != 1 {
		t.Fatalf("audit log: %v", seen)
	}
}
