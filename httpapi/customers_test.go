package httpapi

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"siyu.dev/siyu"
)

func TestCustomersSearchAnd360(t *testing.T) {
	a := newTestAPI(t)
	_, tokens := a.workspace("alpha")
	tok := tokens[siyu.RoleAnalyst]
	a.importOrders(tokens[siyu.RoleOperator],
		paidOrder(siyu.ChannelTaobao, "TB-1", 12900, "王小明", nick("xiaoming"), phone("+86 139 1234 5678")),
		paidOrder(siyu.ChannelTmall, "TM-1", 8800, "王小明", phone("13912345678")),
		paidOrder(siyu.ChannelJD, "JD-1", 39900, "李华", siyu.Identifier{Kind: siyu.KindJDBuyerID, Value: "lihua88"}),
	)

	all := a.search(tok, "")
	if all.Total != 2 || len(all.Customers) != 2 {
		t.Fatalf("all customers: %+v", all)
	}
	byPhone := a.findOne(tok, url.QueryEscape("139-1234-5678"))
	if byPhone.Name != "王小明" || byPhone.OrderCount != 2 || byPhone.TotalPaid != 12900+8800 {
		t.Errorf("by phone: %+v", byPhone)
	}
	if byName := a.findOne(tok, url.QueryEscape("李华")); byName.TotalPaid != 39900 {
		t.Errorf("by name: %+v", byName)
	}

	r := a.get(fmt.Sprintf("/api/v1/customers/%d", byPhone.ID), tok)
	if strings.Contains(string(r.Body), "13912345678") {
		t.Errorf("the 360 view shows an unmasked phone: %s", r.Body)
	}
	c := a.customer360(tok, byPhone.ID)
	if c.Customer.ID != byPhone.ID || len(c.Orders) != 2 {
		t.Errorf("360: customer %d with %d orders", c.Customer.ID, len(c.Orders))
	}
	kinds := map[siyu.IdentityKind]string{}
	for _, id := range c.Identities {
		kinds[id.Kind] = id.Display
	}
	if kinds[siyu.KindPhone] != "139****5678" || kinds[siyu.KindTaobaoNick] != "xiaoming" {
		t.Errorf("identities %+v", c.Identities)
	}
	if !strings.Contains(string(r.Body), `"contacts":[]`) {
		t.Errorf("empty lists should be [] not null: %s", r.Body)
	}

	// Paging.
	var page siyu.CustomerPage
	a.get("/api/v1/customers?limit=1&offset=1", tok).decode(t, &page)
	if page.Total != 2 || len(page.Customers) != 1 {
		t.Errorf("limit=1 offset=1: %+v", page)
	}
	a.get("/api/v1/customers?query=nobody-at-all", tok).decode(t, &page)
	if r := a.get("/api/v1/customers?query=nobody-at-all", tok); !strings.Contains(string(r.Body), `"customers":[]`) {
		t.Errorf("no match should give an empty list: %s", r.Body)
	}

	for _, q := range []struct{ query, field string }{
		{"limit=0", "limit"}, {"limit=501", "limit"}, {"limit=ten", "limit"},
		{"offset=-1", "offset"}, {"offset=1.5", "offset"},
		{"query=" + strings.Repeat("x", 201), "query"},
	} {
		r := a.get("/api/v1/customers?"+q.query, tok)
		if r.Status != http.StatusBadRequest || r.apiError(t).Error.Field != q.field {
			t.Errorf("%.30s: %d %s", q.query, r.Status, r.Body)
		}
	}
	if r := a.get("/api/v1/customers?limit=500", tok); r.Status != http.StatusOK {
		t.Errorf("limit=500: %d", r.Status)
	}
	if r := a.get("/api/v1/customers/999999", tok); r.Status != http.StatusNotFound {
		t.Errorf("unknown customer: %d %s", r.Status, r.Body)
	}

	if log := a.logs.String(); strings.Contains(log, "13912345678") || strings.Contains(log, "1234-5678") {
		t.Errorf("a phone number was logged:\n%s", log)
	}
}

