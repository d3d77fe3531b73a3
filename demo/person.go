package demo

import (
	"math"
	"math/rand/v2"
	"slices"

	"siyu.dev/siyu"
)

type channelShare struct {
	ch siyu.Channel
	w  float64
}

// channelShares are the shares of people whose first order is on each
// channel.
var channelShares = []channelShare{
	{siyu.ChannelTmall, 35}, {siyu.ChannelTaobao, 15}, {siyu.ChannelJD, 10}, {siyu.ChannelDouyin, 20},
	{siyu.ChannelWeChat, 12}, {siyu.ChannelYouzan, 3}, {siyu.ChannelOffline, 5},
}

func shareOf(ch siyu.Channel) float64 {
	for _, s := range channelShares {
		if s.ch == ch {
			return s.w
		}
	}
	return 0
}

// channelPicker draws channels among those allowed (all if none given), and
// counts the buyer-account families among them.
func channelPicker(allowed []siyu.Channel) (w weighted[channelShare], families int) {
	var shares []channelShare
	seen := map[siyu.Channel]bool{}
	for _, s := range channelShares {
		if len(allowed) == 0 || slices.Contains(allowed, s.ch) {
			shares = append(shares, s)
			if !seen[family(s.ch)] {
				seen[family(s.ch)] = true
				families++
			}
		}
	}
	return newWeighted(shares, func(s channelShare) float64 { return s.w }), families
}

// Shape of the purchase process (Pareto/NBD): each buyer has a purchase rate
// drawn from a gamma distribution and drops out after an exponential time
// whose rate is also gamma distributed. Rates are per year.
const (
	rateShape    = 0.4
	rateMean     = 1.4
	dropoutShape = 1.5
	dropoutMean  = 1.0

	prospectShare     = 0.08 // people known from WeCom or Douyin who never bought
	femaleShare       = 0.88
	secondChannelRate = 0.35 // of repeat buyers, those who also buy on another platform
)

// person is one simulated human being. Their identifiers are derived from
// index; everything else comes from their own random stream.
type person struct {
	index            int
	female, prospect bool
	surname, name    string
	nick             string // WeChat or Douyin nickname
	loc              location
	store            store // offline customers only
	channels         [2]siyu.Channel
	skincare         float64 // share of skincare in what they buy
	tilt             float64 // > 0: prefers the dearer items
	days             []int   // purchase days (or the first touch, for prospects)
}

func (p *person) multiChannel() bool { return p.channels[1] != "" }

// family groups channels that share a buyer account: Taobao and Tmall are
// one Taobao account, so buying on both is not a cross-channel purchase.
func family(ch siyu.Channel) siyu.Channel {
	if ch == siyu.ChannelTmall {
		return siyu.ChannelTaobao
	}
	return ch
}

// person draws customer i. days is reused as the backing array of p.days.
func (g *generator) person(r *rand.Rand, i int, days []int) person {
	p := person{index: i}
	p.female = chance(r, femaleShare)
	p.prospect = chance(r, prospectShare)
	p.surname, p.name = newName(r, p.female)
	p.channels[0] = g.channels.pick(r).ch
	c := cityPicker.pick(r)
	if p.channels[0] == siyu.ChannelOffline {
		p.store = storePicker.pick(r)
		c = cityNamed(p.store.city)
	}
	p.loc = newLocation(r, c)
	switch x := r.Float64(); {
	case !p.female:
		p.skincare = 0.75 // gifts
	case x < 0.4:
		p.skincare = 0.15
	case x < 0.75:
		p.skincare = 0.85
	default:
		p.skincare = 0.5
	}
	p.tilt = 0.6 * r.NormFloat64()
	p.nick = nickname(r, p.surname, p.name)

	rate := rateMean / rateShape * gamma(r, rateShape) / 365 * g.scale
	dropout := dropoutMean / dropoutShape * gamma(r, dropoutShape) / 365
	first := g.cal.acquisitionDay(r)
	p.days = append(days[:0], first)
	if p.prospect {
		return p
	}
	last := first + int(min(r.ExpFloat64()/dropout, 1e6))
	if rate > 0 {
		x := g.cal.cum[first] - r.Float64()*g.cal.weight[first]
		for len(p.days) < maxOrdersPerCustomer {
			x += r.ExpFloat64() / rate
			if x >= g.cal.total() {
				break
			}
			d := g.cal.dayAt(x)
			if d > last {
				break
			}
			p.days = append(p.days, d)
		}
	}
	if len(p.days) > 1 && g.families > 1 && chance(r, secondChannelRate) {
		for {
			ch := g.channels.pick(r).ch
			if family(ch) != family(p.channels[0]) {
				p.channels[1] = ch
				break
			}
		}
	}
	return p
}

// Price tilts are rounded to tiltStep so that the factor each tilt gives a
// product can be computed once.
const (
	tiltStep  = 0.05
	tiltLimit = 2.0
)

// tiltFactors[k][i]: how much a person with tilt (k*tiltStep - tiltLimit)
// favours product i over a ¥300 one.
var tiltFactors = func() [][]float64 {
	n := int(2*tiltLimit/tiltStep) + 1
	t := make([][]float64, n)
	for k := range t {
		tilt := float64(k)*tiltStep - tiltLimit
		t[k] = make([]float64, len(catalog))
		for i, pr := range catalog {
			t[k][i] = math.Exp(tilt * (pr.logPrice - math.Log(300)))
		}
	}
	return t
}()

// preferences fills w with how much p likes each product, before the season.
func (p *person) preferences(w []float64) {
	k := int(math.Round((min(max(p.tilt, -tiltLimit), tiltLimit) + tiltLimit) / tiltStep))
	for i, f := range tiltFactors[k] {
		share := 1 - p.skincare
		if catalog[i].skincare {
			share = p.skincare
		}
		w[i] = share * f
	}
}
