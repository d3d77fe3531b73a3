package httpapi

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"siyu.dev/siyu"
)

func TestDecodeBatchErrors(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		status    int
		code      string
		field     string
		inMessage string
	}{
		{"not an object", `[1,2]`, 400, "malformed_json", "", `{"orders":[...]}`},
		{"syntax error names the byte", `{"orders":[{"channel":"jd",}]}`, 400, "malformed_json", "", "at byte offset 27 (line 1, column 28)"},
		{"syntax error on a later line", "{\"orders\":[\n{\"channel\":\n x}]}", 400, "malformed_json", "", "line 3, column 2"},
		{"truncated", `{"orders":[{"channel":"jd"`, 400, "malformed_json", "", "ends early, at byte offset 26"},
		{"trailing data", `{"orders":[]} {}`, 400, "malformed_json", "", "at byte offset 14 (line 1, column 15): invalid character '{' after top-level value"},
		{"unknown top-level field", `{"order":[]}`, 400, "unknown_field", "order", `unknown field "order"`},
		{"missing orders", `{}`, 400, "missing_field", "orders", "missing"},
		{"orders twice", `{"orders":[],"orders":[]}`, 400, "malformed_json", "orders", "twice"},
		{"orders not an array", `{"orders":{}}`, 400, "malformed_json", "orders", "array"},
		{"unknown row field", `{"orders":[{},{"chanel":"jd"}]}`, 400, "unknown_field", "orders[1].chanel", "unknown field"},
		{"line is not settable", `{"orders":[{"Line":3}]}`, 400, "unknown_field", "orders[0].Line", "unknown field"},
		{"unknown nested field", `{"orders":[{"identifiers":[{"kind":"phone","value":"1","extra":1}]}]}`, 400, "unknown_field", "orders[0].identifiers[0].extra", "unknown field"},
		{"amount as string", `{"orders":[{"amount_fen":"12.50"}]}`, 400, "invalid_value", "orders[0].amount_fen", "integer amount in fen"},
		{"amount with decimals", `{"orders":[{"amount_fen":12.5}]}`, 400, "invalid_value", "orders[0].amount_fen", "got number 12.5"},
		{"bad time", `{"orders":[{"placed_at":"2024-06-18 20:30"}]}`, 400, "invalid_value", "orders[0].placed_at", "RFC 3339"},
		{"time as number", `{"orders":[{},{},{"paid_at":17}]}`, 400, "invalid_value", "orders[2].paid_at", "RFC 3339"},
		{"nested type error", `{"orders":[{"items":[{"quantity":"2"}]}]}`, 400, "invalid_value", "orders[0].items[0].quantity", "want an integer, got string"},
		{"NUL in a string", `{"orders":[{"external_id":"A\u0000"}]}`, 400, "invalid_value", "orders[0].external_id", "NUL"},
		{"NUL deep down", `{"orders":[{"items":[{},{"title":"\u0000"}]}]}`, 400, "invalid_value", "orders[0].items[1].title", "NUL"},
		{"number out of range", `{"orders":[{"amount_fen":1e400}]}`, 400, "invalid_value", "orders[0].amount_fen", "got number 1e400"},
		{"row not an object", `{"orders":[3]}`, 400, "invalid_value", "orders[0]", "want an object, got number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeBatch[siyu.OrderInput]([]byte(tt.body), "orders")
			var ae *apiError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want an apiError", err)
			}
			if ae.Status != tt.status || ae.Code != tt.code || ae.Field != tt.field || !strings.Contains(ae.Message, tt.inMessage) {
				t.Errorf("got %d %s field=%q %q; want %d %s field=%q containing %q",
					ae.Status, ae.Code, ae.Field, ae.Message, tt.status, tt.code, tt.field, tt.inMessage)
			}
		})
	}
}

