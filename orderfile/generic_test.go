package orderfile

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
)

var gHeader = []string{"channel", "external_id", "status", "placed_at", "paid_at", "amount", "refund",
	"name", "phone", "email", "wechat_openid", "member_no", "province", "city", "address",
	"item_sku", "item_title", "quantity", "item_price", "note"}

var gBase = map[string]string{
	"channel": "jd", "external_id": "JD-1", "status": "completed", "placed_at": "2024-03-01 12:00:00",
	"paid_at": "2024-03-01 12:01:00", "amount": "128.00", "name": "张三", "phone": "13800138000",
	"note": "anything",
}

func TestGenericRows(t *testing.T) {
	tests := []struct {
		name   string
		row    map[string]string
		opts   Options
		check  func(o siyu.OrderInput) error
		field  string
		errHas string
	}{
		{name: "basic", check: func(o siyu.OrderInput) error {
			want := siyu.OrderInput{Channel: siyu.ChannelJD, ExternalID: "JD-1", Status: siyu.StatusCompleted,
				PlacedAt: shanghai("2024-03-01 12:00:00"), PaidAt: shanghaiPtr("2024-03-01 12:01:00"), Amount: 12800,
				BuyerName: "张三", Identifiers: []siyu.Identifier{{Kind: siyu.KindPhone, Value: "13800138000"}}, Line: 2}
			return diff(o, want)
		}},
		{name: "channel upper case", row: map[string]string{"channel": " JD "}, check: channel(siyu.ChannelJD)},
		{name: "channel missing", row: map[string]string{"channel": ""}, field: "channel", errHas: "missing"},
		{name: "channel default", row: map[string]string{"channel": ""}, opts: Options{Channel: siyu.ChannelYouzan}, check: channel(siyu.ChannelYouzan)},
		{name: "channel given beats default", opts: Options{Channel: siyu.ChannelYouzan}, check: channel(siyu.ChannelJD)},
		{name: "channel unknown", row: map[string]string{"channel": "mars"}, field: "channel", errHas: "mars"},
		{name: "external id missing", row: map[string]string{"external_id": " "}, field: "external_id"},
		{name: "external id formula", row: map[string]string{"external_id": `="0012"`}, check: id("0012")},
		{name: "external id apostrophe kept", row: map[string]string{"external_id": "'A1"}, check: id("'A1")},
		{name: "external id too long", row: map[string]string{"external_id": strings.Repeat("9", 129)}, field: "external_id"},

		{name: "status empty paid", row: map[string]string{"status": ""}, check: state(siyu.StatusPaid, 0)},
		{name: "status empty unpaid", row: map[string]string{"status": "", "paid_at": ""}, check: state(siyu.StatusPending, 0)},
		{name: "status upper", row: map[string]string{"status": "Refunded", "refund": "128"}, check: state(siyu.StatusRefunded, 12800)},
		{name: "status refunded in full", row: map[string]string{"status": "refunded"}, check: state(siyu.StatusRefunded, 12800)},
		{name: "status refunded in part", row: map[string]string{"status": "refunded", "refund": "8"}, check: state(siyu.StatusRefunded, 800)},
		{name: "status unknown", row: map[string]string{"status": "交易成功"}, field: "status", errHas: "want pending"},
		{name: "status paid needs paid_at", row: map[string]string{"status": "paid", "paid_at": ""}, field: "paid_at"},

		{name: "time RFC3339 offset", row: map[string]string{"placed_at": "2024-03-01T04:00:00Z"}, check: placed("2024-03-01 12:00:00")},
		{name: "time RFC3339 +08", row: map[string]string{"placed_at": "2024-03-01T12:00:00+08:00"}, check: placed("2024-03-01 12:00:00")},
		{name: "time RFC3339 fraction", row: map[string]string{"placed_at": "2024-03-01T12:00:00.5+08:00"}, check: func(o siyu.OrderInput) error {
			return diffTime(o.PlacedAt, shanghai("2024-03-01 12:00:00").Add(500*time.Millisecond))
		}},
		{name: "time offset with space", row: map[string]string{"placed_at": "2024-03-01 13:00:00+09:00"}, check: placed("2024-03-01 12:00:00")},
		{name: "time date only", row: map[string]string{"placed_at": "2024-03-01"}, check: placed("2024-03-01 00:00:00")},
		{name: "time no offset", row: map[string]string{"placed_at": "2024-03-01T12:00:00"}, check: placed("2024-03-01 12:00:00")},
		{name: "time bad", row: map[string]string{"placed_at": "01/03/2024"}, field: "placed_at", errHas: "RFC 3339"},
		{name: "time missing uses paid_at", row: map[string]string{"placed_at": ""}, check: placed("2024-03-01 12:01:00")},
		{name: "time missing both", row: map[string]string{"placed_at": "", "paid_at": "", "status": ""}, field: "placed_at"},
		{name: "paid_at bad", row: map[string]string{"paid_at": "soon"}, field: "paid_at"},

		{name: "amount missing", row: map[string]string{"amount": ""}, field: "amount"},
		{name: "amount bad", row: map[string]string{"amount": "12.3.4"}, field: "amount"},
		{name: "amount negative", row: map[string]string{"amount": "-3"}, field: "amount", errHas: "negative"},
		{name: "refund partial", row: map[string]string{"refund": "28.00"}, check: amount(12800, 2800)},
		{name: "refund above amount", row: map[string]string{"refund": "200"}, field: "refund"},

		{name: "phone masked", row: map[string]string{"phone": "138****1234"}, check: phones("", "138****1234")},
		{name: "phone apostrophe", row: map[string]string{"phone": "'13800138000"}, check: phones("13800138000", "")},
		{name: "phone spelled", row: map[string]string{"phone": "+86 138-0013-8000"}, check: phones("13800138000", "")},
		{name: "phone invalid", row: map[string]string{"phone": "12345"}, field: "phone"},
		{name: "email lower-cased", row: map[string]string{"email": "Zhang.San@Example.COM"}, check: hasID(siyu.KindEmail, "zhang.san@example.com")},
		{name: "email invalid", row: map[string]string{"email": "nobody"}, field: "email"},
		{name: "openid", row: map[string]string{"wechat_openid": "wx123:oABC"}, check: hasID(siyu.KindOpenID, "wx123:oABC")},
		{name: "openid without app", row: map[string]string{"wechat_openid": "oABC"}, field: "wechat_openid", errHas: "appid"},
		{name: "member number", row: map[string]string{"member_no": "M0001"}, check: hasID(siyu.KindMemberNo, "M0001")},

		{name: "province canonical", row: map[string]string{"province": "浙江", "city": "杭州市"}, check: region("浙江省", "杭州市")},
		{name: "region from address", row: map[string]string{"address": "浙江省杭州市西湖区文三路100号"}, check: region("浙江省", "杭州市")},
		{name: "city kept without province", row: map[string]string{"city": "杭州市", "address": "浙江省 宁波市"}, check: region("", "杭州市")},

		{name: "item defaults", row: map[string]string{"item_title": "T恤"}, check: items(siyu.OrderItem{Title: "T恤", Quantity: 1})},
		{name: "item full", row: map[string]string{"item_sku": "SKU-1", "item_title": "T恤", "quantity": "2", "item_price": "64.00"},
			check: items(siyu.OrderItem{SKU: "SKU-1", Title: "T恤", Quantity: 2, Price: 6400})},
		{name: "item quantity bad", row: map[string]string{"item_title": "T恤", "quantity": "-1"}, field: "quantity"},
		{name: "item price negative", row: map[string]string{"item_title": "T恤", "item_price": "-1"}, field: "item_price"},
		{name: "no item", row: map[string]string{"quantity": "5"}, check: items()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(csvFile(gHeader, merged(gBase, tt.row)))
			o, rerr := readOne(t, data, FormatGeneric, tt.opts)
			if tt.field != "" {
				if rerr == nil {
					t.Fatalf("no error, want one in %s; got %+v", tt.field, o)
				}
				if rerr.Field != tt.field || rerr.Line != 2 || !strings.Contains(rerr.Msg, tt.errHas) {
					t.Fatalf("error %v, want line 2 field %s containing %q", rerr, tt.field, tt.errHas)
				}
				return
			}
			if rerr != nil {
				t.Fatalf("unexpected error %v", rerr)
			}
			if err := tt.check(o); err != nil {
				t.Errorf("%v; order %+v", err, o)
			}
		})
	}
}

