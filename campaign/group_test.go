package campaign

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
)

// groupWorld adds to newWorld two groups of an activity (owner alice), a
// member group of bob's and a group whose owner is not an account.
func groupWorld(t *testing.T, enq Enqueuer) (*world, int64) {
	t.Helper()
	ctx := context.Background()
	w := newWorld(t, enq)
	created := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, g := range []struct{ chat, name, owner string }{
		{"wrA1", "考前冲刺群1", "alice"}, {"wrA2", "考前冲刺群2", "alice"}, {"wrB", "会员群", "bob"}, {"wrX", "考前冲刺群9", "someone"},
	} {
		if _, err := w.st.UpsertGroup(ctx, w.ws, store.GroupInput{ChatID: g.chat, Name: g.name, OwnerUserID: g.owner, CreatedAt: created}); err != nil {
			t.Fatal(err)
		}
	}
	accounts, _ := w.st.Accounts(ctx, w.ws)
	tmpl, err := w.st.CreateGroupTemplate(ctx, w.ws, store.GroupTemplate{Name: "冲刺", NamePattern: "考前冲刺群{{n}}", MemberCap: 200, OwnerAccountID: accounts[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	a, err := w.st.CreateGroupActivity(ctx, w.ws, store.GroupActivity{Name: "冲刺", TemplateID: tmpl.ID, Template: tmpl, OwnerAccountID: accounts[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	for i, chat := range []string{"wrA1", "wrA2"} {
		if err := w.st.AttachActivityGroup(ctx, w.ws, a.ID, chat, i+1, store.GroupRoleMain, 0); err != nil {
			t.Fatal(err)
		}
	}
	return w, a.ID
}

func TestGroupCampaigns(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		audience  string
		chats     []string
		ownerless int
	}{
		{"activity", "groups:activity:%d", []string{"wrA1", "wrA2"}, 0},
		{"name pattern", "groups:name:考前冲刺群*", []string{"wrA1", "wrA2"}, 1},
		{"name contains", "groups:name:*会员*", []string{"wrB"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			w, activity := groupWorld(t, rec)
			audience := tc.audience
			if strings.Contains(audience, "%d") {
				audience = fmt.Sprintf(audience, activity)
			}
			c := w.create(t, Draft{Channel: siyu.ReachGroup, Audience: audience, Variants: []store.CampaignVariant{
				{Name: "A", Weight: 1, Message: siyu.Message{Text: "今晚八点直播"}}, {Name: "B", Weight: 1, Message: siyu.Message{Text: "今晚八点见"}}}})
			p, err := w.svc.Plan(ctx, w.ws, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if p.Audience != len(tc.chats)+tc.ownerless || p.Receive != len(tc.chats) || p.Skipped[siyu.SkipNotContact] != tc.ownerless {
				t.Fatalf("plan = %+v", p)
			}
			for i, want := range []int{len(tc.chats), 0} {
				res, err := w.svc.Launch(ctx, w.ws, c.ID)
				if err != nil || res.Enqueued != want || res.AlreadyLaunched != (i == 1) {
					t.Fatalf("launch %d: %+v %v", i+1, res, err)
				}
			}
			var chats []string
			for key, d := range rec.got {
				if key != GroupKey(c.ID, d.ChatID) || d.Channel != siyu.ReachGroup || d.Sender == "" || d.CustomerID != 0 || !strings.HasPrefix(d.Message.Text, "今晚八点") {
					t.Fatalf("delivery %s = %+v", key, d)
				}
				chats = append(chats, d.ChatID)
			}
			slices.Sort(chats)
			if !slices.Equal(chats, tc.chats) {
				t.Fatalf("sent to %v, want %v", chats, tc.chats)
			}
			if got, _ := w.st.Campaign(ctx, w.ws, c.ID); got.Status != store.CampaignLaunched {
				t.Fatalf("status %s", got.Status)
			}
		})
	}
}

func TestGroupCampaignValidation(t *testing.T) {
	w, activity := groupWorld(t, nil)
	msg := []store.CampaignVariant{{Name: "A", Weight: 1, Message: siyu.Message{Text: "群发"}}}
	tests := []struct {
		name  string
		draft Draft
		field string
	}{
		{"people audience", Draft{Audience: "all"}, "audience"},
		{"unknown activity", Draft{Audience: "groups:activity:999"}, "audience"},
		{"bad reference", Draft{Audience: "groups:owner:alice"}, "audience"},
		{"empty pattern", Draft{Audience: "groups:name:**"}, "audience"},
		{"holdout", Draft{Audience: fmt.Sprintf("groups:activity:%d", activity), HoldoutPct: 10}, "holdout_pct"},
		{"personalised", Draft{Audience: "groups:name:会员*", Variants: []store.CampaignVariant{{Name: "A", Weight: 1, Message: siyu.Message{Text: "{{name}}你好"}}}}, "variants[0].message.text"},
		{"common checks still apply", Draft{Audience: "groups:name:会员*", Variants: []store.CampaignVariant{{Name: "A", Weight: 1}}}, "variants[0].message.text"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.draft
			d.Name, d.Channel, d.SendAt = "群发", siyu.ReachGroup, time.Now()
			if d.Variants == nil {
				d.Variants = msg
			}
			_, err := w.svc.Create(context.Background(), w.ws, d)
			if !errors.Is(err, siyu.ErrInvalid) || !strings.Contains(err.Error(), tc.field+":") {
				t.Fatalf("error %v, want one naming %s", err, tc.field)
			}
		})
	}
}
