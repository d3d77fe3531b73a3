package demo

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"siyu.dev/siyu"
)

// Event types the demo records besides the system's own.
const (
	EventPageView      = "page.view"
	EventDouyinComment = "douyin.commented"
	sourceMiniProgram  = "mini_program"
	sourceWeCom        = "wecom"
	sourceDouyin       = "douyin"
)

var (
	topicComments = map[string][]string{
		"护肤":  {"敏感肌能用吗", "孕妇可以用吗", "已回购第三瓶了", "用了两周皮肤稳定多了", "油皮适合吗", "求小样"},
		"连衣裙": {"求尺码表", "160/50穿什么码", "好美！", "有其他颜色吗", "梨形身材能穿吗", "什么时候补货"},
		"穿搭":  {"同款求链接", "这套好温柔", "小个子能穿吗", "已下单", "开衫是什么颜色"},
		"防晒":  {"会假白吗", "军训能用吗", "油皮友好吗"},
		"福利":  {"想要", "怎么参加", "已转发", "抽我抽我", "上次没抢到"},
		"新品":  {"什么时候上", "期待", "有没有早鸟价"},
	}
	messages = []string{
		"这款有M码吗", "求链接", "什么时候发货呀", "可以开发票吗", "尺码偏大还是偏小", "敏感肌可以用吗",
		"退货地址发我一下", "双11有什么活动", "上次买的精华用完了，再来两瓶", "在吗", "快递到哪了", "能便宜点吗",
		"会员有什么福利", "165/55穿什么码", "有优惠券吗",
	}
	douyinComments = []string{"求链接", "怎么买", "多少钱", "主播穿的什么码", "有优惠吗", "求同款", "已拍", "小黄车里哪个", "能退吗", "求回放"}
	miniPages      = []string{"pages/index/index", "pages/category/index", "pages/activity/index", "pages/member/index"}
)

// shopKnowsUnionID: the WeChat shop has the unionid of buyers who authorised
// it; the same people on every order.
func (g *generator) shopKnowsUnionID(i int) bool { return g.ids.hash(keyUnionID, i)%4 != 0 }

func (g *generator) miniProgramIDs(i int) []siyu.Identifier {
	ids := []siyu.Identifier{{Kind: siyu.KindOpenID, Value: g.ids.openID(i)}}
	if g.shopKnowsUnionID(i) {
		ids = append(ids, siyu.Identifier{Kind: siyu.KindUnionID, Value: g.ids.unionID(i)})
	}
	return ids
}

// within draws a time in [from, until), until capped at now.
func (g *generator) within(r *rand.Rand, from time.Time, until *time.Time) time.Time {
	end := g.cal.now
	if until != nil && until.Before(end) {
		end = *until
	}
	if !end.After(from) {
		return from
	}
	return from.Add(time.Duration(r.Int64N(int64(end.Sub(from))))).Truncate(time.Second)
}

// event records one event of p. Events share identifier slices, clipped so
// that appending to one cannot change another.
func (g *generator) event(ds *Dataset, p *person, typ, source string, at time.Time, ids []siyu.Identifier, props map[string]any) {
	if !at.Before(g.cal.now) {
		return
	}
	ds.Events = append(ds.Events, siyu.EventInput{
		Type: typ, Source: source, OccurredAt: at.UTC(), Identifiers: slices.Clip(ids), Name: p.nick, Props: props,
	})
}