func diff(got, want siyu.OrderInput) error {
	if !reflect.DeepEqual(got, want) {
		return errors.New("order differs:\n got  " + sprint(got) + "\n want " + sprint(want))
	}
	return nil
}

func diffTime(got, want time.Time) error {
	if !got.Equal(want) {
		return errors.New("time " + got.String() + ", want " + want.String())
	}
	return nil
}

func hasID(kind siyu.IdentityKind, value string) func(siyu.OrderInput) error {
	return func(o siyu.OrderInput) error {
		if !slices.Contains(o.Identifiers, siyu.Identifier{Kind: kind, Value: value}) {
			return errors.New("missing identifier " + string(kind) + " " + value)
		}
		return nil
	}
}

func TestGenericAmountFen(t *testing.T) {
	h := []string{"channel", "external_id", "placed_at", "amount_fen", "refund_fen", "item_title", "item_price_fen"}
	row := map[string]string{"channel": "youzan", "external_id": "Y1", "placed_at": "2024-03-01", "amount_fen": "12345",
		"refund_fen": "45", "item_title": "杯子", "item_price_fen": "12345"}
	o, rerr := readOne(t, []byte(csvFile(h, row)), FormatGeneric, Options{})
	if rerr != nil {
		t.Fatal(rerr)
	}
	if o.Amount != 12345 || o.Refund != 45 || o.Items[0].Price != 12345 {
		t.Fatalf("got %+v", o)
	}
	_, rerr = readOne(t, []byte(csvFile(h, merged(row, map[string]string{"amount_fen": "12.5"}))), FormatGeneric, Options{})
	if rerr == nil || rerr.Field != "amount_fen" {
		t.Fatalf("error %v, want one in amount_fen", rerr)
	}
	_, rerr = readOne(t, []byte(csvFile(h, merged(row, map[string]string{"amount_fen": "-5", "refund_fen": ""}))), FormatGeneric, Options{})
	if rerr == nil || rerr.Field != "amount_fen" {
		t.Fatalf("error %v, want Prepare's amount error mapped to amount_fen", rerr)
	}
}

