package httpapi

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
)

var paidAt = time.Date(2024, 6, 18, 12, 30, 0, 0, time.UTC)

// paidOrder is a paid order of the buyer known by ids.
func paidOrder(ch siyu.Channel, externalID string, amount siyu.Fen, buyer string, ids ...siyu.Identifier) siyu.OrderInput {
	paid := paidAt
	return siyu.OrderInput{
		Channel: ch, ExternalID: externalID, Status: siyu.StatusPaid,
		PlacedAt: paid.Add(-5 * time.Minute), PaidAt: &paid, Amount: amount,
		BuyerName: buyer, Province: "浙江省", City: "杭州市", Identifiers: ids,
		Items: []siyu.OrderItem{{SKU: "TEA-1", Title: "龙井 250g", Quantity: 1, Price: amount}},
	}
}

func phone(p string) siyu.Identifier { return siyu.Identifier{Kind: siyu.KindPhone, Value: p} }
func nick(n string) siyu.Identifier  { return siyu.Identifier{Kind: siyu.KindTaobaoNick, Value: n} }

func TestImportOrdersIdempotent(t *testing.T) {
	a := newTestAPI(t)
	_, tokens := a.workspace("alpha")
	tok := tokens[siyu.RoleOperator]

	batch := []siyu.OrderInput{
		paidOrder(siyu.ChannelTaobao, "TB-1", 12900, "王小明", nick("xiaoming"), phone("138 0013 8000")),
		paidOrder(siyu.ChannelTaobao, "TB-2", 5000, "王小明", nick("xiaoming")),
		paidOrder(siyu.ChannelJD, "JD-1", 39900, "李华", siyu.Identifier{Kind: siyu.KindJDBuyerID, Value: "lihua88"}),
	}
	res := a.importOrders(tok, batch...)
	if res.Rows != 3 || res.Inserted != 3 || res.Updated != 0 || res.Unchanged != 0 || res.Rejected != 0 || res.NewCustomers != 2 {
		t.Fatalf("first import: %+v", res)
	}

	res = a.importOrders(tok, batch...)
	if res.Rows != 3 || res.Inserted != 0 || res.Updated != 0 || res.Unchanged != 3 || res.NewCustomers != 0 {
		t.Fatalf("same batch again: %+v", res)
	}

	batch[1].Amount = 4500
	batch[1].Items[0].Price = 4500
	res = a.importOrders(tok, batch...)
	if res.Inserted != 0 || res.Updated != 1 || res.Unchanged != 2 {
		t.Fatalf("changed amount: %+v", res)
	}

	c := a.customer360(tok, a.findOne(tok, "xiaoming").ID)
	if c.Customer.OrderCount != 2 || c.Customer.TotalPaid != 12900+4500 || len(c.Orders) != 2 {
		t.Errorf("xiaoming after update: %d orders, total %s, %d listed", c.Customer.OrderCount, c.Customer.TotalPaid, len(c.Orders))
	}
}

func TestImportOrdersRejectsBadRowsByIndex(t *testing.T) {
	a := newTestAPI(t)
	_, tokens := a.workspace("alpha")
	tok := tokens[siyu.RoleOperator]

	bad := paidOrder("ebay", "X-1", 100, "某人", nick("someone"))
	negative := paidOrder(siyu.ChannelTaobao, "X-2", -1, "某人", nick("someone"))
	// Amounts that no order has would overflow the customer's total.
	huge := paidOrder(siyu.ChannelTaobao, "X-3", 1<<62, "某人", nick("someone"))
	huge.Items[0].Price = 100
	hugeItem := paidOrder(siyu.ChannelTaobao, "X-4", 100, "某人", nick("someone"))
	hugeItem.Items[0].Quantity = 1 << 40
	res := a.importOrders(tok,
		paidOrder(siyu.ChannelTaobao, "OK-1", 100, "张三", nick("zhangsan")),
		bad,
		huge,
		negative,
		hugeItem,
		paidOrder(siyu.ChannelTaobao, "OK-2", 1_000_000_000_000, "张三", nick("zhangsan")),
		paidOrder(siyu.ChannelTaobao, "OK-3", 1_000_000_000_000, "张三", nick("zhangsan")),
	)
	if res.Rows != 7 || res.Inserted != 3 || res.Rejected != 4 || len(res.Errors) != 4 {
		t.Fatalf("result %+v", res)
	}
	want := []struct {
		line  int
		field string
	}{{2, "orders[1].channel"}, {3, "orders[2].amount_fen"}, {4, "orders[3].amount_fen"}, {5, "orders[4].items[0]"}}
	for i, w := range want {
		if e := res.Errors[i]; e.Line != w.line || e.Field != w.field || e.Msg == "" {
			t.Errorf("error %d = %+v, want line %d field %s", i, e, w.line, w.field)
		}
	}
}

