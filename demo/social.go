package demo

import (
	"math/rand/v2"
	"strconv"
	"time"

	"siyu.dev/siyu"
)

// contactRates: how many buyers of each channel end up adding an account.
// Shop associates ask everyone; a parcel insert convinces few.
var contactRates = map[siyu.Channel]float64{
	siyu.ChannelOffline: 0.6, siyu.ChannelWeChat: 0.5, siyu.ChannelYouzan: 0.4, siyu.ChannelDouyin: 0.22,
	siyu.ChannelTmall: 0.15, siyu.ChannelTaobao: 0.15, siyu.ChannelJD: 0.12,
}

// summary is what the brand-wide passes (groups, tags) need to know of one
// person.
type summary struct {
	index int
	// ref is the one identifier the brand names them by: the WeCom identity
	// of contacts, else the first order's buyer id. One only, so that a tag
	// never asserts a link between identifiers that no order or contact
	// made.
	ref         []siyu.Identifier
	wecom       []siyu.Identifier // external_userid (+ unionid); nil if never a contact
	added       time.Time         // first contact
	spans       []span            // when they were a contact of some account
	storeUserID string            // the shop associate they added, if any
	paid        []orderFacts      // paid orders, in time order
	vipAt       time.Time
	likes       map[string][]time.Time // moments liked, by topic
	sensitive   time.Time              // said they have sensitive skin
	states      []stateAt
	channels    map[siyu.Channel]time.Time // first paid order by channel
}

type stateAt struct {
	state string
	at    time.Time
}

type span struct {
	from  time.Time
	until *time.Time // nil: still a contact
}

// contactAt reports whether the person was a contact of some account at t.
func (s *summary) contactAt(t time.Time) bool {
	for _, sp := range s.spans {
		if !sp.from.After(t) && (sp.until == nil || sp.until.After(t)) {
			return true
		}
	}
	return false
}

// knownUnionID: the corp is bound to the WeChat open platform, but WeCom only
// returns a unionid for most contacts, not all.
func (g *generator) knownUnionID(i int) bool { return g.ids.hash(keyExternal, i)%100 < 85 }

func (g *generator) wecomIDs(i int) []siyu.Identifier {
	ids := []siyu.Identifier{{Kind: siyu.KindExternalUser, Value: g.ids.externalUserID(i)}}
	if g.knownUnionID(i) {
		ids = append(ids, siyu.Identifier{Kind: siyu.KindUnionID, Value: g.ids.unionID(i)})
	}
	return ids
}

// channelID is the identifier a channel's orders carry for person i.
func (g *generator) channelID(ch siyu.Channel, i int) siyu.Identifier {
	switch ch {
	case siyu.ChannelTmall, siyu.ChannelTaobao:
		return siyu.Identifier{Kind: siyu.KindTaobaoNick, Value: g.ids.taobaoNick(i)}
	case siyu.ChannelJD:
		return siyu.Identifier{Kind: siyu.KindJDBuyerID, Value: g.ids.jdBuyerID(i)}
	case siyu.ChannelDouyin:
		return siyu.Identifier{Kind: siyu.KindDouyinOpenID, Value: g.ids.douyinOpenID(i)}
	case siyu.ChannelWeChat:
		return siyu.Identifier{Kind: siyu.KindOpenID, Value: g.ids.openID(i)}
	case siyu.ChannelYouzan:
		return siyu.Identifier{Kind: siyu.KindYouzanBuyerID, Value: g.ids.youzanBuyerID(i)}
	}
	return siyu.Identifier{Kind: siyu.KindMemberNo, Value: g.ids.memberNo(i)}
}

// social simulates what person p did besides buying: adding the brand's
// accounts, liking moments, asking questions, browsing the mini program,
// commenting on Douyin. facts are p's orders.
func (g *generator) social(p *person, facts []orderFacts, ds *Dataset) *summary {
	g.seed(streamSocial, p.index)
	r := g.r
	s := &summary{index: p.index, channels: map[siyu.Channel]time.Time{}, likes: map[string][]time.Time{}}
	for _, f := range facts {
		if f.paid {
			s.paid = append(s.paid, f)
			if _, ok := s.channels[f.ch]; !ok {
				s.channels[f.ch] = f.at
			}
		}
	}
	if len(facts) > 0 {
		s.ref = []siyu.Identifier{g.channelID(facts[0].ch, p.index)}
	}
	var total siyu.Fen
	for k, f := range s.paid {
		total += f.net
		if s.vipAt.IsZero() && (total >= 200000 || k >= 3) {
			s.vipAt = f.at
		}
	}

	first := len(ds.Contacts)
	g.contacts(r, p, facts, s, ds)
	g.events(r, p, facts, s, ds, ds.Contacts[first:])
	return s
}

