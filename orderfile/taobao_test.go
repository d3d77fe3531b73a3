package orderfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"siyu.dev/siyu"
)

func TestTaobaoHandwrittenGBKFixture(t *testing.T) {
	data, err := os.ReadFile("testdata/taobao_handwritten_gbk.csv")
	if err != nil {
		t.Fatal(err)
	}
	if utf8.Valid(data) {
		t.Fatal("fixture should be GBK, but it is valid UTF-8")
	}
	res := readAll(t, data, FormatTaobao, Options{})

	want := []siyu.OrderInput{{
		Channel: siyu.ChannelTaobao, ExternalID: "1001", Status: siyu.StatusCompleted,
		PlacedAt: shanghai("2024-03-01 12:34:56"), PaidAt: shanghaiPtr("2024-03-01 12:35:10"),
		Amount: 12800, BuyerName: "王小明", Receiver: "王小明", Province: "浙江省", City: "杭州市",
		Address:     "浙江省 杭州市 西湖区 文三路 100号",
		Identifiers: []siyu.Identifier{{Kind: siyu.KindTaobaoNick, Value: "tb_alice"}, {Kind: siyu.KindPhone, Value: "13800138000"}},
		Items:       []siyu.OrderItem{{Title: "纯棉T恤 白色 L", Quantity: 2}},
		Line:        2,
	}, {
		Channel: siyu.ChannelTaobao, ExternalID: "1002", Status: siyu.StatusPaid,
		PlacedAt: shanghai("2024-03-02 08:05:00"), PaidAt: shanghaiPtr("2024-03-02 08:06:00"),
		Amount: 6650, BuyerName: "李雷", Receiver: "李雷", Province: "北京市", City: "北京市",
		Address: "北京 北京市 朝阳区 建国路 1号", MaskedPhone: "138****1234",
		Items: []siyu.OrderItem{{Title: "保温杯", Quantity: 1}},
		Line:  3,
	}, {
		Channel: siyu.ChannelTaobao, ExternalID: "1003", Status: siyu.StatusPending,
		PlacedAt: shanghai("2024-03-03 23:59:59"),
		Amount:   3500, BuyerName: "韩梅梅", Receiver: "韩梅梅", Province: "上海市", City: "上海市",
		Address:     "上海 上海市 浦东新区 世纪大道 8号",
		Identifiers: []siyu.Identifier{{Kind: siyu.KindTaobaoNick, Value: "韩梅梅"}},
		Line:        5,
	}, {
		Channel: siyu.ChannelTaobao, ExternalID: "1004", Status: siyu.StatusRefunded,
		PlacedAt: shanghai("2024-03-04 10:00:00"), PaidAt: shanghaiPtr("2024-03-04 10:01:00"),
		Amount: 5990, Refund: 5990, BuyerName: "赵四", Receiver: "赵四", Province: "内蒙古自治区", City: "呼和浩特市",
		Address:     "内蒙古自治区 呼和浩特市 新城区 中山路 9号",
		Identifiers: []siyu.Identifier{{Kind: siyu.KindTaobaoNick, Value: "buyer_四"}},
		Items:       []siyu.OrderItem{{Title: "帆布鞋", Quantity: 1}},
		Line:        6,
	}, {
		Channel: siyu.ChannelTaobao, ExternalID: "1005", Status: siyu.StatusCompleted,
		PlacedAt: shanghai("2024-03-05 10:00:00"), PaidAt: shanghaiPtr("2024-03-05 10:00:30"),
		Amount: 9900, Refund: 2000, BuyerName: "钱五", Receiver: "钱五", Province: "湖北省", City: "恩施土家族苗族自治州",
		Address:     "湖北省 恩施土家族苗族自治州 恩施市",
		Identifiers: []siyu.Identifier{{Kind: siyu.KindTaobaoNick, Value: "buyer5"}, {Kind: siyu.KindPhone, Value: "13900139000"}},
		Items:       []siyu.OrderItem{{Title: "围巾", Quantity: 1}},
		Line:        7,
	}, {
		Channel: siyu.ChannelTaobao, ExternalID: "1006", Status: siyu.StatusClosed,
		PlacedAt: shanghai("2024-03-06 10:00:00"),
		Amount:   1000, BuyerName: "孙六", Receiver: "孙六", Province: "江苏省", City: "苏州市",
		Address:     "江苏省 苏州市 姑苏区",
		Identifiers: []siyu.Identifier{{Kind: siyu.KindTaobaoNick, Value: "buyer6"}},
		Line:        8,
	}, {
		Channel: siyu.ChannelTaobao, ExternalID: "1008", Status: siyu.StatusShipped,
		PlacedAt: shanghai("2024-03-08 10:00:00"), PaidAt: shanghaiPtr("2024-03-08 11:00:00"),
		Amount: 4500, BuyerName: "吴八", Receiver: "吴八", Province: "广西壮族自治区", City: "南宁市",
		Address:     "广西壮族自治区 南宁市 青秀区",
		Identifiers: []siyu.Identifier{{Kind: siyu.KindTaobaoNick, Value: "buyer8"}, {Kind: siyu.KindPhone, Value: "13700137000"}},
		Line:        10,
	}}
	if len(res.orders) != len(want) {
		t.Fatalf("got %d orders, want %d: %+v", len(res.orders), len(want), res.orders)
	}
	for i := range want {
		if !reflect.DeepEqual(res.orders[i], want[i]) {
			t.Errorf("order %d:\n got  %+v\n want %+v", i, res.orders[i], want[i])
		}
	}
	if len(res.errs) != 1 || res.errs[0].Line != 9 || res.errs[0].Field != "订单创建时间" {
		t.Errorf("errors = %v, want one on line 9 in 订单创建时间", res.errs)
	}
}

