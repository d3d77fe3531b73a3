package demo

import (
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
)

var testNow = time.Date(2025, 11, 20, 15, 4, 5, 0, siyu.Shanghai)

// generated caches datasets: several tests look at the same one.
var generated = map[int]Dataset{}

func dataset(t testing.TB, customers int) Dataset {
	t.Helper()
	if ds, ok := generated[customers]; ok {
		return ds
	}
	ds := Generate(Config{Seed: 42, Customers: customers, Now: testNow})
	generated[customers] = ds
	return ds
}

func TestDeterministic(t *testing.T) {
	cfg := Config{Seed: 7, Customers: 800, Now: testNow}
	a, b := Generate(cfg), Generate(cfg)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs with the same seed differ")
	}
	cfg.Seed = 8
	if c := Generate(cfg); reflect.DeepEqual(a.Orders, c.Orders) {
		t.Fatal("a different seed gave the same orders")
	}

	// Stream gives exactly the orders of Generate.
	cfg.Seed = 7
	var streamed []siyu.OrderInput
	if err := Stream(cfg, func(o siyu.OrderInput) error { streamed = append(streamed, o); return nil }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(streamed, a.Orders) {
		t.Fatalf("Stream gave %d orders that differ from Generate's %d", len(streamed), len(a.Orders))
	}
}

func TestEverythingPrepares(t *testing.T) {
	ds := dataset(t, 10_000)
	if len(ds.Orders) < 10_000 || len(ds.Events) == 0 {
		t.Fatalf("%d orders, %d events for 10k customers", len(ds.Orders), len(ds.Events))
	}
	for i, o := range ds.Orders {
		o.Identifiers = slices.Clone(o.Identifiers) // Prepare rewrites in place
		if err := o.Prepare(); err != nil {
			t.Fatalf("order %d (%s %s): %v", i, o.Channel, o.ExternalID, err)
		}
		if len(o.Identifiers) == 0 {
			t.Fatalf("order %s %s names nobody", o.Channel, o.ExternalID)
		}
		if o.PlacedAt.After(testNow) || o.PlacedAt.Before(testNow.AddDate(-2, 0, 0)) {
			t.Fatalf("order %s placed %v, outside the two years before %v", o.ExternalID, o.PlacedAt, testNow)
		}
		if o.PaidAt != nil && (o.PaidAt.Before(o.PlacedAt) || o.PaidAt.After(testNow)) {
			t.Fatalf("order %s paid %v, placed %v", o.ExternalID, o.PaidAt, o.PlacedAt)
		}
		var sum siyu.Fen
		for _, it := range o.Items {
			sum += it.Price * siyu.Fen(it.Quantity)
		}
		if len(o.Items) == 0 || o.Amount > sum || o.Amount <= 0 {
			t.Fatalf("order %s: amount %s for items worth %s", o.ExternalID, o.Amount, sum)
		}
	}
	for i, e := range ds.Events {
		e.Identifiers = slices.Clone(e.Identifiers)
		if err := e.Prepare(); err != nil {
			t.Fatalf("event %d (%s): %v", i, e.Type, err)
		}
		if e.OccurredAt.After(testNow) {
			t.Fatalf("event %s at %v is in the future", e.Type, e.OccurredAt)
		}
	}
	for _, c := range ds.Contacts {
		for _, id := range c.Identifiers {
			if _, err := siyu.NormalizeIdentifier(id); err != nil {
				t.Fatalf("contact %s: %v", c.ExternalUserID, err)
			}
		}
	}
}

var orderIDFormats = map[siyu.Channel]*regexp.Regexp{
	siyu.ChannelTmall:   regexp.MustCompile(`^[1-9]\d{17,18}$`),
	siyu.ChannelTaobao:  regexp.MustCompile(`^[1-9]\d{17,18}$`),
	siyu.ChannelJD:      regexp.MustCompile(`^[23]\d{11,12}$`),
	siyu.ChannelDouyin:  regexp.MustCompile(`^(69|49|50)\d{17}$`),
	siyu.ChannelWeChat:  regexp.MustCompile(`^WX\d{19}$`),
	siyu.ChannelYouzan:  regexp.MustCompile(`^E\d{26}$`),
	siyu.ChannelOffline: regexp.MustCompile(`^POS(hz01|sh01|gz01|cd01)\d{18}$`),
}

