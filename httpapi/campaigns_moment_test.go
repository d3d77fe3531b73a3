package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/campaign"
	"siyu.dev/siyu/dispatch"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

func TestMomentCampaignEndpoints(t *testing.T) {
	st := storetest.Open(t)
	svc := campaign.New(st, dispatch.New(st, nil, dispatch.Options{}))
	srv := httptest.NewServer(New(Config{Store: st, Campaigns: svc, Logger: slog.New(slog.DiscardHandler)}))
	t.Cleanup(srv.Close)
	a := &testAPI{t: t, store: st, srv: srv, logs: &syncBuffer{}}
	ws, tokens := a.workspace("moments")
	ctx := context.Background()
	if _, err := st.UpsertAccount(ctx, ws.ID, siyu.Account{WeComUserID: "alice", Name: "Alice", Active: true}); err != nil {
		t.Fatal(err)
	}
	var in []store.ContactInput
	for i := 0; i < 5; i++ {
		in = append(in, store.ContactInput{AccountUserID: "alice", ExternalUserID: fmt.Sprint("wm", i), Name: fmt.Sprint("客户", i)})
	}
	if _, err := st.UpsertContacts(ctx, ws.ID, in); err != nil {
		t.Fatal(err)
	}
	op := tokens[siyu.RoleOperator]
	sendAt := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	body := func(moment map[string]any) map[string]any {
		return map[string]any{"name": "春季朋友圈", "audience": "all", "channel": "moment", "send_at": sendAt, "moment": moment,
			"variants": []map[string]any{{"name": "A", "message": map[string]any{"text": "春季新品", "link": map[string]any{"title": "看看", "url": "https://shop.example/s"}}}}}
	}
	if r := a.postJSON("/api/v1/campaigns", op, body(map[string]any{"senders": []string{"alice"}})); r.Status != http.StatusUnprocessableEntity ||
		r.apiError(t).Error.Field != "moment.link_media_id" {
		t.Fatalf("link without a cover: %d %s", r.Status, r.Body)
	}
	r := a.postJSON("/api/v1/campaigns", op, body(map[string]any{"senders": []string{"alice"}, "topic": "skincare", "link_media_id": "MEDIA_COVER"}))
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var c store.Campaign
	r.decode(t, &c)
	base := "/api/v1/campaigns/" + strconv.FormatInt(c.ID, 10)
	var p campaign.Plan
	r = a.postJSON(base+"/plan", op, nil)
	r.decode(t, &p)
	if p.Moment == nil || len(p.Moment.Senders) != 1 || p.Moment.Senders[0].Sender != "alice" || p.Moment.Visible != 5 || p.Receive != 5 {
		t.Fatalf("plan: %s", r.Body)
	}
	var l campaign.LaunchResult
	r = a.postJSON(base+"/launch", op, nil)
	r.decode(t, &l)
	if l.Enqueued != 1 {
		t.Fatalf("launch: %s", r.Body)
	}
	var res campaign.Results
	r = a.get(base+"/results", op)
	r.decode(t, &res)
	if res.Moment == nil || res.Moment.Status != store.MomentPending || res.Moment.Post == nil || res.Moment.Post.LinkMediaID != "MEDIA_COVER" {
		t.Fatalf("results: %s", r.Body)
	}
}
