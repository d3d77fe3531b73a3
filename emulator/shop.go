package emulator

import (
	"fmt"
	"time"

	"siyu.dev/siyu"
)

// product is one item of the demo brand's catalogue.
type product struct {
	sku, title string
	price      siyu.Fen
}

var catalogue = []product{
	{"ZX-MASK-10", "玻尿酸补水面膜（10片装）", 9900},
	{"ZX-CLEAN-120", "氨基酸洁面乳 120g", 6800},
	{"ZX-SERUM-30", "烟酰胺精华液 30ml", 19900},
	{"ZX-SUN-50", "清透防晒乳 SPF50+ 50ml", 12800},
	{"ZX-BODY-250", "樱花身体乳 250ml", 7900},
	{"ZX-CANDLE", "白茶香氛蜡烛", 15800},
	{"ZX-HAND-SET", "护手霜礼盒（3支装）", 8800},
	{"ZX-OIL-200", "温和卸妆油 200ml", 11800},
	{"ZX-CREAM-50", "修护面霜 50g", 26800},
	{"ZX-TONER-150", "保湿爽肤水 150ml", 9800},
}

// placeOrder has p buy something now. The order carries what the shop
// knows about the buyer (unionid for the WeChat shop, the phone where the
// platform passes it on, the platform's own buyer id) so that identity
// resolution can join it to their WeChat contact. Callers hold mu.
func (e *Emulator) placeOrder(p *person, at time.Time) siyu.OrderInput {
	r := e.sim
	at = at.UTC().Truncate(time.Second)
	placed := at.Add(-time.Duration(1+r.IntN(10)) * time.Minute)
	paid := at
	o := siyu.OrderInput{
		Channel:  p.Channel,
		Status:   siyu.StatusPaid,
		PlacedAt: placed,
		PaidAt:   &paid,
		Receiver: p.Name,
		Province: p.Province,
		City:     p.City,
		Address:  p.Province + p.City + p.Address,
	}
	n := 1 + r.IntN(3)
	for range n {
		pr := catalogue[r.IntN(len(catalogue))]
		q := 1
		if r.Float64() < 0.2 {
			q = 2
		}
		o.Items = append(o.Items, siyu.OrderItem{SKU: pr.sku, Title: pr.title, Quantity: q, Price: pr.price})
		o.Amount += pr.price * siyu.Fen(q)
	}
	phone := func(share float64) {
		switch {
		case p.Phone == "":
		case r.Float64() < share:
			o.Identifiers = append(o.Identifiers, siyu.Identifier{Kind: siyu.KindPhone, Value: p.Phone})
		default:
			o.MaskedPhone = siyu.MaskPhone(p.Phone)
		}
	}
	digits := func(prefix string, n int) string {
		s := prefix
		for len(s) < n {
			s += fmt.Sprint(r.IntN(10))
		}
		return s
	}
	switch p.Channel {
	case siyu.ChannelWeChat:
		o.ExternalID = digits("37", 19)
		o.BuyerName = p.Nickname
		o.Identifiers = append(o.Identifiers, siyu.Identifier{Kind: siyu.KindUnionID, Value: p.UnionID})
		phone(1)
	case siyu.ChannelTmall, siyu.ChannelTaobao:
		o.ExternalID = digits("2", 19)
		o.BuyerName = p.TaobaoNick
		o.Identifiers = append(o.Identifiers, siyu.Identifier{Kind: siyu.KindTaobaoNick, Value: p.TaobaoNick})
		phone(0.4) // the platform masks most numbers
	case siyu.ChannelJD:
		o.ExternalID = digits("3", 12)
		o.Identifiers = append(o.Identifiers, siyu.Identifier{Kind: siyu.KindJDBuyerID, Value: p.JDBuyerID})
		phone(0.5)
	case siyu.ChannelYouzan:
		o.ExternalID = "E" + at.In(siyu.Shanghai).Format("20060102150405") + digits("", 6)
		o.Identifiers = append(o.Identifiers,
			siyu.Identifier{Kind: siyu.KindYouzanBuyerID, Value: fmt.Sprintf("yz%08d", p.Index+1)},
			siyu.Identifier{Kind: siyu.KindUnionID, Value: p.UnionID})
		phone(1)
	default: // Douyin
		o.ExternalID = digits("69", 19)
		o.Identifiers = append(o.Identifiers, siyu.Identifier{Kind: siyu.KindDouyinOpenID, Value: p.DouyinOpenID})
		phone(0.3)
	}
	e.orders = append(e.orders, o)
	return o
}

// Orders returns every order the population has placed so far, oldest
// first: the shop feed.
func (e *Emulator) Orders() []siyu.OrderInput {
	return e.OrdersSince(0)
}

// OrdersSince returns the orders after the first n, so that a poller can
// take only what is new.
func (e *Emulator) OrdersSince(n int) []siyu.OrderInput {
	e.mu.Lock()
	defer e.mu.Unlock()
	if n < 0 || n >= len(e.orders) {
		return nil
	}
	out := make([]siyu.OrderInput, len(e.orders)-n)
	copy(out, e.orders[n:])
	for i := range out {
		out[i].Items = append([]siyu.OrderItem(nil), out[i].Items...)
		out[i].Identifiers = append([]siyu.Identifier(nil), out[i].Identifiers...)
		if out[i].PaidAt != nil {
			t := *out[i].PaidAt
			out[i].PaidAt = &t
		}
	}
	return out
}