// events: browsing before WeChat shop orders, moments liked and commented,
// messages to the accounts, comments under Douyin videos.
func (g *generator) events(r *rand.Rand, p *person, facts []orderFacts, s *summary, ds *Dataset, contacts []ContactInput) {
	mini := g.miniProgramIDs(p.index)
	for _, f := range facts {
		if f.ch != siyu.ChannelWeChat {
			continue
		}
		for range 1 + poisson(r, 1.5) {
			pr := pickProduct(r, f.products)
			at := f.at.Add(-time.Duration(5+r.IntN(180)) * time.Minute)
			g.event(ds, p, EventPageView, sourceMiniProgram, at, mini, map[string]any{
				"page": "pages/goods/detail", "sku": pr.variants.items[0].sku, "title": pr.name,
			})
		}
	}

	for k, c := range contacts {
		if k == 0 && chance(r, 0.4) { // opened the mini program from a moment
			for range poisson(r, 3) {
				g.event(ds, p, EventPageView, sourceMiniProgram, g.within(r, c.AddedAt, c.DeletedAt), mini,
					map[string]any{"page": oneOf(r, miniPages)})
			}
		}
		g.moments(r, p, s, c, ds)
		if chance(r, 0.18) {
			for range 1 + poisson(r, 0.8) {
				text := oneOf(r, messages)
				at := g.within(r, c.AddedAt, c.DeletedAt)
				if text == "敏感肌可以用吗" && (s.sensitive.IsZero() || at.Before(s.sensitive)) {
					s.sensitive = at
				}
				g.event(ds, p, siyu.EventMessage, sourceWeCom, at, c.Identifiers[:1],
					map[string]any{"text": text, "account": c.AccountUserID})
			}
		}
	}

	// Douyin: comments under the videos that sold to them.
	if chance(r, 0.3) {
		var near []time.Time
		for _, f := range facts {
			if f.ch == siyu.ChannelDouyin {
				near = append(near, f.at)
			}
		}
		if p.prospect && p.channels[0] == siyu.ChannelDouyin {
			near = append(near, g.cal.at(r, p.days[0], siyu.ChannelDouyin))
		}
		ids := []siyu.Identifier{{Kind: siyu.KindDouyinOpenID, Value: g.ids.douyinOpenID(p.index)}}
		for _, t := range near {
			for range 1 + poisson(r, 0.7) {
				video := appendDigits([]byte("7"), splitmix(uint64(t.Unix()/86400))%1e18, 18)
				g.event(ds, p, EventDouyinComment, sourceDouyin, t.Add(-time.Duration(r.IntN(120))*time.Minute), ids,
					map[string]any{"text": oneOf(r, douyinComments), "video_id": string(video)})
			}
		}
	}
}

// moments: likes and comments on the account's moments while a contact.
func (g *generator) moments(r *rand.Rand, p *person, s *summary, c ContactInput, ds *Dataset) {
	end := g.cal.now
	if c.DeletedAt != nil {
		end = *c.DeletedAt
	}
	days := end.Sub(c.AddedAt).Hours() / 24
	engagement := gamma(r, 0.6)
	n := min(poisson(r, engagement*days/30), 200)
	topics := newTopicPicker(p, g.cal.month[g.cal.dayOf(c.AddedAt)])
	for range n {
		at := g.within(r, c.AddedAt, c.DeletedAt)
		topic := topics.pick(r).topic
		local := at.In(siyu.Shanghai)
		moment := "mo_" + local.Format("20060102") + "_" + strconv.Itoa(1+r.IntN(2))
		s.likes[topic] = append(s.likes[topic], at)
		g.event(ds, p, siyu.EventMomentLiked, sourceWeCom, at, c.Identifiers[:1],
			map[string]any{"topic": topic, "moment_id": moment, "account": c.AccountUserID})
		if chance(r, 0.25) {
			text := oneOf(r, topicComments[topic])
			at = at.Add(time.Duration(r.IntN(1800)) * time.Second)
			if text == "敏感肌能用吗" && (s.sensitive.IsZero() || at.Before(s.sensitive)) {
				s.sensitive = at
			}
			g.event(ds, p, siyu.EventMomentComment, sourceWeCom, at, c.Identifiers[:1],
				map[string]any{"topic": topic, "moment_id": moment, "account": c.AccountUserID, "text": text})
		}
	}
}

type topicWeight struct {
	topic string
	w     float64
}

func newTopicPicker(p *person, month uint8) weighted[topicWeight] {
	sun := 0.1
	if month >= 5 && month <= 8 {
		sun = 0.4
	}
	return newWeighted([]topicWeight{
		{"护肤", p.skincare}, {"连衣裙", 0.6 * (1 - p.skincare)}, {"穿搭", 0.4 * (1 - p.skincare)},
		{"福利", 0.5}, {"新品", 0.3}, {"防晒", sun},
	}, func(t topicWeight) float64 { return t.w })
}

// pickProduct picks one of the products in the bit set.
func pickProduct(r *rand.Rand, set uint32) *product {
	var in []int
	for i := range catalog {
		if set&(1<<i) != 0 {
			in = append(in, i)
		}
	}
	if len(in) == 0 {
		return &catalog[r.IntN(len(catalog))]
	}
	return &catalog[oneOf(r, in)]
}