// contacts decides whether and how p added the brand's accounts.
func (g *generator) contacts(r *rand.Rand, p *person, facts []orderFacts, s *summary, ds *Dataset) {
	var trigger orderFacts
	rate := 0.7
	if !p.prospect {
		trigger = facts[0]
		if len(facts) > 1 && chance(r, 0.3) {
			trigger = facts[1+r.IntN(len(facts)-1)]
		}
		rate = contactRates[p.channels[0]]
		if len(s.paid) >= 2 {
			rate = min(0.9, rate*1.6)
		}
	} else {
		trigger.at = g.cal.at(r, p.days[0], siyu.ChannelDouyin)
		trigger.ch = []siyu.Channel{siyu.ChannelDouyin, siyu.ChannelDouyin, siyu.ChannelOther, siyu.ChannelOffline}[r.IntN(4)]
	}
	if !chance(r, rate) {
		return
	}
	ext := g.ids.externalUserID(p.index)
	local := trigger.at.In(siyu.Shanghai)
	c := ContactInput{ExternalUserID: ext, Identifiers: g.wecomIDs(p.index), Name: p.nick}
	var acc *account
	switch trigger.ch {
	case siyu.ChannelOffline:
		c.AddedAt = trigger.at.Add(time.Duration(2+r.IntN(20)) * time.Minute)
		st := p.store
		if st.code == "" {
			st = stores[p.index%len(stores)]
		}
		c.State = "store_" + st.code
		acc = g.accountFor(r, roleStore, st.code, c.AddedAt)
		if acc != nil && acc.role == roleStore {
			s.storeUserID = acc.userID
			c.Remark = p.name + " " + st.short
			if chance(r, 0.6) { // the associate noted the number for the member system
				c.Identifiers = append(c.Identifiers, siyu.Identifier{Kind: siyu.KindPhone, Value: g.ids.phone(p.index)})
				c.Remark += " " + siyu.MaskPhone(g.ids.phone(p.index))
			}
		}
	case siyu.ChannelDouyin:
		c.AddedAt = trigger.at.Add(time.Duration(5+r.IntN(180)) * time.Minute)
		c.State = "douyin_live_" + local.Format("0102")
		acc = g.accountFor(r, roleFounder, "", c.AddedAt)
	case siyu.ChannelWeChat:
		c.AddedAt = trigger.at.Add(time.Duration(10+r.IntN(48*60)) * time.Minute)
		c.State = "wxshop_order"
		role := roleFounder
		if chance(r, 0.3) {
			role = roleService
		}
		acc = g.accountFor(r, role, "", c.AddedAt)
	case siyu.ChannelOther: // a prospect who clicked a moments ad
		c.AddedAt = trigger.at
		c.State = "moments_ad_" + local.Format("200601")
		acc = g.accountFor(r, roleFounder, "", c.AddedAt)
	default: // the parcel insert card, scanned when the parcel arrives
		c.AddedAt = trigger.at.Add(time.Duration(60+r.IntN(5*24*60)) * time.Minute).Add(48 * time.Hour)
		q := (c.AddedAt.In(siyu.Shanghai).Month()-1)/3 + 1
		c.State = "parcel_insert_" + c.AddedAt.In(siyu.Shanghai).Format("2006") + "Q" + strconv.Itoa(int(q))
		role := roleFounder
		if chance(r, 0.35) {
			role = roleService
		}
		acc = g.accountFor(r, role, "", c.AddedAt)
	}
	if acc == nil || !c.AddedAt.Before(g.cal.now) {
		return
	}
	c.AddedAt = c.AddedAt.UTC().Truncate(time.Second)
	c.AccountUserID = acc.userID
	if c.Remark == "" && acc.role == roleService && len(s.paid) > 0 {
		c.Remark = p.name + " " + string(s.paid[0].ch)
	}
	g.endContact(r, &c)
	g.addContact(p, s, c, ds)

	// Some add a second account: the founder's, recommended by a shop
	// associate or customer service, or customer service for after-sales.
	if chance(r, 0.12) {
		c2 := c
		c2.Remark, c2.DeletedAt, c2.DeletedBy = "", nil, ""
		c2.Identifiers = g.wecomIDs(p.index)
		c2.AddedAt = c.AddedAt.Add(time.Duration((1 + r.ExpFloat64()*60) * float64(24*time.Hour))).Truncate(time.Second)
		role := roleFounder
		c2.State = "card_share"
		if acc.role == roleFounder {
			role, c2.State = roleService, "after_sale"
		}
		acc2 := g.accountFor(r, role, "", c2.AddedAt)
		if acc2 != nil && acc2.userID != acc.userID && c2.AddedAt.Before(g.cal.now) {
			c2.AccountUserID = acc2.userID
			g.endContact(r, &c2)
			g.addContact(p, s, c2, ds)
		}
	}
}

// endContact: about a fifth of contacts end, mostly soon after the coupon
// that brought them was used, mostly by the customer.
func (g *generator) endContact(r *rand.Rand, c *ContactInput) {
	if !chance(r, 0.22) {
		return
	}
	at := c.AddedAt.Add(time.Hour + time.Duration(r.ExpFloat64()*75*float64(24*time.Hour))).Truncate(time.Second)
	if !at.Before(g.cal.now) {
		return
	}
	c.DeletedAt, c.DeletedBy = &at, siyu.DeletedByCustomer
	if chance(r, 0.15) {
		c.DeletedBy = siyu.DeletedByAccount
	}
}

func (g *generator) addContact(p *person, s *summary, c ContactInput, ds *Dataset) {
	ds.Contacts = append(ds.Contacts, c)
	s.states = append(s.states, stateAt{c.State, c.AddedAt})
	s.spans = append(s.spans, span{c.AddedAt, c.DeletedAt})
	if s.wecom == nil {
		// From now on the brand knows them by their WeCom identity first.
		s.wecom = g.wecomIDs(p.index)
		s.added = c.AddedAt
		s.ref = s.wecom[:1:1]
	}
}

// accountFor picks an account of the role able to add people at t: for a
// shop, one of its associates; the founder persona if nobody else fits.
func (g *generator) accountFor(r *rand.Rand, role, storeCode string, t time.Time) *account {
	var fit []*account
	for i := range g.accounts {
		a := &g.accounts[i]
		if a.role == role && a.store == storeCode && !a.from.After(t) && a.until.After(t) {
			fit = append(fit, a)
		}
	}
	if len(fit) == 0 {
		if role == roleFounder {
			return nil
		}
		return g.accountFor(r, roleFounder, "", t)
	}
	return oneOf(r, fit)
}
