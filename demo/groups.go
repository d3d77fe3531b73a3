package demo

import (
	"slices"
	"strconv"
	"time"

	"siyu.dev/siyu"
)

// groupCap is WeCom's member limit for a customer group.
const groupCap = 500

const streamGroups uint64 = 0x67726f7570730000

// campaigns are the yearly activities that get their own groups. The groups
// are dissolved after a few days (3.6 on average).
var campaigns = []struct {
	name  string
	month time.Month
	day   int
}{
	{"木棉集女神节福利群", time.March, 5},
	{"木棉集618宠粉群", time.June, 14},
	{"木棉集秋冬新品品鉴群", time.September, 20},
	{"木棉集双11福利群", time.November, 6},
}

// groups builds the campaign groups, the VIP groups and the shops' groups
// from everybody's summaries.
func (g *generator) groups(sums []*summary) []GroupInput {
	g.pcg.Seed(g.ids.key^streamGroups, 0)
	r := g.r
	now := g.cal.now
	founder := g.accounts[0].userID
	var out []GroupInput

	for y := g.cal.first.Year(); y <= now.Year(); y++ {
		for _, c := range campaigns {
			start := time.Date(y, c.month, c.day, 10, 0, 0, 0, siyu.Shanghai)
			if start.Before(g.cal.first) || !start.Before(now) {
				continue
			}
			life := time.Duration(min(max(gamma(r, 4)*0.9, 2), 7) * float64(24*time.Hour))
			end := start.Add(life)
			var members []GroupMemberInput
			for _, s := range sums {
				p := 0.0
				switch {
				case s.contactAt(start) && len(s.paid) >= 2:
					p = 0.35
				case s.contactAt(start):
					p = 0.2
				case len(s.paid) > 0:
					p = 0.01 // invited by a friend in the group
				}
				if !chance(r, p) {
					continue
				}
				at := start.Add(time.Duration(r.Int64N(int64(min(36*time.Hour, life-time.Hour))))).Truncate(time.Second)
				if !at.Before(now) {
					continue
				}
				members = append(members, g.member(s, at, end, 0.15))
			}
			var dismissed *time.Time
			if end.Before(now) {
				e := end.UTC()
				dismissed = &e
			}
			out = g.fill(out, c.name, "campaign", founder, start, dismissed, members, true)
		}
	}

	// The VIP group: customers who spent ¥2000 or ordered four times, invited
	// a few days later.
	vipStart := g.cal.first.AddDate(0, 0, 30).Add(20 * time.Hour)
	var vips []GroupMemberInput
	for _, s := range sums {
		if s.vipAt.IsZero() {
			continue
		}
		at := later(later(s.vipAt, s.added), vipStart).Add(time.Duration(24+r.IntN(96)) * time.Hour).Truncate(time.Second)
		if at.Before(now) && s.contactAt(at) {
			vips = append(vips, g.member(s, at, now, 0.05))
		}
	}
	out = g.fill(out, "木棉集VIP会员群", "vip", founder, vipStart, nil, vips, false)

	// Each shop's group of regulars, run by its associate.
	for _, st := range stores {
		var owner *account
		for i := range g.accounts {
			a := &g.accounts[i]
			if a.store == st.code && a.leftDaysAgo == 0 {
				owner = a
			}
		}
		if owner == nil {
			continue
		}
		created := later(g.cal.first.AddDate(0, 0, 10), owner.from).Add(11 * time.Hour)
		if !created.Before(now) {
			continue
		}
		var members []GroupMemberInput
		for _, s := range sums {
			if s.storeUserID == "" || !chance(r, 0.4) {
				continue
			}
			if a := g.accountByID(s.storeUserID); a == nil || a.store != st.code {
				continue
			}
			at := later(s.added, created).Add(time.Duration(r.IntN(48*60)) * time.Minute).Truncate(time.Second)
			if at.Before(now) {
				members = append(members, g.member(s, at, now, 0.1))
			}
		}
		out = g.fill(out, st.name+"老客福利群", "store", owner.userID, created, nil, members, false)
	}
	return out
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (g *generator) accountByID(userID string) *account {
	for i := range g.accounts {
		if g.accounts[i].userID == userID {
			return &g.accounts[i]
		}
	}
	return nil
}

// member is s joining at, leaving before end with probability leave.
func (g *generator) member(s *summary, at, end time.Time, leave float64) GroupMemberInput {
	m := GroupMemberInput{Identifiers: g.wecomIDs(s.index), JoinedAt: at.UTC()}
	if chance(g.r, leave) && end.After(at) {
		left := at.Add(time.Duration(g.r.Int64N(int64(end.Sub(at))))).Truncate(time.Second).UTC()
		if left.Before(g.cal.now) {
			m.LeftAt = &left
		}
	}
	return m
}

// fill puts members into groups of at most groupCap in the order they
// joined; when one is full the next is opened. Campaign groups are numbered
// from 1; others only from the second.
func (g *generator) fill(out []GroupInput, name, kind, owner string, created time.Time, dismissed *time.Time,
	members []GroupMemberInput, numbered bool) []GroupInput {
	slices.SortStableFunc(members, func(a, b GroupMemberInput) int { return a.JoinedAt.Compare(b.JoinedAt) })
	for k := 0; k == 0 || k*groupCap < len(members); k++ {
		grp := GroupInput{
			ChatID:      g.chatID(len(out)),
			Name:        name,
			OwnerUserID: owner,
			Kind:        kind,
			CreatedAt:   created.UTC(),
			DismissedAt: dismissed,
			Members:     members[k*groupCap : min(len(members), (k+1)*groupCap)],
		}
		if numbered || k > 0 {
			grp.Name += strconv.Itoa(k + 1)
		}
		if k > 0 {
			grp.CreatedAt = grp.Members[0].JoinedAt.Add(-10 * time.Minute)
		}
		out = append(out, grp)
	}
	return out
}

// chatID looks like a WeCom group chat id.
func (g *generator) chatID(n int) string {
	b := append(make([]byte, 0, 32), "wr"...)
	b = appendFill(b, g.ids.k(keyChat)+uint64(n)*1_000_003, 24, base62)
	return string(append(b, "AAAA"...))
}
