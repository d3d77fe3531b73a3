package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"siyu.dev/siyu"
)

// TestTenantIsolation points workspace A's token at every endpoint with
// workspace B's ids and data: nothing of B may be seen or changed.
func TestTenantIsolation(t *testing.T) {
	a := newTestAPI(t)
	wsA, tokA := a.workspace("alpha")
	wsB, tokB := a.workspace("bravo")
	adminA, adminB := tokA[siyu.RoleAdmin], tokB[siyu.RoleAdmin]

	a.importOrders(adminB,
		paidOrder(siyu.ChannelTaobao, "B-1", 100, "乙客户", nick("bravo-buyer")),
		paidOrder(siyu.ChannelJD, "B-2", 200, "乙客户", phone("13600006666")),
	)
	a.importOrders(adminB, paidOrder(siyu.ChannelTmall, "B-3", 300, "乙客户", nick("bravo-buyer"), phone("13600006666")))
	custB := a.customer360(adminB, a.findOne(adminB, "bravo-buyer").ID)
	if len(custB.Merges) != 1 {
		t.Fatalf("setup: B's customer has %d merges", len(custB.Merges))
	}
	mergeB := custB.Merges[0].ID
	timelineB := len(custB.Timeline)

	// A has data of its own, so empty answers are not just an empty database.
	a.importOrders(adminA, paidOrder(siyu.ChannelTaobao, "A-1", 100, "甲客户", nick("alpha-buyer")))

	var ws siyu.Workspace
	a.get("/api/v1/workspace", adminA).decode(t, &ws)
	if ws.ID != wsA.ID {
		t.Errorf("A's token sees workspace %d, want %d", ws.ID, wsA.ID)
	}

	for _, id := range []int64{custB.Customer.ID, custB.Merges[0].MergedID, custB.Merges[0].SurvivorID} {
		r := a.get(fmt.Sprintf("/api/v1/customers/%d", id), adminA)
		if r.Status != http.StatusNotFound || strings.Contains(string(r.Body), "乙客户") {
			t.Errorf("A reads B's customer %d: %d %s", id, r.Status, r.Body)
		}
	}
	for _, q := range []string{"bravo-buyer", "13600006666", "%E4%B9%99%E5%AE%A2%E6%88%B7", ""} {
		p := a.search(adminA, q)
		for _, c := range p.Customers {
			if c.WorkspaceID != wsA.ID || c.ID == custB.Customer.ID {
				t.Errorf("A's search %q returns %+v", q, c)
			}
		}
	}

	if r := a.do("POST", fmt.Sprintf("/api/v1/merges/%d/undo", mergeB), adminA, nil); r.Status != http.StatusNotFound {
		t.Errorf("A undoes B's merge: %d %s", r.Status, r.Body)
	}

	r := a.do("POST", "/api/v1/events", adminA, strings.NewReader(fmt.Sprintf(
		`{"events":[{"type":"page.viewed","customer_id":%d}]}`, custB.Customer.ID)))
	if r.Status == http.StatusOK {
		t.Errorf("A records an event on B's customer: %s", r.Body)
	}

	// Orders and events sent with A's token and B's identifiers land in A.
	a.importOrders(adminA, paidOrder(siyu.ChannelTaobao, "B-1", 999, "冒名", nick("bravo-buyer")))
	a.postJSON("/api/v1/events", adminA, map[string]any{"events": []siyu.EventInput{
		{Type: "page.viewed", Identifiers: []siyu.Identifier{nick("bravo-buyer")}},
	}})

	after := a.customer360(adminB, custB.Customer.ID)
	if len(after.Merges) != 1 || after.Merges[0].UndoneAt != nil {
		t.Errorf("B's merge changed: %+v", after.Merges)
	}
	if len(after.Timeline) != timelineB || len(after.Orders) != 3 || after.Customer.TotalPaid != custB.Customer.TotalPaid {
		t.Errorf("B's customer changed: %d events (was %d), %d orders, total %s", len(after.Timeline), timelineB, len(after.Orders), after.Customer.TotalPaid)
	}
	var ownB siyu.Workspace
	a.get("/api/v1/workspace", adminB).decode(t, &ownB)
	if ownB.ID != wsB.ID {
		t.Errorf("B's token sees workspace %d", ownB.ID)
	}
}