var identifierFormats = map[siyu.IdentityKind]*regexp.Regexp{
	siyu.KindPhone:         regexp.MustCompile(`^1[3-9]\d{9}$`),
	siyu.KindTaobaoNick:    regexp.MustCompile(`^(tb\d{10}|tb_\d{11}|[^\d_]+_?\d+)$`),
	siyu.KindJDBuyerID:     regexp.MustCompile(`^jd_[0-9a-z]{10}$`),
	siyu.KindDouyinOpenID:  regexp.MustCompile(`^_000[0-9A-Za-z]{32}$`),
	siyu.KindOpenID:        regexp.MustCompile(`^wx[0-9a-f]{16}:o[0-9A-Za-z]{27}$`),
	siyu.KindUnionID:       regexp.MustCompile(`^o[0-9A-Za-z]{27}$`),
	siyu.KindExternalUser:  regexp.MustCompile(`^wm[0-9A-Za-z]{30}$`),
	siyu.KindMemberNo:      regexp.MustCompile(`^MM\d{8}$`),
	siyu.KindYouzanBuyerID: regexp.MustCompile(`^\d{10}$`),
}

func TestIdentifiersLookReal(t *testing.T) {
	ds := dataset(t, 10_000)
	seen := map[siyu.Channel]map[string]bool{}
	for _, o := range ds.Orders {
		if !orderIDFormats[o.Channel].MatchString(o.ExternalID) {
			t.Fatalf("%s order id %q does not look like one", o.Channel, o.ExternalID)
		}
		if seen[o.Channel] == nil {
			seen[o.Channel] = map[string]bool{}
		}
		if seen[o.Channel][o.ExternalID] {
			t.Fatalf("%s order id %s used twice", o.Channel, o.ExternalID)
		}
		seen[o.Channel][o.ExternalID] = true
		for _, id := range o.Identifiers {
			if !identifierFormats[id.Kind].MatchString(id.Value) {
				t.Fatalf("%s %q does not look like one", id.Kind, id.Value)
			}
		}
		if o.MaskedPhone != "" && !regexp.MustCompile(`^1\d\d\*{4}\d{4}$`).MatchString(o.MaskedPhone) {
			t.Fatalf("masked phone %q", o.MaskedPhone)
		}
	}
	for _, c := range ds.Contacts {
		if c.Identifiers[0] != (siyu.Identifier{Kind: siyu.KindExternalUser, Value: c.ExternalUserID}) {
			t.Fatalf("contact's first identifier is %v, not its external_userid", c.Identifiers[0])
		}
		for _, id := range c.Identifiers {
			if !identifierFormats[id.Kind].MatchString(id.Value) {
				t.Fatalf("%s %q does not look like one", id.Kind, id.Value)
			}
		}
	}
}

// TestNoStrangerShares checks the ground truth: no identifier is given to
// two different people, so every merge the store makes is a true one.
func TestNoStrangerShares(t *testing.T) {
	cfg := Config{Seed: 3, Customers: 20_000, Now: testNow}.withDefaults()
	g := newGenerator(cfg)
	owner := map[siyu.Identifier]int{}
	claim := func(id siyu.Identifier, i int) {
		if o, ok := owner[id]; ok && o != i {
			t.Fatalf("%s %s belongs to people %d and %d", id.Kind, id.Value, o, i)
		}
		owner[id] = i
	}
	var out []siyu.OrderInput
	for i := range cfg.Customers {
		g.seed(streamOrders, i)
		p := g.person(g.r, i, g.days)
		g.days = p.days
		out = g.orders(&p, out[:0], nil)
		for _, o := range out {
			for _, id := range o.Identifiers {
				claim(id, i)
			}
		}
		for _, id := range g.wecomIDs(i) {
			claim(id, i)
		}
	}
}

