package demo

import (
	"slices"
	"strings"
	"time"

	"siyu.dev/siyu"
)

// tagRule says since when a customer deserves a tag (zero: not at all).
type tagRule struct {
	name, group string
	since       func(g *generator, s *summary) time.Time
}

var tagRules = []tagRule{
	{"护肤控", "兴趣偏好", func(_ *generator, s *summary) time.Time {
		return earliest(nthOrder(s, 2, boughtAny("精华液", "面霜", "化妆水", "眼霜", "面膜", "洁面乳", "防晒霜")), nthLike(s, "护肤", 3))
	}},
	{"连衣裙", "兴趣偏好", func(_ *generator, s *summary) time.Time {
		return earliest(nthOrder(s, 1, boughtAny("连衣裙")), nthLike(s, "连衣裙", 3))
	}},
	{"真丝控", "兴趣偏好", func(_ *generator, s *summary) time.Time {
		return nthOrder(s, 1, func(f orderFacts) bool { return f.products&silk != 0 })
	}},
	{"防晒", "兴趣偏好", func(_ *generator, s *summary) time.Time {
		return earliest(nthOrder(s, 1, boughtAny("防晒霜")), nthLike(s, "防晒", 3))
	}},
	{"高客单", "客户价值", func(_ *generator, s *summary) time.Time {
		return nthOrder(s, 1, func(f orderFacts) bool { return f.net >= 100000 })
	}},
	{"复购客", "客户价值", func(_ *generator, s *summary) time.Time {
		return nthOrder(s, 3, func(orderFacts) bool { return true })
	}},
	{"VIP", "客户价值", func(_ *generator, s *summary) time.Time { return s.vipAt }},
	{"双11新客", "生命周期", func(g *generator, s *summary) time.Time { return firstOrderIn(g, s, time.November, 11, 11) }},
	{"618新客", "生命周期", func(g *generator, s *summary) time.Time { return firstOrderIn(g, s, time.June, 18, 18) }},
	{"沉睡客户", "生命周期", func(g *generator, s *summary) time.Time {
		if len(s.paid) < 2 {
			return time.Time{}
		}
		at := s.paid[len(s.paid)-1].at.AddDate(0, 0, 180)
		if at.After(g.cal.now) {
			return time.Time{}
		}
		return at
	}},
	{"门店会员", "来源渠道", func(_ *generator, s *summary) time.Time {
		return earliest(s.channels[siyu.ChannelOffline], stateSince(s, "store_"))
	}},
	{"抖音直播", "来源渠道", func(_ *generator, s *summary) time.Time {
		return earliest(s.channels[siyu.ChannelDouyin], stateSince(s, "douyin_live_"))
	}},
	{"包裹卡", "来源渠道", func(_ *generator, s *summary) time.Time { return stateSince(s, "parcel_insert_") }},
	{"敏感肌", "肤质", func(_ *generator, s *summary) time.Time { return s.sensitive }},
}

var silk = func() (set uint32) {
	for i, p := range catalog {
		if strings.Contains(p.name, "真丝") || strings.Contains(p.name, "桑蚕丝") {
			set |= 1 << i
		}
	}
	return set
}()

func boughtAny(categories ...string) func(orderFacts) bool {
	var set uint32
	for i, p := range catalog {
		if slices.Contains(categories, p.category) {
			set |= 1 << i
		}
	}
	return func(f orderFacts) bool { return f.products&set != 0 }
}

// nthOrder is the time of the n-th paid order that matches.
func nthOrder(s *summary, n int, match func(orderFacts) bool) time.Time {
	for _, f := range s.paid {
		if match(f) {
			if n--; n == 0 {
				return f.at
			}
		}
	}
	return time.Time{}
}

// nthLike is the time of the n-th like of a topic's moments.
func nthLike(s *summary, topic string, n int) time.Time {
	ts := s.likes[topic]
	if len(ts) < n {
		return time.Time{}
	}
	ts = slices.Clone(ts)
	slices.SortFunc(ts, time.Time.Compare)
	return ts[n-1]
}

// firstOrderIn: the customer's first paid order fell in the festival's sales
// (from lead days before month/day to the day after).
func firstOrderIn(g *generator, s *summary, month time.Month, day, lead int) time.Time {
	if len(s.paid) == 0 {
		return time.Time{}
	}
	at := s.paid[0].at
	y := at.In(siyu.Shanghai).Year()
	fest := time.Date(y, month, day, 0, 0, 0, 0, siyu.Shanghai)
	if at.Before(fest.AddDate(0, 0, -lead)) || !at.Before(fest.AddDate(0, 0, 2)) {
		return time.Time{}
	}
	return at
}

func stateSince(s *summary, prefix string) time.Time {
	var t time.Time
	for _, st := range s.states {
		if strings.HasPrefix(st.state, prefix) {
			t = earliest(t, st.at)
		}
	}
	return t
}

// earliest of the non-zero times.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

// tags applies every rule to everybody the brand can name.
func (g *generator) tags(sums []*summary) []TagInput {
	out := make([]TagInput, len(tagRules))
	for k, rule := range tagRules {
		b := append(make([]byte, 0, 32), "et"...)
		out[k] = TagInput{Name: rule.name, GroupName: rule.group,
			WeComTagID: string(appendFill(b, g.ids.k(keyTag)+uint64(k), 30, base62))}
	}
	for _, s := range sums {
		if len(s.ref) == 0 {
			continue
		}
		for k, rule := range tagRules {
			if at := rule.since(g, s); !at.IsZero() && at.Before(g.cal.now) {
				out[k].Customers = append(out[k].Customers, TaggedCustomer{Identifiers: slices.Clip(s.ref), At: at.UTC()})
			}
		}
	}
	return out
}
