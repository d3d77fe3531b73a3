package campaign

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"siyu.dev/siyu"
	"siyu.dev/siyu/policy"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/wecom"
)

// MomentPoster posts a moment campaign: one durable job per campaign that
// calls add_moment_task once and follows the moment. Dispatch provides it;
// a Service's Enqueuer that also implements it can launch moment campaigns.
type MomentPoster interface {
	PostMoment(ctx context.Context, ws, campaignID int64, post store.MomentPost, at time.Time) error
}

// MomentPlan is what a moment campaign's plan adds: which accounts post and
// roughly how many customers can see the post.
type MomentPlan struct {
	Senders []MomentSenderPlan `json:"senders"`
	// Visible is the sum over the senders of their live contacts who can
	// see it (with tags, those carrying one): a person who is a contact of
	// two senders counts twice, so it is an upper estimate.
	Visible int `json:"visible"`
	// OptedOutVisible counts opted-out people of the audience who will see
	// it: a moment is shown to a sender's customers (or a tag's), and WeCom
	// cannot leave single people out.
	OptedOutVisible int      `json:"opted_out_visible"`
	Tags            []string `json:"tags,omitempty"`
}

// MomentSenderPlan is one account that posts.
type MomentSenderPlan struct {
	AccountID int64           `json:"account_id"`
	Sender    string          `json:"sender"`
	Visible   int             `json:"visible"`
	Reason    siyu.SkipReason `json:"reason,omitempty"` // the policy's answer at send_at (account_quota, quiet_hours)
	RetryAt   time.Time       `json:"retry_at,omitzero"`
}

// momentKey is the reach idempotency key of one account's post of a
// campaign's moment.
func momentKey(campaignID int64, sender string) string {
	return fmt.Sprintf("campaign:%d:moment:%s", campaignID, sender)
}

const maxTopicRunes = 50

// createMoment checks what only moment campaigns need and stores the
// campaign with its options.
func (s *Service) createMoment(ctx context.Context, ws int64, c store.Campaign, opt *store.MomentOptions) (store.Campaign, error) {
	if c.Channel != siyu.ReachMoment {
		return c, invalid("moment", "moment options are for channel %q only", siyu.ReachMoment)
	}
	var o store.MomentOptions
	if opt != nil {
		o = *opt
	}
	if len(c.Variants) != 1 {
		return c, invalid("variants", "a moment is one post for everyone who sees it: give exactly 1 variant, not %d", len(c.Variants))
	}
	if c.HoldoutPct != 0 {
		return c, invalid("holdout_pct", "a moment cannot leave people out: use 0, not %d", c.HoldoutPct)
	}
	m := c.Variants[0].Message
	const field = "variants[0].message"
	if t, _ := compile(m, field); t != nil && t.personal {
		return c, invalid(field+".text", "a moment is the same for everyone: personalisation variables ({{name}}, …) are not allowed")
	}
	if n := utf8.RuneCountInString(m.Text); n > wecom.MaxMomentTextRunes {
		return c, invalid(field+".text", "a moment's text has at most %d characters, not %d", wecom.MaxMomentTextRunes, n)
	}
	if m.MiniProgram != nil {
		return c, invalid(field+".miniprogram", "moments take images and links, not mini-program cards")
	}
	if m.Image != nil && m.Image.MediaID == "" {
		return c, invalid(field+".image", "a moment's image needs an uploaded media_id")
	}
	o.LinkMediaID = strings.TrimSpace(o.LinkMediaID)
	if m.Link != nil && o.LinkMediaID == "" {
		return c, invalid("moment.link_media_id", "a moment's link card needs its cover as an uploaded media id")
	}
	accounts, err := s.activeAccounts(ctx, ws)
	if err != nil {
		return c, err
	}
	seen := map[string]bool{}
	for i, u := range o.Senders {
		u = strings.TrimSpace(u)
		if _, ok := accounts[u]; !ok {
			return c, invalid(fmt.Sprintf("moment.senders[%d]", i), "%q is not an active account of this workspace", u)
		}
		if seen[u] {
			return c, invalid(fmt.Sprintf("moment.senders[%d]", i), "%q is named twice", u)
		}
		seen[u] = true
		o.Senders[i] = u
	}
	for i, name := range o.Tags {
		o.Tags[i] = strings.TrimSpace(name)
		if _, err := s.wecomTagID(ctx, ws, o.Tags[i]); err != nil {
			return c, invalid(fmt.Sprintf("moment.tags[%d]", i), "%v", err)
		}
	}
	o.Topic = strings.TrimSpace(o.Topic)
	if utf8.RuneCountInString(o.Topic) > maxTopicRunes {
		return c, invalid("moment.topic", "at most %d characters", maxTopicRunes)
	}
	return s.Store.CreateMomentCampaign(ctx, ws, c, o)
}