func TestDistributions(t *testing.T) {
	ds := dataset(t, 10_000)
	orders := ds.Orders

	// People, as identity resolution would find them: orders joined by any
	// shared identifier.
	people := newUnionFind()
	for i, o := range orders {
		for _, id := range o.Identifiers {
			people.join(i, id)
		}
	}
	paidBy := map[int]int{}
	var amounts []int
	byDay := map[string]int{}
	byChannel := map[siyu.Channel]int{}
	refunded, partial := 0, 0
	for i, o := range orders {
		if o.Status.Paid() || o.Status == siyu.StatusRefunded {
			paidBy[people.find(i)]++
		}
		amounts = append(amounts, int(o.Amount))
		byDay[o.PlacedAt.In(siyu.Shanghai).Format(time.DateOnly)]++
		byChannel[o.Channel]++
		if o.Status == siyu.StatusRefunded {
			refunded++
		} else if o.Refund > 0 {
			partial++
		}
	}
	repeat := 0
	for _, n := range paidBy {
		if n > 1 {
			repeat++
		}
	}
	t.Logf("%d orders, %d buyers, %d repeat buyers", len(orders), len(paidBy), repeat)
	if share := float64(repeat) / float64(len(paidBy)); share < 0.2 || share > 0.4 {
		t.Errorf("%.1f%% of buyers bought again; want 20-40%%", 100*share)
	}
	if len(paidBy) < 8000 || len(paidBy) > 10_000 {
		t.Errorf("%d buyers resolved out of 10000 people", len(paidBy))
	}

	sort.Ints(amounts)
	if median := siyu.Fen(amounts[len(amounts)/2]); median < 10000 || median > 50000 {
		t.Errorf("median order ¥%s; want ¥100-500", median)
	}
	if top := siyu.Fen(amounts[len(amounts)*99/100]); top < 100000 {
		t.Errorf("99th percentile order ¥%s; want a long tail above ¥1000", top)
	}

	days := testNow.Sub(testNow.AddDate(-2, 0, 0)).Hours() / 24
	avg := float64(len(orders)) / days
	for _, d := range []string{"2024-11-11", "2025-11-11"} {
		if byDay[d] < int(3*avg) {
			t.Errorf("%d orders on %s; want at least 3x the average %.0f", byDay[d], d, avg)
		}
	}
	if byDay["2025-06-18"] < int(2*avg) {
		t.Errorf("%d orders on 618; want at least 2x the average %.0f", byDay["2025-06-18"], avg)
	}
	if cny := byDay["2025-01-29"] + byDay["2025-01-30"] + byDay["2025-01-31"]; float64(cny) > 3*avg*0.6 {
		t.Errorf("%d orders in the first days of 春节 2025; want a dip below the average %.0f", cny, avg)
	}

	want := map[siyu.Channel][2]float64{
		siyu.ChannelTmall: {0.28, 0.42}, siyu.ChannelTaobao: {0.10, 0.20}, siyu.ChannelJD: {0.06, 0.14},
		siyu.ChannelDouyin: {0.14, 0.26}, siyu.ChannelWeChat: {0.08, 0.18}, siyu.ChannelYouzan: {0.01, 0.05},
		siyu.ChannelOffline: {0.02, 0.09},
	}
	for ch, r := range want {
		if share := float64(byChannel[ch]) / float64(len(orders)); share < r[0] || share > r[1] {
			t.Errorf("%s has %.1f%% of orders; want %.0f-%.0f%%", ch, 100*share, 100*r[0], 100*r[1])
		}
	}
	if share := float64(refunded) / float64(len(orders)); share < 0.03 || share > 0.08 {
		t.Errorf("%.1f%% refunded; want about 5%%", 100*share)
	}
	if partial == 0 {
		t.Error("no partial refunds")
	}
}

