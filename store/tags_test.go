package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
)

// say records a message or comment by the person with the unionid and
// returns their customer id.
func say(t *testing.T, s *store.Store, ws int64, unionID, typ, text string, at time.Time) int64 {
	t.Helper()
	if _, err := s.RecordEvents(ctx, ws, []siyu.EventInput{{Type: typ, Source: "wecom", OccurredAt: at,
		Identifiers: []siyu.Identifier{union(unionID)}, Props: map[string]any{"text": text}}}); err != nil {
		t.Fatal(err)
	}
	return findOne(t, s, ws, unionID).ID
}

func tagNames(t *testing.T, s *store.Store, ws, customer int64) map[string]string {
	t.Helper()
	tags, err := s.CustomerTags(ctx, ws, customer)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, tg := range tags {
		out[tg.Name] = tg.Source
	}
	return out
}

func TestManualTags(t *testing.T) {
	s := openWithWorkspace(t)
	c := say(t, s.Store, s.ws, "u1", "page.view", "", t0)
	added, err := s.AddCustomerTag(ctx, s.ws, c, " 高净值 ", "")
	if err != nil || !added {
		t.Fatalf("add: %v %v", added, err)
	}
	if again, err := s.AddCustomerTag(ctx, s.ws, c, "高净值", ""); err != nil || again {
		t.Fatalf("adding twice: %v %v", again, err)
	}
	if got := tagNames(t, s.Store, s.ws, c); got["高净值"] != store.TagSourceManual {
		t.Fatalf("tags: %v", got)
	}
	tags, err := s.Tags(ctx, s.ws)
	if err != nil || len(tags) != 1 || tags[0].Name != "高净值" || tags[0].Customers != 1 {
		t.Fatalf("tag list: %+v %v", tags, err)
	}
	if _, err := s.AddCustomerTag(ctx, s.ws, c, "", ""); !errors.Is(err, siyu.ErrInvalid) {
		t.Fatalf("empty tag name: %v", err)
	}
	other := workspace(t, s.Store, "other")
	if _, err := s.AddCustomerTag(ctx, other, c, "x", ""); !errors.Is(err, siyu.ErrNotFound) {
		t.Fatalf("tagging another workspace's customer: %v", err)
	}
	if _, err := s.RemoveCustomerTag(ctx, other, c, "高净值"); !errors.Is(err, siyu.ErrNotFound) {
		t.Fatalf("untagging another workspace's customer: %v", err)
	}
	removed, err := s.RemoveCustomerTag(ctx, s.ws, c, "高净值")
	if err != nil || !removed {
		t.Fatalf("remove: %v %v", removed, err)
	}
	if removed, _ := s.RemoveCustomerTag(ctx, s.ws, c, "没有这个标签"); removed {
		t.Fatal("removed a tag that does not exist")
	}
	if got := tagNames(t, s.Store, s.ws, c); len(got) != 0 {
		t.Fatalf("tags after removal: %v", got)
	}
	if _, err := s.CreateTag(ctx, s.ws, siyu.Tag{Name: "高净值"}, true); !errors.Is(err, siyu.ErrConflict) {
		t.Fatalf("creating an existing tag: %v", err)
	}
	made, err := s.CreateTag(ctx, s.ws, siyu.Tag{Name: "复购", GroupName: "生命周期"}, true)
	if err != nil || !made.PushWeCom || !made.SyncsToWeCom() {
		t.Fatalf("create: %+v %v", made, err)
	}
}

