package campaign

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/dispatch"
	"siyu.dev/siyu/store"
)

func momentDraft(opt *store.MomentOptions) Draft {
	return Draft{Name: "春季朋友圈", Audience: "all", Channel: siyu.ReachMoment, SendAt: time.Date(2026, 3, 18, 10, 0, 0, 0, siyu.Shanghai),
		Variants: []store.CampaignVariant{{Name: "A", Weight: 1, Message: siyu.Message{Text: "春季新品，敏感肌可用", Image: &siyu.ImageContent{MediaID: "MEDIA_1"}}}},
		Moment:   opt}
}

func TestCreateMomentValidates(t *testing.T) {
	w := newWorld(t, nil)
	ctx := context.Background()
	if _, err := w.st.CreateTag(ctx, w.ws, siyu.Tag{Name: "本地标签"}, false); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		field  string
		change func(*Draft)
	}{
		{"variants", func(d *Draft) {
			d.Variants = append(d.Variants, store.CampaignVariant{Name: "B", Weight: 1, Message: siyu.Message{Text: "b"}})
		}},
		{"holdout_pct", func(d *Draft) { d.HoldoutPct = 10 }},
		{"variants[0].message.text", func(d *Draft) { d.Variants[0].Message.Text = "{{name|朋友}}，你好" }},
		{"variants[0].message.text", func(d *Draft) { d.Variants[0].Message.Text = strings.Repeat("好", 2001) }},
		{"variants[0].message.miniprogram", func(d *Draft) {
			d.Variants[0].Message.MiniProgram = &siyu.MiniProgramContent{Title: "t", AppID: "wx1", Page: "p", PicMediaID: "m"}
		}},
		{"variants[0].message.image", func(d *Draft) { d.Variants[0].Message.Image = &siyu.ImageContent{PicURL: "https://x/y.png"} }},
		{"moment.link_media_id", func(d *Draft) {
			d.Variants[0].Message.Link = &siyu.LinkContent{Title: "券", URL: "https://shop.example/c"}
		}},
		{"moment.senders[1]", func(d *Draft) { d.Moment = &store.MomentOptions{Senders: []string{"alice", "carol"}} }},
		{"moment.senders[1]", func(d *Draft) { d.Moment = &store.MomentOptions{Senders: []string{"alice", "alice"}} }},
		{"moment.tags[0]", func(d *Draft) { d.Moment = &store.MomentOptions{Tags: []string{"没有这个"}} }},
		{"moment.tags[0]", func(d *Draft) { d.Moment = &store.MomentOptions{Tags: []string{"本地标签"}} }},
		{"moment.topic", func(d *Draft) { d.Moment = &store.MomentOptions{Topic: strings.Repeat("x", 51)} }},
		{"moment", func(d *Draft) { d.Channel = siyu.ReachSingle; d.Moment = &store.MomentOptions{} }},
		{"channel", func(d *Draft) { d.Channel = "fax" }},
	}
	for _, c := range cases {
		d := momentDraft(nil)
		c.change(&d)
		_, err := w.svc.Create(ctx, w.ws, d)
		if !errors.Is(err, siyu.ErrInvalid) || !strings.Contains(err.Error(), ": "+c.field+": ") {
			t.Errorf("%s: got %v", c.field, err)
		}
	}
	c, err := w.svc.Create(ctx, w.ws, momentDraft(&store.MomentOptions{Senders: []string{"bob"}, Topic: "skincare"}))
	if err != nil {
		t.Fatal(err)
	}
	mo, err := w.st.CampaignMoment(ctx, w.ws, c.ID)
	if err != nil || mo.Status != store.MomentDraft || mo.Options.Topic != "skincare" || mo.Options.Senders[0] != "bob" {
		t.Fatalf("stored moment %+v, %v", mo, err)
	}
}