func TestMergesAndMasks(t *testing.T) {
	ds := dataset(t, 10_000)
	families := map[string]map[siyu.Channel]bool{}
	masked := map[siyu.Channel]int{}
	total := map[siyu.Channel]int{}
	for _, o := range ds.Orders {
		total[o.Channel]++
		if o.MaskedPhone != "" {
			masked[o.Channel]++
		}
		for _, id := range o.Identifiers {
			if id.Kind == siyu.KindPhone {
				if families[id.Value] == nil {
					families[id.Value] = map[siyu.Channel]bool{}
				}
				families[id.Value][family(o.Channel)] = true
			}
		}
	}
	shared := 0
	for _, f := range families {
		if len(f) > 1 {
			shared++
		}
	}
	t.Logf("%d phones on two platforms; %d of %d Tmall orders masked", shared, masked[siyu.ChannelTmall], total[siyu.ChannelTmall])
	// About a tenth of the ~9200 buyers shop on two platforms with one phone.
	if shared < 600 || shared > 1300 {
		t.Errorf("%d phones on two platforms; want about 8-12%% of buyers", shared)
	}
	if share := float64(masked[siyu.ChannelTmall]) / float64(total[siyu.ChannelTmall]); share < 0.3 || share > 0.8 {
		t.Errorf("%.0f%% of Tmall orders have masked phones", 100*share)
	}
	if masked[siyu.ChannelOffline] != 0 {
		t.Error("shops do not mask their members' phones")
	}

	// Contacts join WeChat shop buyers through the unionid.
	shopUnion := map[string]bool{}
	for _, o := range ds.Orders {
		for _, id := range o.Identifiers {
			if o.Channel == siyu.ChannelWeChat && id.Kind == siyu.KindUnionID {
				shopUnion[id.Value] = true
			}
		}
	}
	joined := 0
	for _, c := range ds.Contacts {
		for _, id := range c.Identifiers {
			if id.Kind == siyu.KindUnionID && shopUnion[id.Value] {
				joined++
			}
		}
	}
	if joined < 100 {
		t.Errorf("only %d contacts share a unionid with WeChat shop orders", joined)
	}
}

func TestContactsGroupsTags(t *testing.T) {
	ds := dataset(t, 10_000)
	if len(ds.Accounts) < 5 {
		t.Fatalf("%d accounts", len(ds.Accounts))
	}
	accounts := map[string]siyu.Account{}
	for _, a := range ds.Accounts {
		accounts[a.WeComUserID] = a
	}
	deleted, byAccount := 0, map[string]int{}
	states := map[string]bool{}
	for _, c := range ds.Contacts {
		a, ok := accounts[c.AccountUserID]
		if !ok {
			t.Fatalf("contact of unknown account %q", c.AccountUserID)
		}
		if c.AddedAt.Before(a.CreatedAt) || c.AddedAt.After(testNow) {
			t.Fatalf("contact added %v; account created %v", c.AddedAt, a.CreatedAt)
		}
		if c.DeletedAt != nil {
			deleted++
			byAccount[c.DeletedBy]++
			if !c.DeletedAt.After(c.AddedAt) || c.DeletedAt.After(testNow) {
				t.Fatalf("contact added %v, deleted %v", c.AddedAt, c.DeletedAt)
			}
		}
		states[strings.TrimRight(c.State, "0123456789Q")] = true
	}
	if share := float64(deleted) / float64(len(ds.Contacts)); share < 0.12 || share > 0.28 {
		t.Errorf("%.0f%% of contacts deleted; want 15-25%%", 100*share)
	}
	if byAccount[siyu.DeletedByCustomer] <= byAccount[siyu.DeletedByAccount] || byAccount[siyu.DeletedByAccount] == 0 {
		t.Errorf("deleted by: %v", byAccount)
	}
	for _, s := range []string{"parcel_insert_", "douyin_live_", "store_hz", "wxshop_order"} {
		if !states[s] {
			t.Errorf("no contact came through %s (states %v)", s, states)
		}
	}

	kinds := map[string]int{}
	for _, g := range ds.Groups {
		kinds[g.Kind]++
		if len(g.Members) > groupCap {
			t.Errorf("group %s has %d members", g.Name, len(g.Members))
		}
		if g.Kind == "campaign" {
			if g.DismissedAt == nil || g.DismissedAt.Sub(g.CreatedAt) > 7*24*time.Hour {
				t.Errorf("campaign group %s lives from %v to %v", g.Name, g.CreatedAt, g.DismissedAt)
			}
		}
		for _, m := range g.Members {
			if m.JoinedAt.Before(g.CreatedAt) || g.DismissedAt != nil && m.JoinedAt.After(*g.DismissedAt) {
				t.Fatalf("member of %s joined %v; group lived %v to %v", g.Name, m.JoinedAt, g.CreatedAt, g.DismissedAt)
			}
			if m.Identifiers[0].Kind != siyu.KindExternalUser {
				t.Fatalf("group member named by %s", m.Identifiers[0].Kind)
			}
		}
	}
	if kinds["campaign"] < 6 || kinds["vip"] == 0 || kinds["store"] == 0 {
		t.Errorf("groups by kind: %v", kinds)
	}
	for _, tag := range ds.Tags {
		if len(tag.Customers) == 0 {
			t.Errorf("nobody tagged %s", tag.Name)
		}
	}
	events := map[string]int{}
	for _, e := range ds.Events {
		events[e.Type]++
	}
	for _, typ := range []string{EventPageView, siyu.EventMomentLiked, siyu.EventMomentComment, siyu.EventMessage, EventDouyinComment} {
		if events[typ] == 0 {
			t.Errorf("no %s events", typ)
		}
	}
}

