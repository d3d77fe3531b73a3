package dispatch_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/campaign"
	"siyu.dev/siyu/dispatch"
	"siyu.dev/siyu/emulator"
	"siyu.dev/siyu/policy"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/wecom"
)

const momentText = "春季护肤新品上市，敏感肌也能用"

// momentRig is a corp with 40 customers of founder and 20 of store_hz01,
// known to Siyu as contacts too, members who publish moments 150 ms after
// WeCom made them, and the reach policy without quiet hours.
func momentRig(t *testing.T) (*rig, *policy.Policy) {
	t.Helper()
	r := newRig(t, 60, func(p *emulator.Policy) {
		p.MomentJobDelay = 100 * time.Millisecond
		p.MomentPublishDelay = 150 * time.Millisecond
	})
	r.seed(t, "founder", 0, 40)
	r.seed(t, "store_hz01", 40, 60)
	var contacts []store.BulkContact
	for k, sender := range []string{"founder", "store_hz01"} {
		a, err := r.st.UpsertAccount(ctx, r.ws, siyu.Account{WeComUserID: sender, Name: sender, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		for i := k * 40; i < 40+k*20; i++ {
			contacts = append(contacts, store.BulkContact{Customer: r.customers[i], Account: a.ID, ExternalUserID: r.users[i].ExternalUserID, AddedAt: time.Now().Add(-time.Hour)})
		}
	}
	if err := r.st.BulkContacts(ctx, r.ws, contacts); err != nil {
		t.Fatal(err)
	}
	pol := policy.New(r.st)
	set := policy.DefaultSettings()
	set.QuietStart, set.QuietEnd = "00:00", "00:00"
	if err := pol.SetSettings(ctx, r.ws, set); err != nil {
		t.Fatal(err)
	}
	return r, pol
}

// launchMoment creates and launches a moment campaign to everyone.
func launchMoment(t *testing.T, r *rig, d *dispatch.Dispatcher) store.Campaign {
	t.Helper()
	svc := campaign.New(r.st, d)
	c, err := svc.Create(ctx, r.ws, campaign.Draft{Name: "春季护肤", Audience: "all", Channel: siyu.ReachMoment, SendAt: time.Now(),
		Variants: []store.CampaignVariant{{Name: "A", Message: siyu.Message{Text: momentText, Image: &siyu.ImageContent{MediaID: "MEDIA_SPRING"}}}},
		Moment:   &store.MomentOptions{Topic: "skincare"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Launch(ctx, r.ws, c.ID)
	if err != nil || res.Enqueued != 1 || res.Plan.Moment == nil || res.Plan.Moment.Visible != 60 {
		t.Fatalf("launch: %+v, %v", res, err)
	}
	return c
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 15 s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func momentOf(t *testing.T, r *rig, c store.Campaign) store.CampaignMoment {
	t.Helper()
	mo, err := r.st.CampaignMoment(ctx, r.ws, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return mo
}

func countType(t *testing.T, r *rig, typ string) int {
	t.Helper()
	var n int
	if err := r.st.DB().QueryRow(`SELECT COUNT(*) FROM events WHERE type = $1 AND workspace_id = $2`, typ, r.ws).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A moment campaign is posted once, its results come back, and likes and
// comments become events of the customers, each once however often the
// moment is polled.
func TestMomentCampaignPostsAndFollows(t *testing.T) {
	r, pol := momentRig(t)
	d := r.dispatcher(dispatch.Options{Gate: pol, PollFor: 2 * time.Second, MomentWait: 300 * time.Millisecond})
	c := launchMoment(t, r, d)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- d.Run(runCtx) }()

	waitFor(t, "both senders published", func() bool {
		mo := momentOf(t, r, c)
		return len(mo.Results) == 2 && mo.Results[0].Published && mo.Results[1].Published
	})
	mo := momentOf(t, r, c)
	for _, x := range []struct {
		sender  string
		user    int
		comment bool
	}{{"founder", 1, false}, {"founder", 2, false}, {"founder", 2, true}, {"founder", 3, false}, {"store_hz01", 45, false}} {
		if err := r.emu.ReactToMoment(mo.MomentID, x.sender, x.user, x.comment); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the post is done", func() bool { return momentOf(t, r, c).Status == store.MomentDone })
	stop()
	<-done

	mo = momentOf(t, r, c)
	snap := r.emu.Snapshot()
	if len(snap.Moments) != 1 || snap.Moments[0].MomentID != mo.MomentID || len(snap.Moments[0].Tasks) != 2 {
		t.Fatalf("WeCom holds %+v, Siyu %+v", snap.Moments, mo)
	}
	want := map[string][3]int{"founder": {40, 3, 1}, "store_hz01": {20, 1, 0}}
	for _, res := range mo.Results {
		w := want[res.Sender]
		if res.Reached != w[0] || res.Visible != w[0] || res.Likes != w[1] || res.Comments != w[2] {
			t.Fatalf("results of %s: %+v, want reached %d, likes %d, comments %d", res.Sender, res, w[0], w[1], w[2])
		}
	}
	if n := countType(t, r, siyu.EventMomentLiked); n != 4 {
		t.Fatalf("%d moment.liked events, want 4", n)
	}
	if n := countType(t, r, siyu.EventMomentComment); n != 1 {
		t.Fatalf("%d moment.commented events, want 1", n)
	}
	var customer int64
	var props string
	if err := r.st.DB().QueryRow(`SELECT customer_id, props FROM events WHERE type = $1`, siyu.EventMomentComment).Scan(&customer, &props); err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	json.Unmarshal([]byte(props), &p)
	if customer != r.customers[2] || p["topic"] != "skincare" || p["moment_id"] != mo.MomentID || p["sender"] != "founder" {
		t.Fatalf("comment event of customer %d with %s", customer, props)
	}
	// Each posting account counts one reach (its daily quota), nobody else.
	var reaches int
	if err := r.st.DB().QueryRow(`SELECT COUNT(*) FROM reach_log WHERE channel = $1 AND customer_id = 0`, string(siyu.ReachMoment)).Scan(&reaches); err != nil {
		t.Fatal(err)
	}
	if reaches != 2 {
		t.Fatalf("%d reach_log rows for the moment, want 2", reaches)
	}
	res, err := campaign.New(r.st, d).Results(ctx, r.ws, c.ID)
	if err != nil || res.Moment == nil || res.Moment.MomentID != mo.MomentID || len(res.Groups) != 1 || res.Groups[0].Recipients != 60 {
		t.Fatalf("results: %+v, %v", res, err)
	}
}

// A worker that died after marking a post submitting may or may not have
// reached WeCom. The restarted job waits for WeCom's asynchronous job, then
// adopts the moment it finds, or posts if there is none: one moment either
// way.
func TestMomentPostSurvivesACrash(t *testing.T) {
	for _, tc := range []struct {
		name      string
		reachedWe bool
	}{{"after add_moment_task", true}, {"before add_moment_task", false}} {
		t.Run(tc.name, func(t *testing.T) {
			r, pol := momentRig(t)
			d := r.dispatcher(dispatch.Options{Gate: pol, PollFor: 500 * time.Millisecond, MomentWait: 400 * time.Millisecond})
			c := launchMoment(t, r, d)
			// What the dead worker did: the mark, and perhaps the call.
			mo := momentOf(t, r, c)
			if err := r.st.MarkMomentSubmitting(ctx, r.ws, c.ID, *mo.Post, time.Now()); err != nil {
				t.Fatal(err)
			}
			if tc.reachedWe {
				client, _, err := r.svc.Client(ctx, r.ws)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := client.AddMomentTask(ctx, wecom.AddMomentTaskRequest{Text: &wecom.TextContent{Content: momentText},
					Attachments:  []wecom.Attachment{{MsgType: wecom.MsgTypeImage, Image: &wecom.ImageAttachment{MediaID: "MEDIA_SPRING"}}},
					VisibleRange: &wecom.MomentVisibleRange{SenderList: &wecom.MomentSenderList{UserList: []string{"founder", "store_hz01"}}}}); err != nil {
					t.Fatal(err)
				}
			}
			drain(t, d)
			mo = momentOf(t, r, c)
			snap := r.emu.Snapshot()
			if len(snap.Moments) != 1 || mo.Status != store.MomentDone || snap.Moments[0].MomentID != mo.MomentID {
				t.Fatalf("WeCom holds %d moments %+v; Siyu's post %+v", len(snap.Moments), snap.Moments, mo)
			}
			if adopted := mo.JobID == ""; adopted != tc.reachedWe {
				t.Fatalf("adopted %v (jobid %q), want %v", adopted, mo.JobID, tc.reachedWe)
			}
		})
	}
}
