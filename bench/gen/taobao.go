package main

import (
	"bytes"
	"errors"
	"hash/fnv"
	"io"
	"strconv"
	"strings"

	"siyu.dev/siyu"
	"siyu.dev/siyu/demo"
	"siyu.dev/siyu/orderfile"
)

// taobaoBatch is how many rows go to one orderfile.WriteTaobao call, which
// needs its rows in memory.
const taobaoBatch = 20_000

// writeTaobao writes the Taobao and Tmall orders as one seller-center report.
func writeTaobao(w io.Writer, cfg demo.Config, limit int, p *progress) error {
	batch := make([]orderfile.TaobaoRow, 0, taobaoBatch)
	first, tmallColumn := true, false
	flush := func() error {
		if len(batch) == 0 && !first {
			return nil
		}
		tmall := false
		for _, r := range batch {
			tmall = tmall || r.Tmall
		}
		dst := w
		if first {
			tmallColumn = tmall
		} else {
			if tmall != tmallColumn {
				return errors.New("the first rows decided the report's columns (店铺类型) and later rows do not fit them; use more orders")
			}
			dst = &afterFirstLine{w: w} // WriteTaobao writes a header with every call
		}
		first = false
		if err := orderfile.WriteTaobao(dst, batch); err != nil {
			return err
		}
		p.add(len(batch))
		batch = batch[:0]
		return nil
	}
	written := 0
	err := demo.Stream(cfg, func(o siyu.OrderInput) error {
		if limit > 0 && written >= limit {
			return errEnough
		}
		batch = append(batch, taobaoRow(o))
		written++
		if len(batch) == taobaoBatch {
			return flush()
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return err
	}
	return flush()
}

// afterFirstLine drops everything up to and including the first newline.
// GBK and GB18030 never use the byte '\n' inside a character, so the cut is
// safe in the encoded stream.
type afterFirstLine struct {
	w    io.Writer
	done bool
}

func (a *afterFirstLine) Write(b []byte) (int, error) {
	n := len(b)
	if !a.done {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return n, nil
		}
		a.done = true
		b = b[i+1:]
	}
	if _, err := a.w.Write(b); err != nil {
		return 0, err
	}
	return n, nil
}

var (
	carriers = []struct{ name, prefix string }{
		{"中通快递", "7"}, {"圆通速递", "YT"}, {"韵达快递", "43"}, {"顺丰速运", "SF"}, {"申通快递", "77"}, {"极兔速递", "JT"},
	}
	buyerMessages = []string{"请尽快发货", "不要放快递柜，谢谢", "送人的，不要放发票和价格单", "麻烦发顺丰", "尺码拿不准，先发M码", "要礼盒包装"}
)

// taobaoRow turns an order into a report row as the seller center shows it.
// Details the order does not carry (carrier, buyer's message) are derived
// from the order id so that the file is the same on every run.
func taobaoRow(o siyu.OrderInput) orderfile.TaobaoRow {
	h := fnv.New64a()
	h.Write([]byte(o.ExternalID))
	x := h.Sum64()

	r := orderfile.TaobaoRow{
		OrderID:   o.ExternalID,
		PlacedAt:  o.PlacedAt,
		Paid:      o.Amount,
		Refund:    o.Refund,
		Receiver:  o.Receiver,
		Address:   spacedAddress(o),
		Mobile:    o.MaskedPhone,
		Tmall:     o.Channel == siyu.ChannelTmall,
		FromPhone: x%100 < 85,
		ShopID:    "573920188",
		ShopName:  "木棉集女装",
	}
	if r.Tmall {
		r.ShopID, r.ShopName = "2206718834", "木棉集官方旗舰店"
	}
	for _, id := range o.Identifiers {
		switch id.Kind {
		case siyu.KindTaobaoNick:
			r.BuyerNick = id.Value
		case siyu.KindPhone:
			r.Mobile = id.Value
		}
	}
	if r.Mobile != "" {
		r.AlipayAccount = siyu.MaskPhone(r.Mobile)
		if siyu.IsMaskedPhone(r.Mobile) {
			r.AlipayAccount = r.Mobile
		}
	}
	if o.PaidAt != nil {
		r.PaidAt = *o.PaidAt
	}
	titles := make([]string, 0, len(o.Items))
	for _, it := range o.Items {
		r.Goods += it.Price * siyu.Fen(it.Quantity)
		r.Quantity += it.Quantity
		titles = append(titles, it.Title)
	}
	r.Title, r.Kinds = strings.Join(titles, "，"), len(o.Items)
	if x>>8%100 < 4 {
		r.Message = buyerMessages[x>>16%uint64(len(buyerMessages))]
	}

	switch o.Status {
	case siyu.StatusPending:
		r.Status = orderfile.TaobaoWaitPay
	case siyu.StatusPaid:
		r.Status = orderfile.TaobaoWaitShip
	case siyu.StatusShipped:
		r.Status = orderfile.TaobaoWaitConfirm
	case siyu.StatusCompleted:
		r.Status = orderfile.TaobaoSuccess
	case siyu.StatusRefunded:
		r.Status, r.CloseReason = orderfile.TaobaoClosed, "退款"
	default:
		r.Status, r.CloseReason = orderfile.TaobaoClosed, "买家未付款"
		if x>>24%3 == 0 {
			r.CloseReason = "买家不想买了"
		}
	}
	if o.Status == siyu.StatusShipped || o.Status == siyu.StatusCompleted || o.Status == siyu.StatusRefunded && x>>32%2 == 0 {
		c := carriers[x>>40%uint64(len(carriers))]
		r.Carrier = c.name
		r.TrackingNo = c.prefix + strconv.FormatUint(1e12+x%9e12, 10)
	}
	return r
}

// spacedAddress writes the address the way the report does, its parts
// separated by spaces: 浙江省 杭州市 西湖区 文三路478号...
func spacedAddress(o siyu.OrderInput) string {
	rest, ok := strings.CutPrefix(o.Address, o.Province)
	if !ok || o.Province == "" {
		return o.Address
	}
	parts := []string{o.Province}
	if o.City != o.Province {
		if rest, ok = strings.CutPrefix(rest, o.City); !ok {
			return o.Address
		}
		parts = append(parts, o.City)
	}
	if i := districtEnd(rest); i > 0 {
		parts = append(parts, rest[:i])
		rest = rest[i:]
	}
	return strings.Join(append(parts, rest), " ")
}

// districtEnd finds where the district (区, 县, 县级市, 镇 or 街道) ends.
func districtEnd(s string) int {
	runes := 0
	for i, r := range s {
		runes++
		if runes > 6 {
			break
		}
		switch r {
		case '区', '县', '市', '镇':
			if strings.HasPrefix(s[i+len(string(r)):], "街道") { // 东区街道
				return i + len(string(r)) + len("街道")
			}
			return i + len(string(r))
		case '道':
			if strings.HasSuffix(s[:i], "街") {
				return i + len("道")
			}
		}
	}
	return 0
}