func TestGroupsRollOver(t *testing.T) {
	g := newGenerator(Config{Seed: 1, Customers: 10, Now: testNow}.withDefaults())
	var members []GroupMemberInput
	for i := range 1234 {
		members = append(members, GroupMemberInput{JoinedAt: testNow.Add(-time.Duration(1234-i) * time.Minute)})
	}
	groups := g.fill(nil, "双11福利群", "campaign", "owner", testNow.Add(-48*time.Hour), nil, members, true)
	if len(groups) != 3 || len(groups[0].Members) != 500 || len(groups[2].Members) != 234 {
		t.Fatalf("1234 members went into %d groups", len(groups))
	}
	if groups[1].Name != "双11福利群2" || !groups[1].CreatedAt.After(groups[0].CreatedAt) {
		t.Errorf("second group %q created %v", groups[1].Name, groups[1].CreatedAt)
	}
}

func TestOrdersPerCustomer(t *testing.T) {
	for _, target := range []float64{3, 10} {
		cfg := Config{Seed: 5, Customers: 5000, Now: testNow, OrdersPerCustomer: target}
		n := 0
		if err := Stream(cfg, func(siyu.OrderInput) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		if got := float64(n) / 5000; got < target*0.85 || got > target*1.15 {
			t.Errorf("asked for %.0f orders per customer, got %.2f", target, got)
		}
	}
}

func TestChannelsFilter(t *testing.T) {
	cfg := Config{Seed: 5, Customers: 2000, Now: testNow, Channels: []siyu.Channel{siyu.ChannelTmall, siyu.ChannelTaobao}}
	err := Stream(cfg, func(o siyu.OrderInput) error {
		if o.Channel != siyu.ChannelTmall && o.Channel != siyu.ChannelTaobao {
			t.Fatalf("a %s order in a Taobao-only dataset", o.Channel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Channels = []siyu.Channel{"pinduoduo"}
	if err := Stream(cfg, func(siyu.OrderInput) error { return nil }); err == nil {
		t.Error("an unknown channel was accepted")
	}
}

type unionFind struct {
	parent []int
	byID   map[siyu.Identifier]int
}

func newUnionFind() *unionFind { return &unionFind{byID: map[siyu.Identifier]int{}} }

func (u *unionFind) find(i int) int {
	for len(u.parent) <= i {
		u.parent = append(u.parent, len(u.parent))
	}
	for u.parent[i] != i {
		u.parent[i] = u.parent[u.parent[i]]
		i = u.parent[i]
	}
	return i
}

func (u *unionFind) join(i int, id siyu.Identifier) {
	if j, ok := u.byID[id]; ok {
		u.parent[u.find(i)] = u.find(j)
		return
	}
	u.find(i)
	u.byID[id] = i
}
