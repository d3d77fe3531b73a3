package groups_test

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/groups"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

// A scenario is raw group history: what WeCom and the event sources told
// Siyu. Times are hours after day0 (00:00 Asia/Shanghai).
type scenario struct {
	name    string
	groups  []hGroup
	members []hMember
	events  []hEvent
	now     float64
	active  int
}

type hGroup struct {
	chat      string
	role      string // main (default) or small
	created   float64
	dismissed float64 // 0: live
}

type hMember struct {
	chat, who    string
	joined, left float64 // left 0: still in
}

type hEvent struct {
	chat, who, typ, session string
	at                      float64
}

var day0 = time.Date(2026, 6, 1, 0, 0, 0, 0, siyu.Shanghai)

func hours(h float64) time.Time { return day0.Add(time.Duration(h * float64(time.Hour))).UTC() }

var scenarios = []scenario{
	{name: "one live group", now: 60, active: 1,
		groups:  []hGroup{{chat: "wrA", created: 10}},
		members: []hMember{{"wrA", "a", 11, 0}, {"wrA", "b", 12, 33}, {"wrA", "c", 44, 0}},
		events: []hEvent{
			{"wrA", "a", siyu.EventMessage, "", 40}, {"wrA", "b", siyu.EventMessage, "", 13}, {"wrA", "c", groups.EventCheckIn, "s1", 45},
			{"wrA", "a", siyu.EventMessage, "", 50},
			{"wrZ", "a", siyu.EventMessage, "", 51}, // another group
			{"", "c", siyu.EventMessage, "", 52},    // a 1:1 message
			{"wrA", "c", siyu.EventMomentLiked, "", 53},
		}},
	{name: "dismissed groups average their lifetimes", now: 200, active: 7,
		groups: []hGroup{{chat: "wrA", created: 8, dismissed: 8 + 3.6*24}, {chat: "wrB", created: 30, dismissed: 80}, {chat: "wrC", created: 40}},
		members: []hMember{
			{"wrA", "a", 9, 0}, {"wrA", "b", 9.5, 20}, {"wrA", "c", 10, 0}, {"wrB", "d", 31, 40}, {"wrB", "e", 32, 0},
			{"wrC", "a", 41, 0}, {"wrC", "f", 42, 150}, {"wrC", "g", 160, 0},
		},
		events: []hEvent{
			{"wrA", "a", siyu.EventMessage, "", 12}, {"wrA", "c", siyu.EventMessage, "", 90}, {"wrB", "e", siyu.EventMessage, "", 70},
			{"wrC", "a", siyu.EventMessage, "", 170}, {"wrC", "g", siyu.EventMessage, "", 171}, {"wrC", "g", siyu.EventMessage, "", 190},
		}},
	{name: "layered: class and small groups with check-ins", now: 100, active: 2,
		groups: []hGroup{{chat: "wrClass", created: 1}, {chat: "wrS1", role: store.GroupRoleSmall, created: 2}, {chat: "wrS2", role: store.GroupRoleSmall, created: 2}},
		members: []hMember{
			{"wrClass", "a", 3, 0}, {"wrClass", "b", 3, 0}, {"wrClass", "c", 3, 0}, {"wrClass", "d", 3, 0},
			{"wrS1", "a", 4, 0}, {"wrS1", "b", 4, 0}, {"wrS2", "c", 4, 0}, {"wrS2", "d", 4, 50},
		},
		events: []hEvent{
			{"wrClass", "a", groups.EventCheckIn, "1", 20}, {"wrClass", "b", groups.EventCheckIn, "1", 20}, {"wrClass", "c", groups.EventCheckIn, "1", 21},
			{"wrClass", "a", groups.EventCheckIn, "2", 44}, {"wrS1", "a", groups.EventCheckIn, "2", 45}, // twice: counts once
			{"wrS2", "c", groups.EventCheckIn, "2", 46}, {"wrClass", "d", groups.EventCheckIn, "3", 68},
			{"wrS1", "b", siyu.EventMessage, "", 90},
		}},
	{name: "no groups yet", now: 5, active: 7},
}