func TestGenericDuplicates(t *testing.T) {
	rows := []map[string]string{
		gBase, // line 2
		merged(gBase, map[string]string{"external_id": "JD-2"}),                    // line 3
		merged(gBase, map[string]string{"channel": "taobao"}),                      // line 4: other channel, fine
		merged(gBase, map[string]string{"amount": "1.00"}),                         // line 5: duplicate of line 2
		merged(gBase, map[string]string{"external_id": "JD-3", "amount": "bad"}),   // line 6: rejected
		merged(gBase, map[string]string{"external_id": "JD-3"}),                    // line 7: first good JD-3
		merged(gBase, map[string]string{"external_id": " JD-2 ", "channel": "JD"}), // line 8: duplicate of line 3
	}
	res := readAll(t, []byte(csvFile(gHeader, rows...)), FormatGeneric, Options{})
	var lines []int
	for _, o := range res.orders {
		lines = append(lines, o.Line)
	}
	if !slices.Equal(lines, []int{2, 3, 4, 7}) {
		t.Errorf("accepted lines %v, want [2 3 4 7]", lines)
	}
	if len(res.errs) != 3 {
		t.Fatalf("errors %v, want 3", res.errs)
	}
	for i, want := range []struct {
		line  int
		field string
		has   string
	}{{5, "external_id", "first on line 2"}, {6, "amount", ""}, {8, "external_id", "first on line 3"}} {
		e := res.errs[i]
		if e.Line != want.line || e.Field != want.field || !strings.Contains(e.Msg, want.has) {
			t.Errorf("error %d = %v, want line %d field %s with %q", i, e, want.line, want.field, want.has)
		}
	}
}

