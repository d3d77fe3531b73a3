package emulator

import (
	"math/rand/v2"
	"time"

	"siyu.dev/siyu/wecom"
)

const (
	day  = 24 * time.Hour
	year = 365 * day
	// shareOfScansOnCodes is how many adds come through a channel code when
	// the corp has any; the rest search the phone number or share a card.
	shareOfScansOnCodes = 0.85
)

// Corp tags the demo brand starts with.
var seedTagGroups = []struct {
	name string
	tags []string
}{
	{"客户等级", []string{"普通会员", "银卡会员", "金卡会员"}},
	{"客户来源", []string{"门店", "天猫", "抖音", "朋友推荐"}},
	{"兴趣偏好", []string{"护肤", "彩妆", "香氛", "母婴"}},
}

var seedGroupNames = []string{"知夏会员福利群", "新品体验官1群", "西湖店粉丝群", "宝妈护肤交流群", "周末闪购群", "香氛爱好者群"}

// Channel keys of the customers who were added before the emulator started.
var seedStates = []string{"parcel_card", "store_counter", "douyin_live", "tmall_service", ""}

// seedWorld builds what exists before the emulator starts: corp tags,
// existing customers and groups. Nothing here emits events. It draws from
// the population stream, so it depends only on the seed and the Population.
func (e *Emulator) seedWorld(r *rand.Rand, now time.Time) {
	if e.pop.SeedTags {
		for i, g := range seedTagGroups {
			var tags []wecom.NewCorpTag
			for _, t := range g.tags {
				tags = append(tags, wecom.NewCorpTag{Name: t})
			}
			_, _, _, _ = e.createTags("", g.name, uint32(len(seedTagGroups)-i), tags, now.Add(-400*day))
		}
	}
	var tagIDs []string
	for _, g := range e.st.tagGroups {
		for _, t := range g.tags {
			tagIDs = append(tagIDs, t.id)
		}
	}
	members := e.activeMembers()
	for _, p := range e.people {
		if len(members) == 0 || r.Float64() >= e.pop.ExistingContacts {
			continue
		}
		n := 1
		if r.Float64() < 0.1 {
			n = 2
		}
		for range n {
			m := members[r.IntN(len(members))]
			if e.followOf(m.UserID, p.ExternalUserID) != nil {
				continue
			}
			at := now.Add(-time.Duration(1+r.IntN(365)) * day).Add(-time.Duration(r.IntN(86400)) * time.Second)
			addWay, state := wecom.AddWayQRCode, seedStates[r.IntN(len(seedStates))]
			if state == "" {
				addWay = []int{wecom.AddWayPhoneSearch, wecom.AddWayBusinessCard, wecom.AddWayWeChatContact}[r.IntN(3)]
			}
			f := e.addFollow(m, p, at, addWay, m.UserID, state)
			for range r.IntN(3) {
				if len(tagIDs) > 0 {
					_ = e.markTags(f, []string{tagIDs[r.IntN(len(tagIDs))]}, nil)
				}
			}
		}
	}
	for i := 0; i < e.pop.ExistingGroups && len(members) > 0 && len(e.people) > 0; i++ {
		owner := members[r.IntN(len(members))]
		created := now.Add(-time.Duration(30+r.IntN(170)) * day)
		g := e.createGroup(owner, seedGroupNames[i%len(seedGroupNames)], created, false)
		for range 10 + r.IntN(50) {
			p := e.people[r.IntN(len(e.people))]
			if !e.isCustomer(p.ExternalUserID) || g.has(p.ExternalUserID) {
				continue
			}
			scene := 1 + r.IntN(3)
			invitor := owner.UserID
			if scene == wecom.JoinSceneQRCode {
				invitor = ""
			}
			at := created.Add(time.Duration(r.Int64N(int64(now.Sub(created)))))
			_ = e.joinGroup(g, p, scene, invitor, "", at, 0, false)
		}
	}
}