func TestKeywordRulesTagTheWriter(t *testing.T) {
	s := openWithWorkspace(t)
	now := time.Now()
	rule, err := s.SaveTagRule(ctx, s.ws, store.TagRule{Name: "护肤兴趣", Tag: "护肤兴趣", Keywords: []string{"护肤", "面霜"}, Excludes: []string{"不需要面霜"}, WindowDays: 30, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if rule.ID == 0 || !slices.Equal(rule.EventTypes, store.DefaultRuleEventTypes) {
		t.Fatalf("saved rule: %+v", rule)
	}
	fan := say(t, s.Store, s.ws, "fan", siyu.EventMomentComment, "这款 面霜❤️ 好用吗？", now.Add(-time.Hour))
	old := say(t, s.Store, s.ws, "old", siyu.EventMessage, "护肤步骤", now.AddDate(0, 0, -40)) // outside the window
	no := say(t, s.Store, s.ws, "no", siyu.EventMessage, "我不需要面霜", now)
	view := say(t, s.Store, s.ws, "view", "page.view", "面霜", now) // not a text event of the rule
	res, err := s.ProcessInbound(ctx, s.ws)
	if err != nil {
		t.Fatal(err)
	}
	if res.Scanned != 3 || res.Tagged != 1 || res.OptedOut != 0 {
		t.Fatalf("first pass: %+v", res)
	}
	if got := tagNames(t, s.Store, s.ws, fan); got["护肤兴趣"] != store.RuleTagSource(rule.ID) {
		t.Fatalf("the commenter was not tagged: %v", got)
	}
	for _, c := range []int64{old, no, view} {
		if got := tagNames(t, s.Store, s.ws, c); len(got) != 0 {
			t.Fatalf("customer %d tagged: %v", c, got)
		}
	}
	// Nothing new: nothing read again.
	if res, err := s.ProcessInbound(ctx, s.ws); err != nil || res.Scanned != 0 {
		t.Fatalf("second pass: %+v %v", res, err)
	}

	// A rule made later is applied to the past by the refresh, which also
	// takes the tag off people who no longer match.
	later, err := s.SaveTagRule(ctx, s.ws, store.TagRule{Name: "老客护肤", Tag: "护肤老客", Keywords: []string{"护肤"}, WindowDays: 60, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := s.RefreshTagRules(ctx, s.ws, later.ID)
	if err != nil || ref.Tagged != 1 {
		t.Fatalf("refresh: %+v %v", ref, err)
	}
	if got := tagNames(t, s.Store, s.ws, old); got["护肤老客"] == "" {
		t.Fatalf("backfill did not tag: %v", got)
	}
	later.WindowDays = 10
	if _, err := s.SaveTagRule(ctx, s.ws, later); err != nil {
		t.Fatal(err)
	}
	// An operator put the tag on someone by hand: the refresh leaves that alone.
	if _, err := s.AddCustomerTag(ctx, s.ws, no, "护肤老客", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RefreshTagRules(ctx, s.ws, 0); err != nil {
		t.Fatal(err)
	}
	if got := tagNames(t, s.Store, s.ws, old); got["护肤老客"] != "" {
		t.Fatalf("the tag should expire with the window: %v", got)
	}
	if got := tagNames(t, s.Store, s.ws, fan); got["护肤兴趣"] == "" {
		t.Fatalf("a still-matching tag was removed: %v", got)
	}
	if got := tagNames(t, s.Store, s.ws, no); got["护肤老客"] != store.TagSourceManual {
		t.Fatalf("the refresh took off a manual tag: %v", got)
	}
	if _, err := s.SaveTagRule(ctx, s.ws, store.TagRule{Name: "坏", Tag: "x", Keywords: []string{"！！"}}); !errors.Is(err, siyu.ErrInvalid) {
		t.Fatalf("a keyword of punctuation only: %v", err)
	}
	if _, err := s.SaveTagRule(ctx, s.ws, store.TagRule{Name: "护肤兴趣", Tag: "x", Keywords: []string{"a"}}); !errors.Is(err, siyu.ErrConflict) {
		t.Fatalf("a second rule of the same name: %v", err)
	}
	rules, err := s.TagRules(ctx, s.ws)
	if err != nil || len(rules) != 2 || rules[0].Keywords == nil {
		t.Fatalf("rules: %+v %v", rules, err)
	}
}

func TestConsent(t *testing.T) {
	s := openWithWorkspace(t)
	now := time.Now()
	quit := say(t, s.Store, s.ws, "quit", siyu.EventMessage, "回ＴＤ退订", now)
	asks := say(t, s.Store, s.ws, "asks", siyu.EventMessage, "请问怎么退订？", now)
	std := say(t, s.Store, s.ws, "std", siyu.EventMessage, "STD size please", now)
	fed := say(t, s.Store, s.ws, "fed", siyu.EventMomentComment, "别再发了!!!", now)
	if err := s.SetConsentSettings(ctx, s.ws, store.ConsentSettings{Keywords: store.DefaultOptOutKeywords, Excludes: []string{"怎么退订"}}); err != nil {
		t.Fatal(err)
	}
	res, err := s.ProcessInbound(ctx, s.ws)
	if err != nil || res.OptedOut != 2 {
		t.Fatalf("process: %+v %v", res, err)
	}
	got, err := s.OptedOut(ctx, s.ws, []int64{quit, asks, std, fed})
	if err != nil {
		t.Fatal(err)
	}
	if !got[quit] || !got[fed] || got[asks] || got[std] {
		t.Fatalf("opted out: %v", got)
	}
	rec, err := s.OptOutOf(ctx, s.ws, quit)
	if err != nil || rec == nil || rec.Source != store.ConsentSourceKeyword || rec.Note != "回ＴＤ退订" {
		t.Fatalf("record: %+v %v", rec, err)
	}
	v, _ := s.Customer360(ctx, s.ws, quit)
	if !slices.ContainsFunc(v.Timeline, func(e siyu.Event) bool { return e.Type == siyu.EventOptedOut }) {
		t.Fatal("no opt-out event on the timeline")
	}

	// By an operator, and back.
	if err := s.OptOut(ctx, s.ws, asks, store.ConsentSourceConsole, "电话里说不要再联系"); err != nil {
		t.Fatal(err)
	}
	if err := s.OptIn(ctx, s.ws, fed, store.ConsentSourceConsole, "客户主动要求恢复"); err != nil {
		t.Fatal(err)
	}
	got, _ = s.OptedOut(ctx, s.ws, []int64{quit, asks, fed})
	if !got[quit] || !got[asks] || got[fed] {
		t.Fatalf("after operator changes: %v", got)
	}
	other := workspace(t, s.Store, "other")
	if err := s.OptOut(ctx, other, fed, store.ConsentSourceAPI, ""); !errors.Is(err, siyu.ErrNotFound) {
		t.Fatalf("opting out another workspace's customer: %v", err)
	}
	if got, _ := s.OptedOut(ctx, other, []int64{quit}); got[quit] {
		t.Fatal("an opt-out is visible from another workspace")
	}

	// Erasure removes the person's data but not the opt-out.
	if err := s.EraseCustomer(ctx, s.ws, quit, "admin"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.OptedOut(ctx, s.ws, []int64{quit}); !got[quit] {
		t.Fatal("the erased person is no longer opted out")
	}
}

func TestOptOutFollowsMerges(t *testing.T) {
	s := openWithWorkspace(t)
	mustImport(t, s.Store, s.ws, order(siyu.ChannelTaobao, "1", 1000, phone("13812345678")))
	a := findOne(t, s.Store, s.ws, "13812345678").ID
	b := say(t, s.Store, s.ws, "u9", siyu.EventMessage, "hi", time.Now())
	if err := s.OptOut(ctx, s.ws, b, store.ConsentSourceAPI, ""); err != nil {
		t.Fatal(err)
	}
	// An order names both: b is merged into a (or a into b).
	mustImport(t, s.Store, s.ws, order(siyu.ChannelWeChat, "W1", 100, phone("13812345678"), union("u9")))
	got, err := s.OptedOut(ctx, s.ws, []int64{a, b})
	if err != nil || !got[a] || !got[b] {
		t.Fatalf("after the merge: %v %v", got, err)
	}
	// The survivor holds its own opt-out row, so readers that look up the
	// live customer alone (the reach policy, segments) see it too.
	var rows int
	if err := s.DB().QueryRow(`SELECT COUNT(*) FROM opt_outs WHERE workspace_id = $1 AND customer_id IN ($2, $3)`, s.ws, a, b).Scan(&rows); err != nil || rows != 2 {
		t.Fatalf("opt-out rows of the merged pair: %d %v", rows, err)
	}
	if err := s.OptIn(ctx, s.ws, a, store.ConsentSourceAPI, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.OptedOut(ctx, s.ws, []int64{a, b}); got[a] || got[b] {
		t.Fatalf("after opting in: %v", got)
	}
}