func (s *Service) activeAccounts(ctx context.Context, ws int64) (map[string]siyu.Account, error) {
	list, err := s.Store.Accounts(ctx, ws)
	if err != nil {
		return nil, err
	}
	out := map[string]siyu.Account{}
	for _, a := range list {
		if a.Active {
			out[a.WeComUserID] = a
		}
	}
	return out, nil
}

// wecomTagID is the WeCom corp tag id of a Siyu tag: a moment's visible
// range takes corp tags only.
func (s *Service) wecomTagID(ctx context.Context, ws int64, name string) (string, error) {
	t, err := s.Store.TagByName(ctx, ws, name)
	if err != nil {
		return "", fmt.Errorf("no tag %q in this workspace", name)
	}
	if t.WeComTagID == "" {
		return "", fmt.Errorf("tag %q is not a WeCom corp tag (sync the tags with WeCom first)", name)
	}
	return t.WeComTagID, nil
}

// planMoment previews a moment campaign: the accounts that post (the ones
// asked for, or every account holding a live contact of the audience), the
// policy's answer for each at send time, how many customers each shows it
// to, and which of the audience can see it. Those are the campaign's
// recipients (for results); the others are skipped as not_contact.
func (s *Service) planMoment(ctx context.Context, c store.Campaign) (Plan, error) {
	started := time.Now()
	at := s.sendTime(c)
	mo, err := s.Store.CampaignMoment(ctx, c.WorkspaceID, c.ID)
	if err != nil {
		return Plan{}, fmt.Errorf("campaign %d: moment: %w", c.ID, err)
	}
	pl, err := s.Policy.NewPlan(ctx, c.WorkspaceID, at)
	if err != nil {
		return Plan{}, err
	}
	if err := s.Store.ClearCampaignRecipients(ctx, c.WorkspaceID, c.ID); err != nil {
		return Plan{}, err
	}
	accounts, err := s.activeAccounts(ctx, c.WorkspaceID)
	if err != nil {
		return Plan{}, err
	}
	// posting: the accounts asked for, or (none asked for) every account
	// through which an audience member can see it.
	implicit := len(mo.Options.Senders) == 0
	posting := map[int64]bool{}
	for _, u := range mo.Options.Senders {
		if a, ok := accounts[u]; ok {
			posting[a.ID] = true
		}
	}
	var tagged map[int64]bool
	if len(mo.Options.Tags) > 0 {
		tagged = map[int64]bool{}
		for _, name := range mo.Options.Tags {
			if err := s.Store.TagMembers(ctx, c.WorkspaceID, name, func(id int64) error { tagged[id] = true; return nil }); err != nil {
				return Plan{}, err
			}
		}
	}
	variant := c.Variants[0].Name
	p := Plan{CampaignID: c.ID, SendAt: at, Skipped: map[siyu.SkipReason]int{}, Samples: map[string][]int64{},
		Settings: pl.Settings(), accounts: map[int64]*AccountCount{}, variants: map[string]*VariantCount{}}
	mp := &MomentPlan{Tags: mo.Options.Tags}
	reader := s.Store.Reach(c.WorkspaceID)
	batch := make([]int64, 0, planBatch)
	flush := func() error {
		facts, err := reader.People(ctx, batch, at)
		if err != nil {
			return err
		}
		rows := make([]store.CampaignRecipient, 0, len(batch))
		for _, id := range batch {
			r := store.CampaignRecipient{CustomerID: id, Variant: variant, Reason: siyu.SkipNotContact}
			sender := ""
			if tagged == nil || tagged[id] {
				for _, lc := range facts[id].Contacts {
					if !implicit && !posting[lc.AccountID] {
						continue
					}
					posting[lc.AccountID] = true
					r.AccountID, r.ExternalUserID, r.Reason, sender = lc.AccountID, lc.ExternalUserID, "", lc.Sender
					if facts[id].OptedOut {
						mp.OptedOutVisible++
					}
					break
				}
			}
			p.count(policy.Decision{Delivery: siyu.Delivery{CustomerID: id, AccountID: r.AccountID, Sender: sender, ExternalUserID: r.ExternalUserID},
				Reason: r.Reason}, variant, false)
			rows = append(rows, r)
		}
		p.Audience += len(batch)
		batch = batch[:0]
		return s.Store.AddCampaignRecipients(ctx, c.WorkspaceID, c.ID, rows)
	}
	err = s.audience(ctx, c, func(id int64) error {
		batch = append(batch, id)
		if len(batch) == planBatch {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	if err != nil {
		return Plan{}, err
	}
	// The accounts that post, and the policy's answer for each post.
	var senders []MomentSenderPlan
	for _, a := range accounts {
		if posting[a.ID] {
			senders = append(senders, MomentSenderPlan{AccountID: a.ID, Sender: a.WeComUserID})
		}
	}
	sort.Slice(senders, func(i, j int) bool { return senders[i].AccountID < senders[j].AccountID })
	ids := make([]int64, len(senders))
	ds := make([]siyu.Delivery, len(senders))
	for i, sp := range senders {
		ids[i] = sp.AccountID
		ds[i] = siyu.Delivery{Key: momentKey(c.ID, sp.Sender), WorkspaceID: c.WorkspaceID, CampaignID: c.ID, AccountID: sp.AccountID,
			Sender: sp.Sender, Channel: siyu.ReachMoment, Variant: variant}
	}
	decisions, err := pl.Decide(ctx, ds)
	if err != nil {
		return Plan{}, err
	}
	visible, err := s.Store.MomentVisible(ctx, c.WorkspaceID, ids, mo.Options.Tags)
	if err != nil {
		return Plan{}, err
	}
	for i := range senders {
		senders[i].Reason, senders[i].RetryAt = decisions[i].Reason, decisions[i].RetryAt
		senders[i].Visible = visible[senders[i].AccountID]
		mp.Visible += senders[i].Visible
		if senders[i].Reason == siyu.SkipQuietHours {
			p.Deferred = p.Receive // the whole post waits for the quiet hours to end
		}
	}
	mp.Senders = senders
	p.Moment = mp
	p.finish()
	p.PlannedAt = s.now()
	p.Duration = time.Since(started)
	body, err := json.Marshal(p)
	if err != nil {
		return Plan{}, err
	}
	return p, s.Store.SaveCampaignPlan(ctx, c.WorkspaceID, c.ID, body, p.PlannedAt)
}

// launchMoment hands a moment campaign's one post to dispatch. Like Launch,
// it is idempotent: a launched campaign is not posted again, and a launch
// cut short resumes.
func (s *Service) launchMoment(ctx context.Context, c store.Campaign) (LaunchResult, error) {
	poster, ok := s.Enqueuer.(MomentPoster)
	if !ok {
		return LaunchResult{}, ErrNoDispatch
	}
	ws := c.WorkspaceID
	var res LaunchResult
	var err error
	switch c.Status {
	case store.CampaignLaunched:
		res.AlreadyLaunched = true
		res.Plan, err = s.SavedPlan(ctx, ws, c.ID)
		return res, err
	case store.CampaignLaunching:
		if res.Plan, err = s.SavedPlan(ctx, ws, c.ID); err != nil {
			return res, err
		}
	default:
		if res.Plan, err = s.planMoment(ctx, c); err != nil {
			return res, err
		}
		if res.Plan.Moment == nil || len(res.Plan.Moment.Senders) == 0 {
			return res, invalid("moment.senders", "no account would post this moment: no audience member is a live contact of the senders")
		}
		before, err := s.Store.StartCampaignLaunch(ctx, ws, c.ID, s.now())
		if err != nil {
			return res, err
		}
		if before == store.CampaignLaunched {
			res.AlreadyLaunched = true
			return res, nil
		}
	}
	mo, err := s.Store.CampaignMoment(ctx, ws, c.ID)
	if err != nil {
		return res, err
	}
	post := store.MomentPost{Variant: c.Variants[0].Name, Message: c.Variants[0].Message, Topic: mo.Options.Topic, LinkMediaID: mo.Options.LinkMediaID}
	for _, sp := range res.Plan.Moment.Senders {
		post.Senders = append(post.Senders, store.MomentSender{AccountID: sp.AccountID, Sender: sp.Sender})
	}
	for _, name := range mo.Options.Tags {
		id, err := s.wecomTagID(ctx, ws, name)
		if err != nil {
			return res, invalid("moment.tags", "%v", err)
		}
		post.TagIDs = append(post.TagIDs, id)
	}
	if err := poster.PostMoment(ctx, ws, c.ID, post, c.SendAt); err != nil {
		return res, fmt.Errorf("campaign %d: post moment: %w", c.ID, err)
	}
	res.Enqueued = 1
	return res, s.Store.FinishCampaignLaunch(ctx, ws, c.ID, s.now())
}