func TestImportOrdersStrict(t *testing.T) {
	a := newTestAPI(t)
	_, tokens := a.workspace("alpha")
	tok := tokens[siyu.RoleOperator]

	unpaid := paidOrder(siyu.ChannelTaobao, "S-3", 100, "王五", nick("wangwu"))
	unpaid.PaidAt = nil
	batch := map[string]any{"orders": []siyu.OrderInput{
		paidOrder(siyu.ChannelTaobao, "S-1", 100, "赵六", nick("zhaoliu")),
		paidOrder(siyu.ChannelTaobao, "", 100, "赵六", nick("zhaoliu")),
		unpaid,
	}}
	r := a.postJSON("/api/v1/orders?strict=true", tok, batch)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("strict with bad rows: %d %s", r.Status, r.Body)
	}
	e := r.apiError(t)
	if e.Error.Code != "invalid_rows" || e.Error.Field != "orders[1].external_id" || len(e.Error.Errors) != 2 ||
		e.Error.Errors[1].Field != "orders[2].paid_at" || e.Error.Errors[1].Line != 3 {
		t.Errorf("error %+v", e.Error)
	}
	if p := a.search(tok, "zhaoliu"); p.Total != 0 || len(p.Customers) != 0 {
		t.Errorf("strict mode stored something: %+v", p)
	}

	if r := a.do("POST", "/api/v1/orders?strict=maybe", tok, strings.NewReader(`{"orders":[]}`)); r.Status != http.StatusBadRequest || r.apiError(t).Error.Field != "strict" {
		t.Errorf("strict=maybe: %d %s", r.Status, r.Body)
	}

	huge := paidOrder(siyu.ChannelTaobao, "S-5", 1_000_000_000_001, "赵六", nick("zhaoliu"))
	r = a.postJSON("/api/v1/orders?strict=true", tok, map[string]any{"orders": []siyu.OrderInput{huge}})
	if r.Status != http.StatusUnprocessableEntity || r.apiError(t).Error.Field != "orders[0].amount_fen" {
		t.Errorf("strict with a huge amount: %d %s", r.Status, r.Body)
	}

	// The same batch without strict stores the good row.
	r = a.postJSON("/api/v1/orders?strict=false", tok, batch)
	var res siyu.ImportResult
	r.decode(t, &res)
	if r.Status != http.StatusOK || res.Inserted != 1 || res.Rejected != 2 {
		t.Errorf("non-strict: %d %+v", r.Status, res)
	}
	// A clean batch passes strict mode.
	r = a.postJSON("/api/v1/orders?strict=1", tok, map[string]any{"orders": []siyu.OrderInput{
		paidOrder(siyu.ChannelTmall, "S-4", 100, "赵六", nick("zhaoliu")),
	}})
	res = siyu.ImportResult{}
	r.decode(t, &res)
	if r.Status != http.StatusOK || res.Inserted != 1 {
		t.Errorf("clean strict batch: %d %s", r.Status, r.Body)
	}
}

func TestImportOrdersLimits(t *testing.T) {
	a := newTestAPI(t)
	_, tokens := a.workspace("alpha")
	tok := tokens[siyu.RoleOperator]

	// Over 20 MB, announced and streamed (chunked, no Content-Length).
	big := `{"orders":[{"channel":"jd","external_id":"` + strings.Repeat("x", MaxBodyBytes) + `"}]}`
	for name, body := range map[string]io.Reader{
		"with length": strings.NewReader(big),
		"chunked":     struct{ io.Reader }{strings.NewReader(big)},
	} {
		r := a.do("POST", "/api/v1/orders", tok, body)
		if r.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("%s: %d, want 413: %.200s", name, r.Status, r.Body)
		} else if e := r.apiError(t); e.Error.Code != "body_too_large" || !strings.Contains(e.Error.Message, "20 MB") {
			t.Errorf("%s: %+v", name, e.Error)
		}
	}

	var rows bytes.Buffer
	rows.WriteString(`{"orders":[`)
	for i := range MaxRowsPerBatch + 1 {
		if i > 0 {
			rows.WriteByte(',')
		}
		fmt.Fprintf(&rows, `{"channel":"jd","external_id":"L-%d"}`, i)
	}
	rows.WriteString(`]}`)
	r := a.do("POST", "/api/v1/orders", tok, &rows)
	if r.Status != http.StatusRequestEntityTooLarge || r.apiError(t).Error.Code != "too_many_rows" {
		t.Errorf("%d orders: %d %s", MaxRowsPerBatch+1, r.Status, r.Body)
	}
}

func TestImportOrdersMalformed(t *testing.T) {
	a := newTestAPI(t)
	_, tokens := a.workspace("alpha")
	tok := tokens[siyu.RoleOperator]

	tests := []struct {
		body, code, field, inMessage string
	}{
		{`{"orders":[{"channel":"jd" "external_id":"1"}]}`, "malformed_json", "", "byte offset 27"},
		{`{"orders":[{"channel":"jd","colour":"red"}]}`, "unknown_field", "orders[0].colour", "unknown field"},
		{`{"orders":[{"channel":"jd","amount_fen":"129.00"}]}`, "invalid_value", "orders[0].amount_fen", "fen"},
		{`{"orders":[{},{"placed_at":"18/06/2024"}]}`, "invalid_value", "orders[1].placed_at", "RFC 3339"},
		{` `, "empty_body", "", "empty"},
	}
	for _, tt := range tests {
		r := a.do("POST", "/api/v1/orders", tok, strings.NewReader(tt.body))
		if r.Status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400: %s", tt.body, r.Status, r.Body)
			continue
		}
		e := r.apiError(t)
		if e.Error.Code != tt.code || e.Error.Field != tt.field || !strings.Contains(e.Error.Message, tt.inMessage) {
			t.Errorf("%s: %+v, want %s %q containing %q", tt.body, e.Error, tt.code, tt.field, tt.inMessage)
		}
	}
}
