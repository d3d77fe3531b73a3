package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/segment"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

func like(id int64, n int) []siyu.EventInput {
	evs := make([]siyu.EventInput, n)
	for i := range evs {
		evs[i] = siyu.EventInput{Type: siyu.EventMomentLiked, Source: "test", OccurredAt: time.Now().Add(-time.Hour), CustomerID: id,
			Props: map[string]any{"topic": "skincare"}}
	}
	return evs
}

func members(t *testing.T, s *store.Store, ws, id int64) []int64 {
	t.Helper()
	var out []int64
	if err := s.SegmentMembers(ctx, ws, id, func(c int64) error { out = append(out, c); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func tagsOf(t *testing.T, s *store.Store, ws, id int64) []string {
	t.Helper()
	f, err := s.PersonFacts(ctx, ws, id)
	if err != nil {
		t.Fatal(err)
	}
	return f.Tags
}

func eventCount(t *testing.T, s *store.Store, ws, id int64, typ string) int {
	t.Helper()
	f, err := s.PersonFacts(ctx, ws, id)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range f.Events {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func TestSegmentRefreshRecordsEnterAndExit(t *testing.T) {
	s := storetest.Open(t)
	ws := workspace(t, s, "a")
	mustImport(t, s, ws,
		order(siyu.ChannelTmall, "1", 100, phone("13800000001")),
		order(siyu.ChannelTmall, "2", 100, phone("13800000002")),
		order(siyu.ChannelTmall, "3", 100, phone("13800000003")))
	c1, c2, c3 := findOne(t, s, ws, "13800000001").ID, findOne(t, s, ws, "13800000002").ID, findOne(t, s, ws, "13800000003").ID
	// c3 carries the tag by hand: the segment must never take it away.
	if err := s.TagCustomers(ctx, ws, siyu.Tag{Name: "活跃"}, [][]siyu.Identifier{{phone("13800000003")}}, "manual"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordEvents(ctx, ws, append(append(like(c1, 2), like(c2, 1)...), like(c3, 2)...)); err != nil {
		t.Fatal(err)
	}

	g, err := s.CreateSegment(ctx, ws, store.Segment{Name: "爱点赞", Rule: `count("moment.liked", 7d, "topic", "skincare") >= 2`, Tag: "活跃"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.RefreshSegment(ctx, ws, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Members != 2 || res.Entered != 2 || res.Exited != 0 {
		t.Fatalf("first refresh = %+v, want 2 members entered", res)
	}
	if got := members(t, s, ws, g.ID); !slices.Equal(got, []int64{c1, c3}) {
		t.Fatalf("members = %v, want [%d %d]", got, c1, c3)
	}
	if !slices.Contains(tagsOf(t, s, ws, c1), "活跃") || slices.Contains(tagsOf(t, s, ws, c2), "活跃") {
		t.Fatal("the segment's tag is not exactly on its members")
	}
	if n := eventCount(t, s, ws, c1, siyu.EventSegmentEnter); n != 1 {
		t.Fatalf("c1 has %d enter events, want 1", n)
	}

	// Nothing changed: a refresh records nothing.
	if res, err = s.RefreshSegment(ctx, ws, g.ID); err != nil || res.Entered+res.Exited != 0 {
		t.Fatalf("idle refresh = %+v, %v", res, err)
	}

	// c2 qualifies now.
	if _, err := s.RecordEvents(ctx, ws, like(c2, 1)); err != nil {
		t.Fatal(err)
	}
	if res, err = s.RefreshSegment(ctx, ws, g.ID); err != nil || res.Entered != 1 || res.Members != 3 {
		t.Fatalf("refresh after a like = %+v, %v", res, err)
	}

	// A stricter rule: everyone leaves; the hand-made tag of c3 stays.
	g.Rule = `count("moment.liked") >= 5`
	if _, err := s.UpdateSegment(ctx, ws, g); err != nil {
		t.Fatal(err)
	}
	if res, err = s.RefreshSegment(ctx, ws, g.ID); err != nil || res.Exited != 3 || res.Members != 0 {
		t.Fatalf("refresh after the rule changed = %+v, %v", res, err)
	}
	if len(members(t, s, ws, g.ID)) != 0 {
		t.Fatal("members left behind")
	}
	if slices.Contains(tagsOf(t, s, ws, c1), "活跃") || !slices.Contains(tagsOf(t, s, ws, c3), "活跃") {
		t.Fatalf("tags after exit: c1 %v, c3 %v", tagsOf(t, s, ws, c1), tagsOf(t, s, ws, c3))
	}
	if n := eventCount(t, s, ws, c2, siyu.EventSegmentExit); n != 1 {
		t.Fatalf("c2 has %d exit events, want 1", n)
	}
	got, err := s.Segment(ctx, ws, g.ID)
	if err != nil || got.Members != 0 || got.RefreshedAt == nil {
		t.Fatalf("segment after refresh = %+v, %v", got, err)
	}
}

func TestSegmentTagChangeAndDelete(t *testing.T) {
	s := storetest.Open(t)
	ws := workspace(t, s, "a")
	mustImport(t, s, ws, order(siyu.ChannelTmall, "1", 100, phone("13800000001")))
	c1 := findOne(t, s, ws, "13800000001").ID
	g, err := s.CreateSegment(ctx, ws, store.Segment{Name: "买过", Rule: `order_count >= 1`, Tag: "老客"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RefreshSegment(ctx, ws, g.ID); err != nil {
		t.Fatal(err)
	}
	g.Tag = "复购"
	if _, err := s.UpdateSegment(ctx, ws, g); err != nil {
		t.Fatal(err)
	}
	if tags := tagsOf(t, s, ws, c1); !slices.Equal(tags, []string{"复购"}) {
		t.Fatalf("tags after the tag changed = %v, want [复购]", tags)
	}
	if err := s.DeleteSegment(ctx, ws, g.ID); err != nil {
		t.Fatal(err)
	}
	if tags := tagsOf(t, s, ws, c1); len(tags) != 0 {
		t.Fatalf("tags after delete = %v", tags)
	}
	if _, err := s.Segment(ctx, ws, g.ID); !errors.Is(err, siyu.ErrNotFound) {
		t.Fatalf("deleted segment: %v", err)
	}
}

func TestSegmentValidationAndIsolation(t *testing.T) {
	s := storetest.Open(t)
	a, b := workspace(t, s, "a"), workspace(t, s, "b")
	_, err := s.CreateSegment(ctx, a, store.Segment{Name: "x", Rule: "stage == \"silent\" and\n  monetary >= \"多\""})
	var pe *segment.Error
	if !errors.Is(err, siyu.ErrInvalid) || !errors.As(err, &pe) || pe.Pos != (segment.Pos{Line: 2, Col: 15}) {
		t.Fatalf("bad rule: %v", err)
	}
	if _, err := s.CreateSegment(ctx, a, store.Segment{Name: " ", Rule: "is_contact"}); err == nil {
		t.Fatal("empty name accepted")
	}
	g, err := s.CreateSegment(ctx, a, store.Segment{Name: "联系人", Rule: "is_contact"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateSegment(ctx, a, store.Segment{Name: "联系人", Rule: "opted_out"}); !errors.Is(err, siyu.ErrConflict) {
		t.Fatalf("duplicate name: %v", err)
	}
	if _, err := s.CreateSegment(ctx, b, store.Segment{Name: "联系人", Rule: "opted_out"}); err != nil {
		t.Fatalf("same name in another workspace: %v", err)
	}
	if _, err := s.Segment(ctx, b, g.ID); !errors.Is(err, siyu.ErrNotFound) {
		t.Fatalf("other workspace reads the segment: %v", err)
	}
	if _, err := s.RefreshSegment(ctx, b, g.ID); !errors.Is(err, siyu.ErrNotFound) {
		t.Fatalf("other workspace refreshes the segment: %v", err)
	}
	if err := s.DeleteSegment(ctx, b, g.ID); !errors.Is(err, siyu.ErrNotFound) {
		t.Fatalf("other workspace deletes the segment: %v", err)
	}
	if err := s.SegmentMembers(ctx, b, g.ID, func(int64) error { return nil }); !errors.Is(err, siyu.ErrNotFound) {
		t.Fatalf("other workspace streams the members: %v", err)
	}
	list, err := s.Segments(ctx, a)
	if err != nil || len(list) != 1 || list[0].Name != "联系人" {
		t.Fatalf("Segments = %v, %v", list, err)
	}
	refs, err := s.SegmentRefs(ctx)
	if err != nil || len(refs) != 2 {
		t.Fatalf("SegmentRefs = %v, %v", refs, err)
	}
}

func TestSegmentPreviewPagesAndErasure(t *testing.T) {
	s := storetest.Open(t)
	ws := workspace(t, s, "a")
	other := workspace(t, s, "b")
	var rows []siyu.OrderInput
	for i := range 12 {
		rows = append(rows, order(siyu.ChannelJD, string(rune('a'+i)), int64(10000*(i+1)), phone("1390000000"+string(rune('0'+i%10))+"")))
	}
	mustImport(t, s, ws, rows[:10]...)
	mustImport(t, s, other, rows[:10]...)
	r, err := segment.Parse(`total_paid >= 500元`)
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.CountRule(ctx, ws, r, time.Now())
	if err != nil || n != 6 {
		t.Fatalf("CountRule = %d, %v; want 6 (500..1000 yuan)", n, err)
	}
	sample, err := s.SampleRule(ctx, ws, r, time.Now(), 4)
	if err != nil || len(sample) != 4 {
		t.Fatalf("SampleRule = %v, %v", sample, err)
	}
	for _, c := range sample {
		if c.WorkspaceID != ws || c.TotalPaid < 50000 {
			t.Fatalf("sample has %+v", c)
		}
	}
	g, err := s.CreateSegment(ctx, ws, store.Segment{Name: "高客单", Rule: r.Source()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RefreshSegment(ctx, ws, g.ID); err != nil {
		t.Fatal(err)
	}
	page, total, err := s.SegmentMemberPage(ctx, ws, g.ID, 4, 4)
	if err != nil || total != 6 || len(page) != 2 {
		t.Fatalf("page 2 = %d members of %d, %v", len(page), total, err)
	}
	victim := members(t, s, ws, g.ID)[0]
	if err := s.EraseCustomer(ctx, ws, victim, "test"); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(members(t, s, ws, g.ID), victim) {
		t.Fatal("erasure left the person in the segment")
	}
}

func TestPersonFactsFollowMerges(t *testing.T) {
	s := storetest.Open(t)
	ws := workspace(t, s, "a")
	mustImport(t, s, ws, order(siyu.ChannelTmall, "1", 100, phone("13800000001")), order(siyu.ChannelJD, "2", 100, nick("tb1")))
	a, b := findOne(t, s, ws, "13800000001").ID, findOne(t, s, ws, "tb1").ID
	mustImport(t, s, ws, order(siyu.ChannelTmall, "3", 100, phone("13800000001"), nick("tb1")))
	live := findOne(t, s, ws, "tb1").ID
	gone := a
	if live == a {
		gone = b
	}
	f, err := s.PersonFacts(ctx, ws, gone)
	if err != nil {
		t.Fatal(err)
	}
	if f.OrderCount != 3 {
		t.Fatalf("facts of a merged-away id: %d orders, want the survivor's 3", f.OrderCount)
	}
	if _, err := s.PersonFacts(ctx, workspace(t, s, "b"), live); !errors.Is(err, siyu.ErrNotFound) {
		t.Fatalf("another workspace's customer: %v", err)
	}
}