// startBehaviour schedules the population's own activity.
func (e *Emulator) startBehaviour(now time.Time) {
	if e.pop.Activity <= 0 {
		return
	}
	e.every(e.pop.ScansPerDay, now, e.randomScan)
	e.every(e.pop.GroupJoinsPerDay, now, e.randomGroupJoin)
	boost := max(e.pop.CustomerBoost, 1)
	for _, p := range e.people {
		maxRate := p.buyRate * boost * e.pop.Activity // orders per year, the most this person can reach
		if maxRate < 0.01 {
			continue
		}
		mean := time.Duration(float64(year) / maxRate)
		var next func(at time.Time)
		next = func(at time.Time) {
			// Thinning: candidates come at the highest rate and are kept in
			// proportion to the current one, so becoming a customer raises
			// the rate at once.
			rate := p.buyRate * e.pop.Activity
			if e.isCustomer(p.ExternalUserID) {
				rate *= boost
			}
			if e.sim.Float64() < rate/maxRate {
				e.placeOrder(p, at)
			}
			e.later(at, mean, next)
		}
		e.later(now, mean, next)
	}
}

// every runs fn as a Poisson process of perDay events per day (scaled by
// Activity).
func (e *Emulator) every(perDay float64, now time.Time, fn func(at time.Time)) {
	rate := perDay * e.pop.Activity
	if rate <= 0 {
		return
	}
	mean := time.Duration(float64(day) / rate)
	var tick func(at time.Time)
	tick = func(at time.Time) {
		fn(at)
		e.later(at, mean, tick)
	}
	e.later(now, mean, tick)
}

// later schedules fn after an exponential delay with the given mean, unless
// the delay is so long that it never happens.
func (e *Emulator) later(from time.Time, mean time.Duration, fn func(at time.Time)) {
	if d, ok := expDelay(e.sim, mean); ok {
		e.sched.add(from.Add(d), fn)
	}
}

// randomScan is someone scanning a channel code (or searching a member's
// number): most go on to add the member, some think better of it.
func (e *Emulator) randomScan(at time.Time) {
	if len(e.people) == 0 {
		return
	}
	p := e.people[e.sim.IntN(len(e.people))]
	var ways []*contactWay
	total := 0.0
	for _, w := range e.st.contactWays {
		if w.usable(at) && len(e.wayMembers(w)) > 0 {
			ways = append(ways, w)
			total += w.popularity
		}
	}
	var w *contactWay
	var m *memberState
	if len(ways) > 0 && e.sim.Float64() < shareOfScansOnCodes {
		x := e.sim.Float64() * total
		for _, c := range ways {
			w = c
			if x < c.popularity {
				break
			}
			x -= c.popularity
		}
		m = e.inTurn(w)[0]
	} else {
		ms := e.activeMembers()
		if len(ms) == 0 {
			return
		}
		m = ms[e.sim.IntN(len(ms))]
	}
	if e.followOf(m.UserID, p.ExternalUserID) != nil || e.sim.Float64() < e.pop.IgnoreShare {
		return
	}
	e.startAdd(p, m, w, at, false)
}

// startAdd is p adding member m, through contact way w or directly (w nil).
// With skip_verify the add is immediate; otherwise it waits for the member
// to accept the friend request. immediate makes the member accept at once,
// for the control API. It returns the welcome code of an immediate add.
func (e *Emulator) startAdd(p *person, m *memberState, w *contactWay, at time.Time, immediate bool) (welcomeCode string) {
	var addWay int
	var state string
	skip := false
	if w != nil {
		state, skip = w.State, w.SkipVerify
		addWay = wecom.AddWayQRCode
		if w.Scene == wecom.SceneMiniProgram {
			addWay = wecom.AddWayUnknown
		}
		if w.IsTemp {
			w.used = true
		}
	} else {
		addWay = e.directAddWay(p)
	}
	add := func(at time.Time) string {
		f := e.addFollow(m, p, at, addWay, m.UserID, state)
		code := e.issueWelcome(m.UserID, p.ExternalUserID, at)
		e.emit(wecom.Event{
			Event: wecom.EventChangeExternalContact, ChangeType: wecom.ChangeAddExternalContact,
			UserID: m.UserID, ExternalUserID: p.ExternalUserID, State: state, WelcomeCode: code,
		}, at)
		e.maybeDeleteLater(f, at)
		return code
	}
	switch {
	case immediate || skip && e.sim.Float64() >= e.pop.HalfAddShare:
		return add(at)
	case skip:
		// The customer is in; the member has not confirmed yet.
		f := e.addFollow(m, p, at, addWay, m.UserID, state)
		code := e.issueWelcome(m.UserID, p.ExternalUserID, at)
		e.emit(wecom.Event{
			Event: wecom.EventChangeExternalContact, ChangeType: wecom.ChangeAddHalfExternalContact,
			UserID: m.UserID, ExternalUserID: p.ExternalUserID, State: state, WelcomeCode: code,
		}, at)
		e.sched.add(at.Add(e.acceptDelay()), func(at time.Time) {
			if e.followOf(m.UserID, p.ExternalUserID) != f {
				return
			}
			// No new welcome code if the first one was used.
			next := ""
			if w := e.st.welcomes[code]; w == nil || !w.sent {
				next = e.issueWelcome(m.UserID, p.ExternalUserID, at)
			}
			e.emit(wecom.Event{
				Event: wecom.EventChangeExternalContact, ChangeType: wecom.ChangeAddExternalContact,
				UserID: m.UserID, ExternalUserID: p.ExternalUserID, State: state, WelcomeCode: next,
			}, at)
			e.maybeDeleteLater(f, at)
		})
	default:
		e.sched.add(at.Add(e.acceptDelay()), func(at time.Time) {
			if e.followOf(m.UserID, p.ExternalUserID) == nil && !m.resigned {
				add(at)
			}
		})
	}
	return ""
}

