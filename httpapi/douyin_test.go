package httpapi

import (
	"context"
	"net/http"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
)

func TestDouyinEndpoints(t *testing.T) {
	a := newTestAPI(t)
	ws, tokens := a.workspace("douyin")
	_, other := a.workspace("douyin-other")
	ctx := context.Background()
	now := time.Now()
	c, _, err := a.store.RecordDouyinComment(ctx, ws.ID, store.DouyinCommentInput{CommentID: "c1", ItemID: "v", OpenID: "u1", Content: "求资料", RuleID: "求资料", CreatedAt: now.Add(-time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.store.MarkDouyinReplied(ctx, ws.ID, c.ID, "r1", now.Add(-time.Minute+3*time.Second), ""); err != nil {
		t.Fatal(err)
	}
	a.store.RecordDouyinComment(ctx, ws.ID, store.DouyinCommentInput{CommentID: "c2", ItemID: "v", OpenID: "u2", Content: "好看", CreatedAt: now})

	var m store.DouyinMetrics
	r := a.get("/api/v1/douyin/metrics?days=7", tokens[siyu.RoleAnalyst])
	r.decode(t, &m)
	if r.Status != http.StatusOK || m.Comments != 2 || m.Total.Comments != 1 || m.Total.Replied != 1 || m.Total.LatencyP50MS != 3000 || len(m.Rules) != 1 {
		t.Fatalf("metrics: %d %s", r.Status, r.Body)
	}
	var list struct{ Intents []store.DouyinComment }
	r = a.get("/api/v1/douyin/intents", tokens[siyu.RoleAnalyst])
	r.decode(t, &list)
	if len(list.Intents) != 1 || list.Intents[0].Content != "求资料" {
		t.Fatalf("intents: %s", r.Body)
	}
	// Another workspace sees nothing of it.
	r = a.get("/api/v1/douyin/metrics", other[siyu.RoleAdmin])
	r.decode(t, &m)
	if m.Comments != 0 || len(m.Rules) != 0 {
		t.Fatalf("other workspace: %s", r.Body)
	}
	if r := a.get("/api/v1/douyin/metrics?days=0", tokens[siyu.RoleAdmin]); r.Status != http.StatusBadRequest {
		t.Fatalf("days=0: %d", r.Status)
	}
}