func TestHealthEqualsAnIndependentComputation(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			st := storetest.Open(t)
			w, err := st.CreateWorkspace(ctx, "brand", "木棉集")
			if err != nil {
				t.Fatal(err)
			}
			owner, err := st.UpsertAccount(ctx, w.ID, siyu.Account{WeComUserID: "founder", Name: "林知夏", Active: true})
			if err != nil {
				t.Fatal(err)
			}
			svc := groups.New(st, nil, nil)
			now := hours(sc.now)
			svc.Now = func() time.Time { return now }
			tmpl, err := svc.CreateTemplate(ctx, w.ID, store.GroupTemplate{Name: "冲刺", OwnerAccountID: owner.ID})
			if err != nil {
				t.Fatal(err)
			}
			a, err := svc.CreateActivity(ctx, w.ID, groups.ActivityDraft{TemplateID: tmpl.ID})
			if err != nil {
				t.Fatal(err)
			}
			load(t, st, w.ID, a.ID, sc)

			got, err := svc.Health(ctx, w.ID, a.ID, sc.active)
			if err != nil {
				t.Fatal(err)
			}
			want := expectHealth(sc)
			compareHealth(t, got, want)

			att, err := svc.Attendance(ctx, w.ID, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantAtt := expectAttendance(sc)
			if len(att) != len(wantAtt) {
				t.Fatalf("attendance of %d groups, want %d", len(att), len(wantAtt))
			}
			for _, x := range att {
				w := wantAtt[x.Name]
				if x.Members != w.Members || x.Sessions != w.Sessions || x.CheckIns != w.CheckIns || !near(x.Rate, w.Rate) {
					t.Errorf("attendance of %s = %+v, want %+v", x.Name, x, w)
				}
			}
		})
	}
}

// load writes a scenario through the store's ordinary entry points.
func load(t *testing.T, st *store.Store, ws, activityID int64, sc scenario) {
	t.Helper()
	for i, g := range sc.groups {
		in := store.GroupInput{ChatID: g.chat, Name: g.chat, OwnerUserID: "founder", CreatedAt: hours(g.created)}
		if g.dismissed > 0 {
			d := hours(g.dismissed)
			in.DismissedAt = &d
		}
		for _, m := range sc.members {
			if m.chat != g.chat {
				continue
			}
			gm := store.GroupMemberInput{Identifiers: ext(m.who), JoinedAt: hours(m.joined)}
			if m.left > 0 {
				l := hours(m.left)
				gm.LeftAt = &l
			}
			in.Members = append(in.Members, gm)
		}
		if _, err := st.UpsertGroup(ctx, ws, in); err != nil {
			t.Fatal(err)
		}
		role := g.role
		if role == "" {
			role = store.GroupRoleMain
		}
		if err := st.AttachActivityGroup(ctx, ws, activityID, g.chat, i+1, role, 0); err != nil {
			t.Fatal(err)
		}
	}
	var evs []siyu.EventInput
	for _, e := range sc.events {
		props := map[string]any{}
		if e.chat != "" {
			props["chat_id"] = e.chat
		}
		if e.session != "" {
			props["session"] = e.session
		}
		evs = append(evs, siyu.EventInput{Type: e.typ, Source: "test", OccurredAt: hours(e.at), Identifiers: ext(e.who), Props: props})
	}
	if len(evs) > 0 {
		if _, err := st.RecordEvents(ctx, ws, evs); err != nil {
			t.Fatal(err)
		}
	}
}

func ext(who string) []siyu.Identifier {
	return []siyu.Identifier{{Kind: siyu.KindExternalUser, Value: "wm_" + who}}
}

type wantGroup struct {
	members, joined, left, messages, active int
	lifetime                                float64
}

type wantHealth struct {
	groups                                  map[string]wantGroup
	members, joined, left, messages, active int
	dismissed                               int
	avgLifetime                             float64
	series                                  []groups.DayPoint
}

// expectHealth computes the figures straight from the scenario: the
// series by replaying joins, leaves and dismissals in time order.
func expectHealth(sc scenario) wantHealth {
	w := wantHealth{groups: map[string]wantGroup{}}
	inGroups := map[string]bool{}
	for _, g := range sc.groups {
		inGroups[g.chat] = true
	}
	countsAsActivity := func(e hEvent) bool {
		return inGroups[e.chat] && (e.typ == siyu.EventMessage || e.typ == groups.EventCheckIn)
	}
	activeFrom := sc.now - float64(sc.active*24)
	activeAll := map[string]bool{}
	var lifetimes []float64
	for _, g := range sc.groups {
		var wg wantGroup
		last := g.created
		for _, m := range sc.members {
			if m.chat != g.chat {
				continue
			}
			wg.joined++
			last = math.Max(last, m.joined)
			if m.left > 0 {
				wg.left++
				last = math.Max(last, m.left)
			} else if g.dismissed == 0 {
				wg.members++
			}
		}
		active := map[string]bool{}
		for _, e := range sc.events {
			if e.chat != g.chat || !countsAsActivity(e) {
				continue
			}
			last = math.Max(last, e.at)
			if e.typ == siyu.EventMessage {
				wg.messages++
			}
			if e.at > activeFrom && e.at <= sc.now {
				active[e.who], activeAll[e.who] = true, true
			}
		}
		wg.active = len(active)
		if g.dismissed > 0 {
			wg.lifetime = (g.dismissed - g.created) / 24
			lifetimes = append(lifetimes, wg.lifetime)
			w.dismissed++
		} else {
			wg.lifetime = (last - g.created) / 24
		}
		w.groups[g.chat] = wg
		w.members += wg.members
		w.joined += wg.joined
		w.left += wg.left
		w.messages += wg.messages
	}
	w.active = len(activeAll)
	for _, l := range lifetimes {
		w.avgLifetime += l / float64(len(lifetimes))
	}
	w.series = replay(sc)
	return w
}

