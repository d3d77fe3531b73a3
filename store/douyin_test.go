package store_test

import (
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

func TestDouyinAppSealed(t *testing.T) {
	s := storetest.Open(t)
	ws := workspace(t, s, "dy-app")
	if err := s.SetDouyinApp(ctx, ws, store.DouyinApp{ClientKey: "ck"}); err == nil {
		t.Fatal("an app without secrets was saved")
	}
	app := store.DouyinApp{ClientKey: "ck", ClientSecret: "sec", AccessToken: "act.1", AccountOpenID: "acc", BaseURL: "http://127.0.0.1:1"}
	if err := s.SetDouyinApp(ctx, ws, app); err != nil {
		t.Fatal(err)
	}
	var sealed string
	s.DB().QueryRow(`SELECT secret_sealed FROM douyin_apps`).Scan(&sealed)
	if sealed == "" || sealed == "sec" {
		t.Fatalf("secret stored as %q", sealed)
	}
	got, err := s.DouyinApp(ctx, ws)
	if err != nil || got != app {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestClaimDouyinMsg(t *testing.T) {
	s := storetest.Open(t)
	a, b := workspace(t, s, "dy-a"), workspace(t, s, "dy-b")
	for _, tt := range []struct {
		ws   int64
		id   string
		want bool
	}{{a, "m1", true}, {a, "m1", false}, {b, "m1", true}, {a, "m2", true}} {
		if got, err := s.ClaimDouyinMsg(ctx, tt.ws, tt.id); err != nil || got != tt.want {
			t.Fatalf("claim %d %s = %v %v", tt.ws, tt.id, got, err)
		}
	}
	if err := s.ReleaseDouyinMsg(ctx, a, "m1"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ClaimDouyinMsg(ctx, a, "m1"); !got {
		t.Fatal("a released id was not claimable")
	}
	if n, err := s.PruneDouyinSeen(ctx, a, time.Now().Add(time.Hour)); err != nil || n != 2 {
		t.Fatalf("pruned %d %v", n, err)
	}
	if got, _ := s.ClaimDouyinMsg(ctx, b, "m1"); got {
		t.Fatal("pruning one workspace forgot another's")
	}
}

func eventTypes(t *testing.T, s *store.Store, ws, customer int64) map[string]int {
	t.Helper()
	v, err := s.Customer360(ctx, ws, customer)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, e := range v.Timeline {
		out[e.Type]++
	}
	return out
}

func TestDouyinFunnel(t *testing.T) {
	s := storetest.Open(t)
	ws := workspace(t, s, "dy-funnel")
	t0 := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

	// A chatter comment and two intent comments by the same user.
	c1, fresh, err := s.RecordDouyinComment(ctx, ws, store.DouyinCommentInput{CommentID: "c1", ItemID: "v", OpenID: "u1", Nickname: "小鱼", Content: "好看", CreatedAt: t0})
	if err != nil || !fresh || c1.CustomerID == 0 {
		t.Fatalf("%+v %v %v", c1, fresh, err)
	}
	c2, _, err := s.RecordDouyinComment(ctx, ws, store.DouyinCommentInput{CommentID: "c2", ItemID: "v", OpenID: "u1", Content: "求资料", RuleID: "求资料", CreatedAt: t0.Add(time.Minute)})
	if err != nil || c2.CustomerID != c1.CustomerID {
		t.Fatalf("the same open_id made another customer: %+v %v", c2, err)
	}
	if again, fresh, err := s.RecordDouyinComment(ctx, ws, store.DouyinCommentInput{CommentID: "c2", ItemID: "v", OpenID: "u1", Content: "求资料", RuleID: "求资料"}); err != nil || fresh || again.ID != c2.ID {
		t.Fatalf("a stored comment was stored again: %+v %v %v", again, fresh, err)
	}
	c3, _, _ := s.RecordDouyinComment(ctx, ws, store.DouyinCommentInput{CommentID: "c3", ItemID: "v", OpenID: "u2", Content: "多少钱", RuleID: "多少钱", CreatedAt: t0})
	if _, _, err := s.RecordDouyinComment(ctx, ws, store.DouyinCommentInput{ItemID: "v", OpenID: "u2"}); err == nil {
		t.Fatal("a comment without an id was stored")
	}

	if err := s.MarkDouyinReplied(ctx, ws, c2.ID, "r2", t0.Add(time.Minute+4*time.Second), ""); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkDouyinReplied(ctx, ws, c3.ID, "", t0.Add(time.Second), "error_code 2190004"); err != nil {
		t.Fatal(err)
	}
	u, err := s.RecordDouyinMessage(ctx, ws, store.DouyinMessageInput{OpenID: "u1", ConversationID: "cv1", MsgID: "m1", At: t0.Add(2 * time.Minute)})
	if err != nil || u.ConversationID != "cv1" || u.LastMsgID != "m1" || u.RuleID != "求资料" || u.CustomerID != c1.CustomerID {
		t.Fatalf("%+v %v", u, err)
	}
	if err := s.SetDouyinCode(ctx, ws, u.ID, 0, "dy:1", "https://qr/1"); err != nil {
		t.Fatal(err)
	}
	if u2, _ := s.DouyinUser(ctx, ws, "u1"); u2.CodeState != "dy:1" || u2.CodeURL != "https://qr/1" {
		t.Fatalf("%+v", u2)
	}
	if err := s.MarkDouyinDMSent(ctx, ws, u.ID, t0.Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	s.MarkDouyinDMSent(ctx, ws, u.ID, t0.Add(4*time.Minute)) // the second time records nothing
	n, err := s.MarkDouyinFollowers(ctx, ws, []store.DouyinFan{{OpenID: "u1", UnionID: "un1"}, {OpenID: "stranger"}}, t0.Add(5*time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("followers: %d %v", n, err)
	}
	if n, _ := s.MarkDouyinFollowers(ctx, ws, []store.DouyinFan{{OpenID: "u1"}}, t0.Add(6*time.Minute)); n != 0 {
		t.Fatal("a follower was counted twice")
	}

	m, err := s.DouyinMetrics(ctx, ws, t0.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if m.Comments != 3 || m.Total.Comments != 2 || m.Total.Replied != 1 || m.Total.ReplyRate != 0.5 || m.Total.LatencyP50MS != 4000 {
		t.Fatalf("total: %+v", m)
	}
	if len(m.Rules) != 2 {
		t.Fatalf("rules: %+v", m.Rules)
	}
	for _, r := range m.Rules {
		switch r.Rule {
		case "求资料":
			if r.Leads != 1 || r.DMSent != 1 || r.Followed != 1 || r.FollowBackRate != 1 || r.Converted != 0 || r.LatencyP90MS != 4000 {
				t.Fatalf("求资料: %+v", r)
			}
		case "多少钱":
			if r.Replied != 0 || r.Leads != 1 || r.DMSent != 0 {
				t.Fatalf("多少钱: %+v", r)
			}
		}
	}
	got := eventTypes(t, s, ws, c1.CustomerID)
	want := map[string]int{siyu.EventDouyinCommented: 2, siyu.EventDouyinIntent: 1, siyu.EventDouyinReplied: 1, siyu.EventDouyinDMSent: 1, siyu.EventDouyinFollowed: 1}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("events %v, want %v", got, want)
		}
	}
	intents, err := s.DouyinIntents(ctx, ws, 10)
	if err != nil || len(intents) != 2 || intents[0].CommentID != "c2" || intents[0].Nickname != "小鱼" || intents[0].RepliedAt == nil || intents[1].ReplyError == "" {
		t.Fatalf("intents: %+v %v", intents, err)
	}

	// Erasure takes the Douyin rows with the person.
	if err := s.EraseCustomer(ctx, ws, c1.CustomerID, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DouyinUser(ctx, ws, "u1"); err == nil {
		t.Fatal("the Douyin user survived the erasure")
	}
	if intents, _ := s.DouyinIntents(ctx, ws, 10); len(intents) != 1 {
		t.Fatalf("comments survived the erasure: %+v", intents)
	}
}