func TestGenericHeader(t *testing.T) {
	tests := []struct {
		name   string
		header string
		opts   Options
		errHas []string // nil: no error
	}{
		{"minimal", "channel,external_id,placed_at,amount", Options{}, nil},
		{"case and spaces", " Channel , EXTERNAL_ID,Placed_At,Amount_Fen", Options{}, nil},
		{"channel optional with default", "external_id,placed_at,amount", Options{Channel: siyu.ChannelOffline}, nil},
		{"missing", "external_id,amount", Options{}, []string{"channel", "placed_at"}},
		{"missing amount", "channel,external_id,placed_at", Options{}, []string{"amount (or amount_fen)"}},
		{"both amounts", "channel,external_id,placed_at,amount,amount_fen", Options{}, []string{"amount", "amount_fen", "keep one"}},
		{"duplicate", "channel,external_id,placed_at,amount,Phone,phone", Options{}, []string{"twice", "columns 5 and 6"}},
		{"duplicate unknown column is fine", "channel,external_id,placed_at,amount,note,note", Options{}, nil},
		{"taobao file", "订单编号,订单状态", Options{}, []string{"taobao format"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReaderOptions(strings.NewReader(tt.header+"\r\n"), FormatGeneric, tt.opts)
			if tt.errHas == nil {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if got := r.Header(); len(got) != strings.Count(tt.header, ",")+1 || got[0] != strings.TrimSpace(strings.Split(tt.header, ",")[0]) {
					t.Errorf("Header() = %q", got)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range tt.errHas {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func sampleOrders(n int) []siyu.OrderInput {
	statuses := []siyu.OrderStatus{siyu.StatusPending, siyu.StatusPaid, siyu.StatusShipped, siyu.StatusCompleted, siyu.StatusRefunded, siyu.StatusClosed}
	base := time.Date(2024, 3, 1, 2, 0, 0, 0, time.UTC)
	orders := make([]siyu.OrderInput, n)
	for i := range orders {
		o := siyu.OrderInput{
			Channel:    siyu.Channels[i%len(siyu.Channels)],
			ExternalID: "O" + strings.Repeat("0", i%3) + itoa(i),
			Status:     statuses[i%len(statuses)],
			PlacedAt:   base.Add(time.Duration(i) * time.Minute),
			Amount:     siyu.Fen(100 + i*13),
			BuyerName:  "顾客" + itoa(i),
			Receiver:   "收货人, \"甲\"",
			Province:   "浙江省",
			City:       "杭州市",
			Address:    "浙江省 杭州市 西湖区\n文三路 " + itoa(i) + "号",
			Identifiers: []siyu.Identifier{
				{Kind: siyu.KindUnionID, Value: "u" + itoa(i)},
				{Kind: siyu.KindOpenID, Value: "wxapp:o" + itoa(i)},
			},
		}
		if o.Status != siyu.StatusPending && o.Status != siyu.StatusClosed {
			t := o.PlacedAt.Add(90*time.Second + 250*time.Millisecond)
			o.PaidAt = &t
		}
		switch {
		case o.Status == siyu.StatusRefunded:
			o.Refund = o.Amount
		case o.Status == siyu.StatusCompleted:
			o.Refund = siyu.Fen(i % 7)
		}
		if i%2 == 0 {
			o.Identifiers = append(o.Identifiers, siyu.Identifier{Kind: siyu.KindPhone, Value: "139" + pad8(i)})
		} else {
			o.MaskedPhone = "139****" + pad8(i)[4:]
		}
		if i%3 != 0 {
			o.Items = []siyu.OrderItem{{SKU: "SKU" + itoa(i%10), Title: "商品 " + itoa(i), Quantity: 1 + i%4, Price: siyu.Fen(50 + i)}}
		}
		orders[i] = o
	}
	return orders
}

func itoa(i int) string { return strconv.Itoa(i) }

func pad8(i int) string { return fmt.Sprintf("%08d", i) }

func TestGenericRoundTrip(t *testing.T) {
	orders := sampleOrders(300)
	var buf bytes.Buffer
	w := NewGenericWriter(&buf)
	for _, o := range orders {
		if err := w.Write(o); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	res := readAll(t, buf.Bytes(), FormatGeneric, Options{})
	if len(res.errs) > 0 || len(res.orders) != len(orders) {
		t.Fatalf("got %d orders, errors %v; want %d orders", len(res.orders), res.errs, len(orders))
	}
	line := 2
	for i, want := range orders {
		want.Line = line
		line += 1 + strings.Count(want.Address, "\n")
		if err := want.Prepare(); err != nil {
			t.Fatalf("sample %d does not prepare: %v", i, err)
		}
		got := res.orders[i]
		sortIDs(got.Identifiers)
		sortIDs(want.Identifiers)
		if err := diff(got, want); err != nil {
			t.Fatalf("order %d: %v", i, err)
		}
	}
}

func sortIDs(ids []siyu.Identifier) {
	slices.SortFunc(ids, func(a, b siyu.Identifier) int { return strings.Compare(string(a.Kind), string(b.Kind)) })
}

func TestGenericWriterRefuses(t *testing.T) {
	o := sampleOrders(2)[1]
	o.Items = append(o.Items, o.Items[0])
	w := NewGenericWriter(&bytes.Buffer{})
	if err := w.Write(o); err == nil || !strings.Contains(err.Error(), "one item") {
		t.Errorf("two items: err = %v", err)
	}
	o = sampleOrders(1)[0]
	o.Identifiers = append(o.Identifiers, siyu.Identifier{Kind: siyu.KindPhone, Value: "13700137000"})
	if err := w.Write(o); err == nil || !strings.Contains(err.Error(), "two phone") {
		t.Errorf("two phones: err = %v", err)
	}
}

func TestGenericWriterEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := NewGenericWriter(&buf).Flush(); err != nil {
		t.Fatal(err)
	}
	r, err := NewReader(&buf, FormatGeneric)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Header(), GenericHeader) {
		t.Errorf("header %v, want %v", r.Header(), GenericHeader)
	}
}

// The example of docs/IMPORT-FORMATS.md.
const docExample = `channel,external_id,status,placed_at,paid_at,amount,refund,name,phone,wechat_unionid,province,city,address,item_sku,item_title,quantity,item_price
jd,JD2024030100017,completed,2024-03-01 12:34:56,2024-03-01 12:35:10,128.00,,王小明,13800138000,,浙江省,杭州市,浙江省杭州市西湖区文三路100号,LJ-250,明前龙井 250g,1,128.00
youzan,E20240301000042,refunded,2024-03-02T09:00:00+08:00,2024-03-02T09:01:00+08:00,59.90,59.90,李雷,138****1234,oUnion123,,,,,,,
offline,POS-7-0001,paid,2024-03-03,2024-03-03,35,,,,,上海,,,,,,
`

func TestGenericDocExample(t *testing.T) {
	res := readAll(t, []byte(docExample), FormatGeneric, Options{})
	if len(res.errs) > 0 || len(res.orders) != 3 {
		t.Fatalf("got %d orders, errors %v", len(res.orders), res.errs)
	}
	jd, yz, pos := res.orders[0], res.orders[1], res.orders[2]
	if jd.Amount != 12800 || jd.Items[0].Price != 12800 || jd.Items[0].Title != "明前龙井 250g" || !jd.PlacedAt.Equal(shanghai("2024-03-01 12:34:56")) {
		t.Errorf("jd order %+v", jd)
	}
	if yz.Status != siyu.StatusRefunded || yz.Refund != 5990 || yz.MaskedPhone != "138****1234" ||
		!slices.Equal(yz.Identifiers, []siyu.Identifier{{Kind: siyu.KindUnionID, Value: "oUnion123"}}) {
		t.Errorf("youzan order %+v", yz)
	}
	if pos.Province != "上海市" || pos.Amount != 3500 || pos.Line != 4 {
		t.Errorf("offline order %+v", pos)
	}
}