func TestMergeUndo(t *testing.T) {
	a := newTestAPI(t)
	_, tokens := a.workspace("alpha")
	tok := tokens[siyu.RoleOperator]

	// Two customers, then an order that carries both identifiers joins them.
	a.importOrders(tok,
		paidOrder(siyu.ChannelTaobao, "M-1", 100, "陈一", nick("chen1")),
		paidOrder(siyu.ChannelJD, "M-2", 200, "陈一", phone("13700001111")),
	)
	res := a.importOrders(tok, paidOrder(siyu.ChannelTmall, "M-3", 300, "陈一", nick("chen1"), phone("13700001111")))
	if res.Merges != 1 {
		t.Fatalf("joining import: %+v", res)
	}
	merged := a.customer360(tok, a.findOne(tok, "chen1").ID)
	if len(merged.Merges) != 1 || len(merged.Orders) != 3 {
		t.Fatalf("after merge: %d merges, %d orders", len(merged.Merges), len(merged.Orders))
	}
	mergeID := merged.Merges[0].ID

	if r := a.do("POST", fmt.Sprintf("/api/v1/merges/%d/undo", mergeID), tokens[siyu.RoleAnalyst], nil); r.Status != http.StatusForbidden {
		t.Errorf("analyst undo: %d", r.Status)
	}
	r := a.do("POST", fmt.Sprintf("/api/v1/merges/%d/undo", mergeID), tok, nil)
	if r.Status != http.StatusNoContent || len(r.Body) != 0 {
		t.Fatalf("undo: %d %s", r.Status, r.Body)
	}
	if r := a.do("POST", fmt.Sprintf("/api/v1/merges/%d/undo", mergeID), tok, nil); r.Status != http.StatusConflict {
		t.Errorf("second undo: %d %s", r.Status, r.Body)
	}
	byNick, byPhone := a.findOne(tok, "chen1"), a.findOne(tok, "13700001111")
	if byNick.ID == byPhone.ID {
		t.Errorf("after undo both identifiers still find customer %d", byNick.ID)
	}
	if r := a.do("POST", "/api/v1/merges/999999/undo", tok, nil); r.Status != http.StatusNotFound {
		t.Errorf("unknown merge: %d %s", r.Status, r.Body)
	}
}

func TestEvents(t *testing.T) {
	a := newTestAPI(t)
	_, tokens := a.workspace("alpha")
	tok := tokens[siyu.RoleOperator]
	a.importOrders(tok, paidOrder(siyu.ChannelTaobao, "E-1", 100, "周七", nick("zhou7")))
	cust := a.findOne(tok, "zhou7")

	r := a.do("POST", "/api/v1/events", tok, strings.NewReader(fmt.Sprintf(`{"events":[
		{"type":"page.viewed","source":"mini_program","occurred_at":"2024-06-19T09:00:00+08:00",
		 "identifiers":[{"kind":"taobao_nick","value":"zhou7"}],"props":{"page":"/tea/longjing"}},
		{"type":"moment.liked","customer_id":%d}
	]}`, cust.ID)))
	if r.Status != http.StatusOK || strings.TrimSpace(string(r.Body)) != `{"recorded":2}` {
		t.Fatalf("events: %d %s", r.Status, r.Body)
	}
	c := a.customer360(tok, cust.ID)
	types := map[string]bool{}
	for _, e := range c.Timeline {
		types[e.Type] = true
	}
	if !types["page.viewed"] || !types["moment.liked"] {
		t.Errorf("timeline %+v", c.Timeline)
	}
	before := len(c.Timeline)

	r = a.do("POST", "/api/v1/events", tok, strings.NewReader(`{"events":[
		{"type":"page.viewed","identifiers":[{"kind":"taobao_nick","value":"zhou7"}]},
		{"type":"","identifiers":[{"kind":"taobao_nick","value":"zhou7"}]},
		{"type":"x","identifiers":[{"kind":"phone","value":"138****0000"}]}
	]}`))
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad events: %d %s", r.Status, r.Body)
	}
	e := r.apiError(t)
	if e.Error.Field != "events[1].type" || len(e.Error.Errors) != 2 || e.Error.Errors[1].Field != "events[2].identifiers" {
		t.Errorf("bad events error: %+v", e.Error)
	}
	if after := len(a.customer360(tok, cust.ID).Timeline); after != before {
		t.Errorf("a rejected batch recorded events: timeline %d → %d", before, after)
	}

	r = a.do("POST", "/api/v1/events", tok, strings.NewReader(`{"events":[{"type":"x","identifiers":[{"kind":"phone","value":"1"}],"extra":1}]}`))
	if r.Status != http.StatusBadRequest || r.apiError(t).Error.Field != "events[0].extra" {
		t.Errorf("unknown event field: %d %s", r.Status, r.Body)
	}
}
