package demo

import (
	"math"
	"math/rand/v2"
	"time"

	"siyu.dev/siyu"
)

// generator holds what is shared by all customers of one Config.
type generator struct {
	cfg      Config
	cal      *calendar
	ids      ids
	accounts []account
	scale    float64 // multiplies purchase rates
	channels weighted[channelShare]
	families int // buyer-account families among the channels

	// scratch space, reused from one customer to the next
	r       *rand.Rand
	pcg     *rand.PCG
	days    []int
	planned []plannedOrder
	prefs   []float64
	cum     []float64
	buf     []byte
}

func newGenerator(cfg Config) *generator {
	cal := newCalendar(cfg.Now, cfg.Years)
	g := &generator{
		cfg:      cfg,
		cal:      cal,
		ids:      newIDs(cfg.Seed, cfg.Customers),
		accounts: newAccounts(cal),
		scale:    1,
		prefs:    make([]float64, len(catalog)),
		cum:      make([]float64, len(catalog)),
		buf:      make([]byte, 0, 64),
	}
	g.r, g.pcg = newRand()
	g.channels, g.families = channelPicker(cfg.Channels)
	if cfg.OrdersPerCustomer > 0 {
		g.scale = g.calibrate(cfg.OrdersPerCustomer)
	}
	return g
}

// seed points the random stream at customer i's part of stream s.
func (g *generator) seed(s uint64, i int) {
	g.pcg.Seed(g.ids.key^s, uint64(i))
}

// calibrate finds the rate multiplier that gives about target orders per
// customer. Expected repeat purchases are linear in the rate, so one sample
// at the natural rate is enough.
func (g *generator) calibrate(target float64) float64 {
	n := min(g.cfg.Customers, 20_000)
	buyers, repeats := 0, 0
	for i := range n {
		g.seed(streamOrders, i)
		p := g.person(g.r, i, g.days)
		g.days = p.days
		if !p.prospect {
			buyers++
			repeats += len(p.days) - 1
		}
	}
	if buyers == 0 || repeats == 0 {
		return 1
	}
	perBuyer := target * float64(n) / float64(buyers)
	return max(0, (perBuyer-1)/(float64(repeats)/float64(buyers)))
}

// plannedOrder is one purchase before it becomes an OrderInput.
type plannedOrder struct {
	day int
	ch  siyu.Channel
	at  time.Time
}

// orderFacts is what the social simulation needs to know about an order.
type orderFacts struct {
	ch       siyu.Channel
	at       time.Time
	paid     bool
	net      siyu.Fen
	products uint32 // bit i: catalog[i] was bought
	full     bool   // the order shows the full phone number
}

// refundRates by channel: Douyin's impulse buys come back most often.
var refundRates = map[siyu.Channel]float64{
	siyu.ChannelTmall: 0.05, siyu.ChannelTaobao: 0.05, siyu.ChannelJD: 0.04, siyu.ChannelDouyin: 0.09,
	siyu.ChannelWeChat: 0.03, siyu.ChannelYouzan: 0.03, siyu.ChannelOffline: 0.01,
}

// maskRates: how often a channel's export hides the buyer's phone.
var maskRates = map[siyu.Channel]float64{
	siyu.ChannelTmall: 0.6, siyu.ChannelTaobao: 0.6, siyu.ChannelDouyin: 0.35, siyu.ChannelJD: 0.08,
}

// orders appends person p's orders to out (and their facts to facts, when
// facts is not nil), in time order.
func (g *generator) orders(p *person, out []siyu.OrderInput, facts *[]orderFacts) []siyu.OrderInput {
	if p.prospect {
		return out
	}
	r := g.r
	plan := g.planned[:0]
	usedSecond := false
	for j, d := range p.days {
		ch := p.channels[0]
		if p.multiChannel() && j > 0 && (chance(r, 0.4) || j == len(p.days)-1 && !usedSecond) {
			ch, usedSecond = p.channels[1], true
		}
		plan = append(plan, plannedOrder{day: d, ch: ch, at: g.cal.at(r, d, ch)})
	}
	// Purchases on one day were drawn hour by hour; put them in order.
	for i := 1; i < len(plan); i++ {
		for j := i; j > 0 && plan[j].at.Before(plan[j-1].at); j-- {
			plan[j], plan[j-1] = plan[j-1], plan[j]
		}
	}
	g.planned = plan
	p.preferences(g.prefs)

	start, factsStart := len(out), 0
	if facts != nil {
		factsStart = len(*facts)
	}
	var shown [2]bool // a full phone appeared on the first / second channel
	for j, po := range plan {
		o, f := g.order(p, j, po)
		if f.full && po.ch == p.channels[0] {
			shown[0] = true
		} else if f.full {
			shown[1] = true
		}
		out = append(out, o)
		if facts != nil {
			*facts = append(*facts, f)
		}
	}
	// People who buy on two platforms leave their real number on each at
	// least once; that is what lets identity resolution join them.
	for k, ch := range p.channels {
		if !p.multiChannel() || shown[k] {
			continue
		}
		for j := start; j < len(out); j++ {
			if out[j].Channel == ch {
				out[j].MaskedPhone = ""
				out[j].Identifiers = append(out[j].Identifiers, siyu.Identifier{Kind: siyu.KindPhone, Value: g.ids.phone(p.index)})
				out[j].Receiver, out[j].Address = p.name, p.loc.address
				if facts != nil {
					(*facts)[factsStart+j-start].full = true
				}
				break
			}
		}
	}
	return out
}