func (e *Emulator) acceptDelay() time.Duration {
	return time.Duration(float64(e.pop.AcceptDelay) * (0.5 + e.sim.Float64()))
}

// directAddWay is how someone adds a member without a channel code.
func (e *Emulator) directAddWay(p *person) int {
	if p.Phone != "" && e.sim.Float64() < 0.4 {
		return wecom.AddWayPhoneSearch
	}
	if e.sim.Float64() < 0.5 {
		return wecom.AddWayBusinessCard
	}
	return wecom.AddWayWeChatContact
}

// maybeDeleteLater decides whether this new customer will delete the
// member one day.
func (e *Emulator) maybeDeleteLater(f *follow, at time.Time) {
	if e.pop.Activity <= 0 || e.sim.Float64() >= e.pop.DeleteShare {
		return
	}
	e.later(at, e.pop.DeleteAfter, func(at time.Time) {
		if e.followOf(f.userID, f.extID) == f {
			e.customerDeletes(f, at)
		}
	})
}

// customerDeletes is the customer deleting the member (del_follow_user).
func (e *Emulator) customerDeletes(f *follow, at time.Time) {
	e.removeFollow(f)
	e.emit(wecom.Event{
		Event: wecom.EventChangeExternalContact, ChangeType: wecom.ChangeDelFollowUser,
		UserID: f.userID, ExternalUserID: f.extID,
	}, at)
}

// randomGroupJoin is a customer joining a group: through a join way's QR
// code, or invited by a member who has them as a customer.
func (e *Emulator) randomGroupJoin(at time.Time) {
	if len(e.people) == 0 {
		return
	}
	var p *person
	for range 5 {
		c := e.people[e.sim.IntN(len(e.people))]
		if e.isCustomer(c.ExternalUserID) {
			p = c
			break
		}
	}
	if p == nil {
		return
	}
	var ways []*joinWay
	for _, w := range e.st.joinWays {
		if !w.deleted {
			ways = append(ways, w)
		}
	}
	var owned []*groupChat
	for _, g := range e.st.groups {
		if !g.dismissed && e.followOf(g.owner, p.ExternalUserID) != nil && !g.has(p.ExternalUserID) {
			owned = append(owned, g)
		}
	}
	var g *groupChat
	var err error
	switch {
	case len(ways) > 0 && (len(owned) == 0 || e.sim.Float64() < 0.5):
		g, err = e.joinViaWay(ways[e.sim.IntN(len(ways))], p, at)
	case len(owned) > 0:
		g = owned[e.sim.IntN(len(owned))]
		scene := wecom.JoinSceneInvited
		if e.sim.Float64() < 0.3 {
			scene = wecom.JoinSceneLink
		}
		err = e.joinGroup(g, p, scene, g.owner, "", at, e.pol.GroupMemberCap, true)
	default:
		return
	}
	if err != nil || g == nil || e.sim.Float64() >= e.pop.GroupLeaveShare {
		return
	}
	e.later(at, e.pop.GroupLeaveAfter, func(at time.Time) {
		if !g.dismissed && g.has(p.ExternalUserID) {
			_ = e.leaveGroup(g, p.ExternalUserID, wecom.QuitSceneSelf, at)
		}
	})
}