func TestPlanMomentSaysWhoPostsAndWhoSees(t *testing.T) {
	w := newWorld(t, nil)
	ctx := context.Background()
	// Three of alice's contacts carry a WeCom corp tag; one of them opted out.
	tag, err := w.st.CreateTag(ctx, w.ws, siyu.Tag{Name: "护肤"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.st.SetTagWeComID(ctx, w.ws, tag.ID, "etTAG1"); err != nil {
		t.Fatal(err)
	}
	for _, id := range w.people[:3] {
		if _, err := w.st.AddCustomerTag(ctx, w.ws, id, tag.Name, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.st.OptOut(ctx, w.ws, w.people[0], "test", ""); err != nil {
		t.Fatal(err)
	}

	// Everyone, posted by every account that holds the audience's contacts.
	early := momentDraft(nil)
	early.SendAt = time.Date(2026, 3, 18, 8, 30, 0, 0, siyu.Shanghai)
	all := w.create(t, early)
	p, err := w.svc.Plan(ctx, w.ws, all.ID)
	if err != nil {
		t.Fatal(err)
	}
	m := p.Moment
	if m == nil || len(m.Senders) != 2 || m.Senders[0].Sender != "alice" || m.Senders[0].Visible != 30 || m.Senders[1].Visible != 10 ||
		m.Visible != 40 || m.OptedOutVisible != 1 {
		t.Fatalf("moment plan %+v", m)
	}
	// 08:30 in Shanghai is quiet: the post waits for 09:00.
	if m.Senders[0].Reason != siyu.SkipQuietHours || p.Audience != 42 || p.Receive != 40 || p.Deferred != 40 || p.Skipped[siyu.SkipNotContact] != 2 {
		t.Fatalf("plan %+v, senders %+v", p, m.Senders)
	}

	// Only bob posts, only to the tag: nobody of the tag is bob's.
	tagged := w.create(t, momentDraft(&store.MomentOptions{Senders: []string{"bob"}, Tags: []string{"护肤"}}))
	p, err = w.svc.Plan(ctx, w.ws, tagged.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Moment.Senders) != 1 || p.Moment.Senders[0].Sender != "bob" || p.Moment.Visible != 0 || p.Receive != 0 {
		t.Fatalf("bob and the tag: %+v, %+v", p.Moment, p)
	}
	// alice to the tag: three see it.
	aliceTag := w.create(t, momentDraft(&store.MomentOptions{Senders: []string{"alice"}, Tags: []string{"护肤"}}))
	if p, err = w.svc.Plan(ctx, w.ws, aliceTag.ID); err != nil {
		t.Fatal(err)
	}
	if p.Moment.Visible != 3 || p.Receive != 3 || len(p.ByAccount) != 1 || p.ByAccount[0].Receive != 3 {
		t.Fatalf("alice and the tag: %+v, %+v", p.Moment, p)
	}

	// Launching hands one post to dispatch, once.
	w.svc.Enqueuer = dispatch.New(w.st, nil, dispatch.Options{})
	res, err := w.svc.Launch(ctx, w.ws, aliceTag.ID)
	if err != nil || res.Enqueued != 1 {
		t.Fatalf("launch: %+v, %v", res, err)
	}
	mo, err := w.st.CampaignMoment(ctx, w.ws, aliceTag.ID)
	if err != nil || mo.Status != store.MomentPending || mo.Post == nil || len(mo.Post.Senders) != 1 || mo.Post.TagIDs[0] != "etTAG1" {
		t.Fatalf("post %+v, %v", mo, err)
	}
	again, err := w.svc.Launch(ctx, w.ws, aliceTag.ID)
	if err != nil || !again.AlreadyLaunched || again.Enqueued != 0 {
		t.Fatalf("second launch: %+v, %v", again, err)
	}
	if j, err := w.st.JobByKey(ctx, w.ws, dispatch.KindMoment, strconv.FormatInt(aliceTag.ID, 10)); err != nil || j.State != store.JobQueued {
		t.Fatalf("moment job: %+v, %v", j, err)
	}
	// A recorder is no moment poster: launching needs dispatch.
	w.svc.Enqueuer = &recorder{}
	if _, err := w.svc.Launch(ctx, w.ws, all.ID); !errors.Is(err, ErrNoDispatch) {
		t.Fatalf("launch without a poster: %v", err)
	}
}
