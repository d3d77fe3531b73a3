package web_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"siyu.dev/siyu/store"
	"siyu.dev/siyu/web"
)

var _ web.DouyinStore = (*store.Store)(nil)

func TestDouyinPage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := time.Now()
	c, _, err := f.store.RecordDouyinComment(ctx, f.wsA.ID, store.DouyinCommentInput{CommentID: "c1", ItemID: "v", OpenID: "u1", Content: "求电子版<b>", RuleID: "求电子版", CreatedAt: now.Add(-time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	f.store.MarkDouyinReplied(ctx, f.wsA.ID, c.ID, "r", now.Add(-time.Minute+2500*time.Millisecond), "")
	f.store.RecordDouyinComment(ctx, f.wsB.ID, store.DouyinCommentInput{CommentID: "c9", ItemID: "v", OpenID: "u9", Content: "另一家的多少钱", RuleID: "多少钱"})

	cl := f.client()
	cl.login("operator")
	p := cl.get("/douyin")
	if p.status != http.StatusOK {
		t.Fatalf("status %d\n%s", p.status, p.body)
	}
	mustContain(t, p.body, `id="douyin-rules"`, `id="douyin-recent"`, "求电子版&lt;b&gt;", `id="douyin-reply-rate">100.0%`, "2.5 秒", `id="nav-douyin"`)
	mustNotContain(t, p.body, "另一家的多少钱", "求电子版<b>", "<script>", " style=", "<style", "onclick=", "onchange=", "javascript:")
	if p := cl.get("/douyin?days=abc"); p.status != http.StatusBadRequest {
		t.Fatalf("bad days: %d", p.status)
	}
	if p := cl.get("/douyin?days=1"); p.status != http.StatusOK {
		t.Fatalf("days=1: %d", p.status)
	}
}