// replay walks the history as a sorted list of +1/-1 changes and reads the
// member count at each day's end.
func replay(sc scenario) []groups.DayPoint {
	if len(sc.groups) == 0 {
		return []groups.DayPoint{}
	}
	type change struct {
		at    float64
		delta int
	}
	var changes []change
	dismissedAt := map[string]float64{}
	first, end := math.Inf(1), sc.now
	allGone, lastGone := true, 0.0
	for _, g := range sc.groups {
		dismissedAt[g.chat] = g.dismissed
		first = math.Min(first, g.created)
		if g.dismissed == 0 {
			allGone = false
		}
		lastGone = math.Max(lastGone, g.dismissed)
	}
	if allGone {
		end = lastGone
	}
	for _, m := range sc.members {
		changes = append(changes, change{m.joined, +1})
		out := m.left
		if d := dismissedAt[m.chat]; d > 0 && (out == 0 || d < out) {
			out = d
		}
		if out > 0 {
			changes = append(changes, change{out, -1})
		}
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].at < changes[j].at })
	var out []groups.DayPoint
	for d := math.Floor(first / 24); d*24 <= end; d++ {
		from, to := d*24, d*24+24
		p := groups.DayPoint{Day: day0.AddDate(0, 0, int(d)).Format(time.DateOnly)}
		for _, c := range changes {
			if c.at < to {
				p.Members += c.delta
			}
		}
		for _, m := range sc.members {
			if m.joined >= from && m.joined < to {
				p.Joined++
			}
			if m.left > 0 && m.left >= from && m.left < to {
				p.Left++
			}
		}
		for _, e := range sc.events {
			inActivity := slices.ContainsFunc(sc.groups, func(g hGroup) bool { return g.chat == e.chat })
			if inActivity && e.typ == siyu.EventMessage && e.at >= from && e.at < to {
				p.Messages++
			}
		}
		out = append(out, p)
	}
	return out
}

func compareHealth(t *testing.T, got groups.Health, want wantHealth) {
	t.Helper()
	for _, g := range got.Groups {
		w, ok := want.groups[g.ChatID]
		if !ok {
			t.Errorf("unexpected group %s", g.ChatID)
			continue
		}
		if g.Members != w.members || g.Joined != w.joined || g.Left != w.left || g.Messages != w.messages || g.ActiveMembers != w.active || !near(g.LifetimeDays, w.lifetime) {
			t.Errorf("group %s = members %d joined %d left %d messages %d active %d lifetime %.4f; want %+v",
				g.ChatID, g.Members, g.Joined, g.Left, g.Messages, g.ActiveMembers, g.LifetimeDays, w)
		}
		if w.joined > 0 && !near(g.QuitRate, float64(w.left)/float64(w.joined)) {
			t.Errorf("group %s quit rate %.4f", g.ChatID, g.QuitRate)
		}
		if !near(g.JoinsPerDay, float64(w.joined)/math.Max(w.lifetime, 1)) {
			t.Errorf("group %s joins per day %.4f", g.ChatID, g.JoinsPerDay)
		}
	}
	if len(got.Groups) != len(want.groups) {
		t.Errorf("%d groups, want %d", len(got.Groups), len(want.groups))
	}
	if got.Members != want.members || got.Joined != want.joined || got.Left != want.left || got.Messages != want.messages ||
		got.ActiveMembers != want.active || got.DismissedGroups != want.dismissed || !near(got.AverageLifetimeDays, want.avgLifetime) {
		t.Errorf("totals = %+v\nwant %+v", got, want)
	}
	if fmt.Sprint(got.Series) != fmt.Sprint(want.series) {
		t.Errorf("series\n got %v\nwant %v", got.Series, want.series)
	}
}

// expectAttendance: sessions are the distinct sessions checked in for;
// a member attends a session once, wherever they checked in.
func expectAttendance(sc scenario) map[string]groups.Attendance {
	sessions := map[string]bool{}
	attended := map[[2]string]bool{}
	for _, e := range sc.events {
		if e.typ == groups.EventCheckIn {
			sessions[e.session] = true
			attended[[2]string{e.who, e.session}] = true
		}
	}
	out := map[string]groups.Attendance{}
	for _, g := range sc.groups {
		a := groups.Attendance{Name: g.chat, Sessions: len(sessions)}
		seen := map[string]bool{}
		for _, m := range sc.members {
			if m.chat == g.chat && !seen[m.who] {
				seen[m.who] = true
				a.Members++
				for s := range sessions {
					if attended[[2]string{m.who, s}] {
						a.CheckIns++
					}
				}
			}
		}
		if a.Members*a.Sessions > 0 {
			a.Rate = float64(a.CheckIns) / float64(a.Members*a.Sessions)
		}
		out[g.chat] = a
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }
