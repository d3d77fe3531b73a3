package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"siyu.dev/siyu"
	"siyu.dev/siyu/segment"
	"siyu.dev/siyu/store"
)

func TestSegmentEndpoints(t *testing.T) {
	a := newTestAPI(t)
	_, tok := a.workspace("a")
	_, other := a.workspace("b")
	op := tok[siyu.RoleOperator]
	for i, amount := range []siyu.Fen{10000, 60000, 90000} {
		a.importOrders(op, paidOrder(siyu.ChannelJD, fmt.Sprint("J", i), amount, "买家", phone(fmt.Sprintf("1380000000%d", i))))
	}

	// Preview: count and sample, or the error with its position.
	r := a.postJSON("/api/v1/segments/preview", tok[siyu.RoleAnalyst], map[string]string{"rule": `total_paid >= 500元`})
	var pv struct {
		Count  int             `json:"count"`
		Sample []siyu.Customer `json:"sample"`
	}
	if r.Status != http.StatusOK {
		t.Fatalf("preview: %d %s", r.Status, r.Body)
	}
	r.decode(t, &pv)
	if pv.Count != 2 || len(pv.Sample) != 2 || pv.Sample[0].TotalPaid < 50000 {
		t.Fatalf("preview = %+v, want the 2 customers from 500 yuan", pv)
	}
	r = a.postJSON("/api/v1/segments/preview", op, map[string]string{"rule": "total_paid >= 500元 and\nstage = \"silent\""})
	var re struct {
		Error struct {
			Code   string `json:"code"`
			Line   int    `json:"line"`
			Column int    `json:"column"`
		} `json:"error"`
	}
	r.decode(t, &re)
	if r.Status != http.StatusUnprocessableEntity || re.Error.Code != "invalid_rule" || re.Error.Line != 2 || re.Error.Column != 7 {
		t.Fatalf("bad rule: %d %s", r.Status, r.Body)
	}

	// Create (writers only), refresh, members.
	in := map[string]string{"name": "高客单", "rule": `total_paid >= 500元`, "tag": "高价值"}
	if r := a.postJSON("/api/v1/segments", tok[siyu.RoleAnalyst], in); r.Status != http.StatusForbidden {
		t.Fatalf("analyst created a segment: %d", r.Status)
	}
	r = a.postJSON("/api/v1/segments", op, in)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var g store.Segment
	r.decode(t, &g)
	if r := a.postJSON("/api/v1/segments", op, in); r.Status != http.StatusConflict {
		t.Fatalf("duplicate name: %d %s", r.Status, r.Body)
	}
	if r := a.postJSON("/api/v1/segments", op, map[string]string{"name": "x", "rule": "stage =="}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad rule on create: %d %s", r.Status, r.Body)
	}
	r = a.postJSON(fmt.Sprintf("/api/v1/segments/%d/refresh", g.ID), op, map[string]string{})
	var res segment.Refresh
	r.decode(t, &res)
	if r.Status != http.StatusOK || res.Entered != 2 {
		t.Fatalf("refresh: %d %s", r.Status, r.Body)
	}
	r = a.get(fmt.Sprintf("/api/v1/segments/%d/members?limit=1", g.ID), tok[siyu.RoleAnalyst])
	var page struct {
		Members []store.SegmentMember `json:"members"`
		Total   int                   `json:"total"`
	}
	r.decode(t, &page)
	if r.Status != http.StatusOK || page.Total != 2 || len(page.Members) != 1 {
		t.Fatalf("members: %d %s", r.Status, r.Body)
	}
	if r := a.get(fmt.Sprintf("/api/v1/segments/%d/members?limit=0", g.ID), op); r.Status != http.StatusBadRequest {
		t.Fatalf("limit=0: %d", r.Status)
	}

	// Another workspace sees nothing.
	if r := a.get(fmt.Sprintf("/api/v1/segments/%d", g.ID), other[siyu.RoleAdmin]); r.Status != http.StatusNotFound {
		t.Fatalf("other workspace: %d", r.Status)
	}
	if r := a.get(fmt.Sprintf("/api/v1/segments/%d/members", g.ID), other[siyu.RoleAdmin]); r.Status != http.StatusNotFound {
		t.Fatalf("other workspace members: %d", r.Status)
	}

	// Update, list, delete.
	body, _ := json.Marshal(map[string]string{"name": "高客单", "rule": `total_paid >= 800元`})
	if r := a.do("PUT", fmt.Sprintf("/api/v1/segments/%d", g.ID), op, bytes.NewReader(body)); r.Status != http.StatusOK {
		t.Fatalf("update: %d %s", r.Status, r.Body)
	}
	r = a.get("/api/v1/segments", op)
	var list struct {
		Segments []store.Segment `json:"segments"`
	}
	r.decode(t, &list)
	if len(list.Segments) != 1 || list.Segments[0].Rule != `total_paid >= 800元` || list.Segments[0].Tag != "" {
		t.Fatalf("list: %s", r.Body)
	}
	if r := a.do("DELETE", fmt.Sprintf("/api/v1/segments/%d", g.ID), other[siyu.RoleAdmin], nil); r.Status != http.StatusNotFound {
		t.Fatalf("other workspace deleted: %d", r.Status)
	}
	if r := a.do("DELETE", fmt.Sprintf("/api/v1/segments/%d", g.ID), op, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if r := a.get(fmt.Sprintf("/api/v1/segments/%d", g.ID), op); r.Status != http.StatusNotFound {
		t.Fatalf("after delete: %d", r.Status)
	}
}