func TestDecodeBatchRows(t *testing.T) {
	body := `{"orders":[
		{"channel":"jd","external_id":"A1","placed_at":"2024-06-18T20:30:00+08:00","amount_fen":1250,
		 "identifiers":[{"kind":"phone","value":"13800138000"}],"items":[{"title":"茶","quantity":2,"price_fen":625}]},
		null
	]}`
	rows, err := decodeBatch[siyu.OrderInput]([]byte(body), "orders")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("got %d rows, want 2", len(rows))
	}
	o := rows[0]
	if o.Channel != siyu.ChannelJD || o.ExternalID != "A1" || o.Amount != 1250 || o.PlacedAt.UTC().Hour() != 12 ||
		len(o.Identifiers) != 1 || len(o.Items) != 1 || o.Items[0].Title != "茶" {
		t.Errorf("row decoded as %+v", o)
	}

	empty, err := decodeBatch[siyu.OrderInput]([]byte(`{"orders":[]}`), "orders")
	if err != nil || empty == nil || len(empty) != 0 {
		t.Errorf("empty batch: %v, %v", empty, err)
	}
}

func TestDecodeBatchNULInEventProps(t *testing.T) {
	_, err := decodeBatch[siyu.EventInput]([]byte(`{"events":[{"type":"x","props":{"page":["/a","\u0000"]}}]}`), "events")
	var ae *apiError
	if !errors.As(err, &ae) || ae.Field != "events[0].props.page[1]" {
		t.Fatalf("err = %v, want events[0].props.page[1] named", err)
	}
}

func TestDecodeBatchHugePropNumber(t *testing.T) {
	_, err := decodeBatch[siyu.EventInput]([]byte(`{"events":[{"type":"x","props":{"n":-1e999}}]}`), "events")
	var ae *apiError
	if !errors.As(err, &ae) || ae.Field != "events[0].props" || ae.Message != "number -1e999 is out of range" {
		t.Fatalf("err = %#v", err)
	}
}

func TestDecodeBatchTooManyRows(t *testing.T) {
	body := `{"events":[` + strings.Repeat(`{},`, MaxRowsPerBatch) + `{}]}`
	_, err := decodeBatch[siyu.EventInput]([]byte(body), "events")
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status != http.StatusRequestEntityTooLarge || ae.Code != "too_many_rows" {
		t.Fatalf("err = %v, want 413 too_many_rows", err)
	}
	ok := `{"events":[` + strings.Repeat(`{},`, MaxRowsPerBatch-1) + `{}]}`
	if rows, err := decodeBatch[siyu.EventInput]([]byte(ok), "events"); err != nil || len(rows) != MaxRowsPerBatch {
		t.Fatalf("%d rows: %d, %v", MaxRowsPerBatch, len(rows), err)
	}
}

func TestRowField(t *testing.T) {
	tests := []struct {
		line  int
		field string
		want  string
	}{
		{1, "channel", "orders[0].channel"},
		{3, "amount", "orders[2].amount_fen"},
		{3, "refund", "orders[2].refund_fen"},
		{2, "identifiers[1].phone", "orders[1].identifiers[1]"},
		{2, "items[0]", "orders[1].items[0]"},
		{5, "", "orders[4]"},
		{0, "channel", "channel"},
	}
	for _, tt := range tests {
		if got := rowField("orders", tt.line, tt.field); got != tt.want {
			t.Errorf("rowField(%d, %q) = %q, want %q", tt.line, tt.field, got, tt.want)
		}
	}
}

func TestBearerToken(t *testing.T) {
	tests := []struct {
		header string
		want   string
		ok     bool
	}{
		{"Bearer siyu_abc", "siyu_abc", true},
		{"bearer  siyu_abc ", "siyu_abc", true},
		{"Basic dXNlcjpwdw==", "", false},
		{"Bearer", "", false},
		{"Bearer   ", "", false},
		{"", "", false},
		{"siyu_abc", "", false},
	}
	for _, tt := range tests {
		got, ok := bearerToken(tt.header)
		if got != tt.want || ok != tt.ok {
			t.Errorf("bearerToken(%q) = %q, %v; want %q, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}