// tbHeader is a short order report header for row tests.
var tbHeader = []string{"订单编号", "买家会员名", "买家实际支付金额", "订单状态", "收货人姓名", "收货地址",
	"联系电话", "联系手机", "订单创建时间", "订单付款时间", "宝贝标题", "宝贝总数量", "退款金额", "店铺类型"}

var tbBase = map[string]string{
	"订单编号": `="2001"`, "买家会员名": "nick1", "买家实际支付金额": "100.00", "订单状态": "交易成功",
	"收货人姓名": "张三", "收货地址": "浙江省 杭州市 西湖区 文三路 100号", "联系手机": "'13800138000",
	"订单创建时间": "2024-03-01 12:00:00", "订单付款时间": "2024-03-01 12:01:00",
	"宝贝标题": "T恤", "宝贝总数量": "1", "退款金额": "0.00",
}

func TestTaobaoRows(t *testing.T) {
	tests := []struct {
		name   string
		row    map[string]string
		opts   Options
		check  func(o siyu.OrderInput) error
		field  string // expected error field; "" for success
		errHas string
	}{
		{name: "order id formula", row: map[string]string{"订单编号": `="3365028129112345678"`}, check: id("3365028129112345678")},
		{name: "order id quoted formula", row: map[string]string{"订单编号": `"=""2002"""`}, check: id("2002")},
		{name: "order id leading tab", row: map[string]string{"订单编号": "\t2003"}, check: id("2003")},
		{name: "order id apostrophe", row: map[string]string{"订单编号": "'2004"}, check: id("2004")},
		{name: "order id spaces", row: map[string]string{"订单编号": `" 2005 "`}, check: id("2005")},
		{name: "order id ruined by Excel", row: map[string]string{"订单编号": "3.36502812911234E+18"}, field: "订单编号", errHas: "Excel"},
		{name: "order id missing", row: map[string]string{"订单编号": `=""`}, field: "订单编号"},

		{name: "amount with yuan sign", row: map[string]string{"买家实际支付金额": `"￥1,234.50"`}, check: amount(123450, 0)},
		{name: "amount formula", row: map[string]string{"买家实际支付金额": `="88.8"`}, check: amount(8880, 0)},
		{name: "amount sub-fen", row: map[string]string{"买家实际支付金额": "12.345"}, field: "买家实际支付金额"},
		{name: "amount missing", row: map[string]string{"买家实际支付金额": ""}, field: "买家实际支付金额"},
		{name: "amount negative", row: map[string]string{"买家实际支付金额": "-1.00"}, field: "买家实际支付金额"},

		{name: "time slashes no seconds", row: map[string]string{"订单创建时间": "2024/3/1 9:05"}, check: placed("2024-03-01 09:05:00")},
		{name: "time T", row: map[string]string{"订单创建时间": "2024-03-01T12:00:00"}, check: placed("2024-03-01 12:00:00")},
		{name: "time date only", row: map[string]string{"订单创建时间": "2024-03-01"}, check: placed("2024-03-01 00:00:00")},
		{name: "time Feb 30", row: map[string]string{"订单创建时间": "2024-02-30 10:00:00"}, field: "订单创建时间"},
		{name: "time missing", row: map[string]string{"订单创建时间": ""}, field: "订单创建时间"},
		{name: "paid time bad", row: map[string]string{"订单付款时间": "yesterday"}, field: "订单付款时间"},
		{name: "paid state needs paid time", row: map[string]string{"订单付款时间": ""}, field: "订单付款时间", errHas: "payment time"},

		{name: "state wait pay", row: map[string]string{"订单状态": "等待买家付款", "订单付款时间": ""}, check: state(siyu.StatusPending, 0)},
		{name: "state paid ascii comma", row: map[string]string{"订单状态": `"买家已付款,等待卖家发货"`}, check: state(siyu.StatusPaid, 0)},
		{name: "state paid full-width comma", row: map[string]string{"订单状态": "买家已付款，等待卖家发货"}, check: state(siyu.StatusPaid, 0)},
		{name: "state wait ship", row: map[string]string{"订单状态": "等待卖家发货"}, check: state(siyu.StatusPaid, 0)},
		{name: "state shipped", row: map[string]string{"订单状态": "卖家已发货，等待买家确认"}, check: state(siyu.StatusShipped, 0)},
		{name: "state wait confirm", row: map[string]string{"订单状态": "等待买家确认收货"}, check: state(siyu.StatusShipped, 0)},
		{name: "state API code", row: map[string]string{"订单状态": "TRADE_FINISHED"}, check: state(siyu.StatusCompleted, 0)},
		{name: "state unknown", row: map[string]string{"订单状态": "火星"}, field: "订单状态", errHas: "火星"},
		{name: "success with partial refund", row: map[string]string{"退款金额": "30.00"}, check: state(siyu.StatusCompleted, 3000)},
		{name: "closed unpaid", row: map[string]string{"订单状态": "交易关闭", "订单付款时间": "", "退款金额": ""}, check: state(siyu.StatusClosed, 0)},
		{name: "closed unpaid ignores refund", row: map[string]string{"订单状态": "交易关闭", "订单付款时间": "", "退款金额": "5.00"}, check: state(siyu.StatusClosed, 0)},
		{name: "closed paid no refund column value", row: map[string]string{"订单状态": "交易关闭", "退款金额": ""}, check: state(siyu.StatusRefunded, 10000)},
		{name: "closed paid zero refund", row: map[string]string{"订单状态": "交易关闭", "退款金额": "0.00"}, check: state(siyu.StatusRefunded, 10000)},
		{name: "closed paid full refund", row: map[string]string{"订单状态": "交易关闭", "退款金额": "100.00"}, check: state(siyu.StatusRefunded, 10000)},
		{name: "closed paid partial refund", row: map[string]string{"订单状态": "交易关闭", "退款金额": "40.00"}, check: state(siyu.StatusCompleted, 4000)},
		{name: "closed refund above amount", row: map[string]string{"订单状态": "交易关闭", "退款金额": "140.00"}, field: "退款金额"},
		{name: "closed automatically", row: map[string]string{"订单状态": "付款以后用户退款成功，交易自动关闭"}, check: state(siyu.StatusRefunded, 10000)},
		{name: "refund bad", row: map[string]string{"退款金额": "abc"}, field: "退款金额"},

		{name: "mobile +86 spaced", row: map[string]string{"联系手机": "'+86 138 0013 8000"}, check: phones("13800138000", "")},
		{name: "mobile masked", row: map[string]string{"联系手机": "'138****1234"}, check: phones("", "138****1234")},
		{name: "mobile masked with country code", row: map[string]string{"联系手机": "+86-138****1234"}, check: phones("", "138****1234")},
		{name: "mobile foreign skipped", row: map[string]string{"联系手机": "+852 9123 4567"}, check: phones("", "")},
		{name: "mobile invalid", row: map[string]string{"联系手机": "12345"}, field: "联系手机", errHas: "12345"},
		{name: "tel mobile used", row: map[string]string{"联系手机": "", "联系电话": "13700137000"}, check: phones("13700137000", "")},
		{name: "tel landline ignored", row: map[string]string{"联系手机": "", "联系电话": "0571-88886666"}, check: phones("", "")},
		{name: "tel masked mobile shown", row: map[string]string{"联系手机": "", "联系电话": "137****0000"}, check: phones("", "137****0000")},
		{name: "masked mobile and full tel", row: map[string]string{"联系手机": "138****1234", "联系电话": "13700137000"}, check: phones("13700137000", "138****1234")},
		{name: "full mobile wins over tel", row: map[string]string{"联系手机": "13800138000", "联系电话": "13700137000"}, check: phones("13800138000", "")},

		{name: "masked nick dropped", row: map[string]string{"买家会员名": "t**1"}, check: nick("")},
		{name: "nick kept", row: map[string]string{"买家会员名": "tb_小红"}, check: nick("tb_小红")},

		{name: "tmall by shop type", row: map[string]string{"店铺类型": "天猫"}, check: channel(siyu.ChannelTmall)},
		{name: "taobao by shop type", row: map[string]string{"店铺类型": "淘宝"}, check: channel(siyu.ChannelTaobao)},
		{name: "forced channel", row: map[string]string{"店铺类型": "天猫"}, opts: Options{Channel: siyu.ChannelJD}, check: channel(siyu.ChannelJD)},

		{name: "quantity", row: map[string]string{"宝贝总数量": "3"}, check: items(siyu.OrderItem{Title: "T恤", Quantity: 3})},
		{name: "quantity empty", row: map[string]string{"宝贝总数量": ""}, check: items(siyu.OrderItem{Title: "T恤", Quantity: 1})},
		{name: "quantity bad", row: map[string]string{"宝贝总数量": "two"}, field: "宝贝总数量"},
		{name: "no title no items", row: map[string]string{"宝贝标题": "", "宝贝总数量": "9"}, check: items()},

		{name: "municipality short", row: map[string]string{"收货地址": "重庆 重庆市 渝中区 解放碑"}, check: region("重庆市", "重庆市")},
		{name: "autonomous region", row: map[string]string{"收货地址": "新疆维吾尔自治区 乌鲁木齐市 天山区"}, check: region("新疆维吾尔自治区", "乌鲁木齐市")},
		{name: "foreign address", row: map[string]string{"收货地址": "Tokyo Shibuya"}, check: region("", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := gbk(t, csvFile(tbHeader, merged(tbBase, tt.row)))
			o, rerr := readOne(t, data, FormatTaobao, tt.opts)
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

func id(want string) func(siyu.OrderInput) error {
	return func(o siyu.OrderInput) error {
		if o.ExternalID != want {
			return fmt.Errorf("ExternalID = %q, want %q", o.ExternalID, want)
		}
		return nil
	}
}

func amount(want, refund siyu.Fen) func(siyu.OrderInput) error {
	return func(o siyu.OrderInput) error {
		if o.Amount != want || o.Refund != refund {
			return fmt.Errorf("Amount, Refund = %v, %v; want %v, %v", o.Amount, o.Refund, want, refund)
		}
		return nil
	}
}

func placed(wall string) func(siyu.OrderInput) error {
	return func(o siyu.OrderInput) error {
		if want := shanghai(wall); !o.PlacedAt.Equal(want) || o.PlacedAt.Location() != time.UTC {
			return fmt.Errorf("PlacedAt = %v, want %v UTC", o.PlacedAt, want)
		}
		return nil
	}
}

func state(st siyu.OrderStatus, refund siyu.Fen) func(siyu.OrderInput) error {
	return func(o siyu.OrderInput) error {
		if o.Status != st || o.Refund != refund {
			return fmt.Errorf("Status, Refund = %s, %v; want %s, %v", o.Status, o.Refund, st, refund)
		}
		return nil
	}
}

func phones(phone, masked string) func(siyu.OrderInput) error {
	return func(o siyu.OrderInput) error {
		got := ""
		for _, id := range o.Identifiers {
			if id.Kind == siyu.KindPhone {
				if got != "" {
					return fmt.Errorf("two phones")
				}
				got = id.Value
			}
		}
		if got != phone || o.MaskedPhone != masked {
			return fmt.Errorf("phone, masked = %q, %q; want %q, %q", got, o.MaskedPhone, phone, masked)
		}
		return nil
	}
}

func nick(want string) func(siyu.OrderInput) error {
	return func(o siyu.OrderInput) error {
		got := ""
		for _, id := range o.Identifiers {
			if id.Kind == siyu.KindTaobaoNick {
				got = id.Value
			}
		}
		if got != want {
			return fmt.Errorf("nick = %q, want %q", got, want)
		}
		return nil
	}
}

func channel(want siyu.Channel) func(siyu.OrderInput) error {
	return func(o siyu.OrderInput) error {
		if o.Channel != want {
			return fmt.Errorf("Channel = %s, want %s", o.Channel, want)
		}
		return nil
	}
}

func items(want ...siyu.OrderItem) func(siyu.OrderInput) error {
	return func(o siyu.OrderInput) error {
		if len(o.Items) != len(want) || (len(want) > 0 && !reflect.DeepEqual(o.Items, want)) {
			return fmt.Errorf("Items = %+v, want %+v", o.Items, want)
		}
		return nil
	}
}

func region(province, city string) func(siyu.OrderInput) error {
	return func(o siyu.OrderInput) error {
		if o.Province != province || o.City != city {
			return fmt.Errorf("Province, City = %q, %q; want %q, %q", o.Province, o.City, province, city)
		}
		return nil
	}
}

func TestTaobaoEncodings(t *testing.T) {
	text := csvFile(tbHeader, tbBase, merged(tbBase, map[string]string{"订单编号": "2002", "收货人姓名": "李四"}))
	variants := map[string][]byte{
		"GBK":       gbk(t, text),
		"UTF-8":     []byte(text),
		"UTF-8 BOM": append([]byte("\uFEFF"), text...),
		"LF only":   []byte(strings.ReplaceAll(text, "\r\n", "\n")),
	}
	want := readAll(t, []byte(text), FormatTaobao, Options{})
	if len(want.orders) != 2 || want.orders[1].Receiver != "李四" {
		t.Fatalf("UTF-8 read gave %+v", want)
	}
	for name, data := range variants {
		got := readAll(t, data, FormatTaobao, Options{})
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v, want %+v", name, got, want)
		}
	}
}

func TestTaobaoHeaderErrors(t *testing.T) {
	tests := []struct {
		name   string
		data   []byte
		errHas []string
	}{
		{"missing required", gbk(t, "订单编号,买家会员名,订单状态\r\n1,a,交易成功\r\n"), []string{"订单创建时间", "买家实际支付金额"}},
		{"item report", gbk(t, "订单编号,标题,价格,购买数量,订单状态\r\n"), []string{"宝贝报表"}},
		{"generic file", []byte("channel,external_id,placed_at,amount\r\n"), []string{"订单编号", "generic"}},
		{"duplicate column", gbk(t, "订单编号,订单状态,订单创建时间,买家实际支付金额,订单状态\r\n"), []string{"订单状态", "twice"}},
		{"empty", nil, []string{"empty"}},
		{"only blank lines", []byte("\r\n\r\n"), []string{"empty"}},
		{"UTF-16", []byte{0xFF, 0xFE, '1', 0}, []string{"UTF-16"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewReader(bytes.NewReader(tt.data), FormatTaobao)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, siyu.ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			for _, s := range tt.errHas {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestTaobaoInvalidOption(t *testing.T) {
	_, err := NewReaderOptions(bytes.NewReader(gbk(t, csvFile(tbHeader))), FormatTaobao, Options{Channel: "mars"})
	if err == nil || !strings.Contains(err.Error(), "mars") {
		t.Fatalf("err = %v, want one naming the channel", err)
	}
}

func TestTaobaoWriteReadRoundTrip(t *testing.T) {
	rows := sampleTaobaoRows(500)
	var buf bytes.Buffer
	if err := WriteTaobao(&buf, rows); err != nil {
		t.Fatal(err)
	}
	if utf8.Valid(buf.Bytes()) {
		t.Fatal("WriteTaobao wrote UTF-8, want GBK")
	}
	res := readAll(t, buf.Bytes(), FormatTaobao, Options{})
	if len(res.errs) > 0 || len(res.orders) != len(rows) {
		t.Fatalf("got %d orders and errors %v, want %d orders", len(res.orders), res.errs, len(rows))
	}
	line := 2
	for i, o := range res.orders {
		r := rows[i]
		if o.ExternalID != r.OrderID || o.Line != line || o.Amount != r.Paid || !o.PlacedAt.Equal(r.PlacedAt) ||
			o.Receiver != r.Receiver || o.Address != r.Address || o.Items[0].Title != r.Title || o.Items[0].Quantity != r.Quantity {
			t.Fatalf("row %d: got %+v from %+v, want line %d", i, o, r, line)
		}
		line += 1 + strings.Count(r.Title, "\n")
		wantStatus := map[string]siyu.OrderStatus{TaobaoWaitPay: siyu.StatusPending, TaobaoWaitShip: siyu.StatusPaid,
			TaobaoWaitConfirm: siyu.StatusShipped, TaobaoSuccess: siyu.StatusCompleted, TaobaoClosed: siyu.StatusRefunded}[r.Status]
		if o.Status != wantStatus {
			t.Fatalf("row %d: status %s, want %s", i, o.Status, wantStatus)
		}
		if wantCh := map[bool]siyu.Channel{false: siyu.ChannelTaobao, true: siyu.ChannelTmall}[r.Tmall]; o.Channel != wantCh {
			t.Fatalf("row %d: channel %s, want %s", i, o.Channel, wantCh)
		}
		if r.PaidAt.IsZero() != (o.PaidAt == nil) || (o.PaidAt != nil && !o.PaidAt.Equal(r.PaidAt)) {
			t.Fatalf("row %d: PaidAt %v, want %v", i, o.PaidAt, r.PaidAt)
		}
		if siyu.IsMaskedPhone(r.Mobile) {
			if o.MaskedPhone != r.Mobile {
				t.Fatalf("row %d: MaskedPhone %q, want %q", i, o.MaskedPhone, r.Mobile)
			}
		} else if err := phones(r.Mobile, "")(o); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
	}
}

// sampleTaobaoRows makes varied report rows: every state, masked and full
// phones, names and titles with commas, quotes and newlines.
func sampleTaobaoRows(n int) []TaobaoRow {
	states := []string{TaobaoWaitPay, TaobaoWaitShip, TaobaoWaitConfirm, TaobaoSuccess, TaobaoClosed}
	addresses := []string{"浙江省 杭州市 西湖区 文三路 100号", "北京 北京市 朝阳区 建国路 1号", "广东省 深圳市 南山区 科技园"}
	titles := []string{"纯棉T恤", `保温杯 "大号", 500ml`, "围巾\n礼盒装", "𠮷野家联名款"}
	base := time.Date(2024, 3, 1, 2, 0, 0, 0, time.UTC)
	rows := make([]TaobaoRow, n)
	for i := range rows {
		placedAt := base.Add(time.Duration(i) * 7 * time.Minute)
		r := TaobaoRow{
			OrderID:   fmt.Sprintf("33650281291%08d", i),
			BuyerNick: fmt.Sprintf("买家%d", i),
			Status:    states[i%len(states)],
			PlacedAt:  placedAt,
			Goods:     siyu.Fen(1000 + i*37),
			Postage:   siyu.Fen(i % 2 * 600),
			Receiver:  fmt.Sprintf("收货人%d", i),
			Address:   addresses[i%len(addresses)],
			Mobile:    fmt.Sprintf("139%08d", i),
			Title:     titles[i%len(titles)],
			Quantity:  1 + i%3,
			Tmall:     i%4 == 0,
		}
		r.Paid = r.Goods + r.Postage
		if i%3 == 0 {
			r.Mobile = fmt.Sprintf("139****%04d", i%10000)
		}
		if r.Status != TaobaoWaitPay {
			r.PaidAt = placedAt.Add(time.Minute)
		}
		rows[i] = r
	}
	return rows
}