// order builds the j-th order of p.
func (g *generator) order(p *person, j int, po plannedOrder) (siyu.OrderInput, orderFacts) {
	r, cal := g.r, g.cal
	local := po.at.In(siyu.Shanghai)
	o := siyu.OrderInput{
		Channel:  po.ch,
		PlacedAt: po.at.UTC(),
		Receiver: p.name,
		Province: p.loc.province,
		City:     p.loc.city,
		Address:  p.loc.address,
	}
	f := orderFacts{ch: po.ch, at: o.PlacedAt}
	storeCode := ""
	if po.ch == siyu.ChannelOffline {
		s := p.store
		if s.code == "" { // an online shopper who walked into a shop
			s = stores[p.index%len(stores)]
		}
		storeCode = s.code
	}
	o.ExternalID = g.ids.orderID(g.buf, po.ch, p.index, j, local, storeCode)

	// Basket.
	var subtotal siyu.Fen
	promo := cal.promo[po.day]
	lines := basketSize(r, promo)
	o.Items = make([]siyu.OrderItem, 0, lines)
	season := seasonalWeight[cal.month[po.day]]
	total := 0.0
	for i := range catalog {
		total += season[i] * g.prefs[i]
		g.cum[i] = total
	}
	for range lines {
		pi := searchCum(g.cum, r.Float64()*total)
		pr := &catalog[pi]
		v := pr.variants.pick(r)
		qty := 1
		if pr.skincare && (chance(r, 0.12) || promo && chance(r, 0.15)) { // stocking up
			qty = 2
		}
		f.products |= 1 << pi
		merged := false
		for k := range o.Items {
			if o.Items[k].SKU == v.sku {
				o.Items[k].Quantity += qty
				merged = true
			}
		}
		if !merged {
			o.Items = append(o.Items, siyu.OrderItem{SKU: v.sku, Title: v.title, Quantity: qty, Price: v.price})
		}
		subtotal += v.price * siyu.Fen(qty)
	}
	o.Amount = max(100, subtotal-discount(r, po.ch, promo, subtotal))

	// Who is buying, as the platform shows it.
	phone := ""
	if po.ch != siyu.ChannelWeChat || chance(r, 0.9) {
		phone = g.ids.phone(p.index)
	}
	if phone != "" && chance(r, maskRates[po.ch]) {
		o.MaskedPhone = siyu.MaskPhone(phone)
		phone = ""
		if po.ch == siyu.ChannelTmall || po.ch == siyu.ChannelTaobao {
			o.Receiver, o.Address = maskName(p.surname, p.name), p.loc.masked
		}
	} else if chance(r, 0.03) { // a parcel for somebody at home
		o.Receiver = p.surname + "女士"
		if !p.female {
			o.Receiver = p.surname + "先生"
		}
	}
	f.full = phone != ""
	o.Identifiers = make([]siyu.Identifier, 0, 3)
	switch po.ch {
	case siyu.ChannelTmall, siyu.ChannelTaobao:
		nick := g.ids.taobaoNick(p.index)
		o.BuyerName = nick
		o.Identifiers = append(o.Identifiers, siyu.Identifier{Kind: siyu.KindTaobaoNick, Value: nick})
	case siyu.ChannelJD:
		o.Identifiers = append(o.Identifiers, siyu.Identifier{Kind: siyu.KindJDBuyerID, Value: g.ids.jdBuyerID(p.index)})
	case siyu.ChannelDouyin:
		o.BuyerName = p.nick
		o.Identifiers = append(o.Identifiers, siyu.Identifier{Kind: siyu.KindDouyinOpenID, Value: g.ids.douyinOpenID(p.index)})
	case siyu.ChannelWeChat:
		o.BuyerName = p.nick
		o.Identifiers = append(o.Identifiers, siyu.Identifier{Kind: siyu.KindOpenID, Value: g.ids.openID(p.index)})
		if g.ids.hash(keyUnionID, p.index)%4 != 0 { // the shop knows the unionid of those who authorised it
			o.Identifiers = append(o.Identifiers, siyu.Identifier{Kind: siyu.KindUnionID, Value: g.ids.unionID(p.index)})
		}
	case siyu.ChannelYouzan:
		o.BuyerName = p.nick
		o.Identifiers = append(o.Identifiers, siyu.Identifier{Kind: siyu.KindYouzanBuyerID, Value: g.ids.youzanBuyerID(p.index)})
	case siyu.ChannelOffline:
		o.BuyerName = p.name
		o.Identifiers = append(o.Identifiers, siyu.Identifier{Kind: siyu.KindMemberNo, Value: g.ids.memberNo(p.index)})
	}
	if phone != "" {
		o.Identifiers = append(o.Identifiers, siyu.Identifier{Kind: siyu.KindPhone, Value: phone})
	}

	g.settle(&o, subtotal)
	f.paid = o.Status.Paid()
	if f.paid {
		f.net = o.Amount - o.Refund
	}
	return o, f
}

// basketSize: most orders are one item; sales events fill the basket.
func basketSize(r *rand.Rand, promo bool) int {
	x := r.Float64()
	if promo {
		x *= 0.75
	}
	switch {
	case x < 0.03:
		return 4
	case x < 0.10:
		return 3
	case x < 0.30:
		return 2
	}
	return 1
}

// discount is what the platform's or the brand's promotion takes off.
func discount(r *rand.Rand, ch siyu.Channel, promo bool, subtotal siyu.Fen) siyu.Fen {
	switch {
	case ch == siyu.ChannelOffline && promo:
		return subtotal / 10 // 九折
	case ch == siyu.ChannelOffline:
		return subtotal / 20 // members' 95折
	case ch == siyu.ChannelDouyin && promo:
		return subtotal * 15 / 100
	case ch == siyu.ChannelDouyin:
		return subtotal / 10 // the live-room price
	case promo:
		return subtotal / 30000 * 5000 // 每满300减50
	case chance(r, 0.3) && subtotal >= 19900:
		return 2000 // a ¥20 shop coupon
	case chance(r, 0.1):
		return 500
	}
	return 0
}

// settle decides what became of the order by now: paid, shipped, received,
// refunded in full or in part, or never paid.
func (g *generator) settle(o *siyu.OrderInput, subtotal siyu.Fen) {
	r, now := g.r, g.cal.now
	age := now.Sub(o.PlacedAt)
	online := o.Channel != siyu.ChannelOffline
	switch {
	case online && chance(r, 0.04):
		o.Status = siyu.StatusClosed // 交易关闭: never paid
		return
	case online && age < 2*time.Hour && chance(r, 0.3):
		o.Status = siyu.StatusPending
		return
	}
	paid := o.PlacedAt
	if online {
		paid = paid.Add(time.Duration(math.Exp(3.7+r.NormFloat64())) * time.Second).Truncate(time.Second)
		if !paid.Before(now) {
			paid = o.PlacedAt
		}
	}
	o.PaidAt = &paid
	switch {
	case !online:
		o.Status = siyu.StatusCompleted
	case age < 24*time.Hour && chance(r, 0.7):
		o.Status = siyu.StatusPaid
	case age < 7*24*time.Hour, age < 12*24*time.Hour && chance(r, 0.5):
		o.Status = siyu.StatusShipped
	default:
		o.Status = siyu.StatusCompleted
	}
	if age < 3*24*time.Hour {
		return
	}
	switch x := r.Float64(); {
	case x < refundRates[o.Channel]:
		o.Status, o.Refund = siyu.StatusRefunded, o.Amount
	case x < refundRates[o.Channel]+0.03:
		// One item sent back, or a price-protection refund on a single item.
		it := o.Items[r.IntN(len(o.Items))]
		if len(o.Items) > 1 || it.Quantity > 1 {
			o.Refund = it.Price * o.Amount / subtotal
		} else {
			o.Refund = siyu.Fen(1000 + 500*r.IntN(5))
		}
		o.Refund = min(o.Refund, o.Amount)
	}
}
