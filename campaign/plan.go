package campaign

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"hash/fnv"
	"sort"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/policy"
	"siyu.dev/siyu/store"
)

// assign draws a person's group: the holdout, or a variant by weight. The
// draw is a hash of campaign and customer, so every plan of a campaign
// splits its audience the same way, and the holdout and the variant draws
// are independent.
func assign(c store.Campaign, customerID int64) (variant string, holdout bool) {
	if c.HoldoutPct > 0 && draw(c.ID, customerID, 'h')%100 < uint64(c.HoldoutPct) {
		return "", true
	}
	total := 0
	for _, v := range c.Variants {
		total += v.Weight
	}
	x := int(draw(c.ID, customerID, 'v') % uint64(total))
	for _, v := range c.Variants {
		if x < v.Weight {
			return v.Name, false
		}
		x -= v.Weight
	}
	return c.Variants[len(c.Variants)-1].Name, false
}

func draw(campaignID, customerID int64, salt byte) uint64 {
	var b [17]byte
	binary.LittleEndian.PutUint64(b[:8], uint64(campaignID))
	binary.LittleEndian.PutUint64(b[8:16], uint64(customerID))
	b[16] = salt
	h := fnv.New64a()
	h.Write(b[:])
	return h.Sum64()
}

// Plan is what a campaign will do: how many of its audience receive it,
// how many are skipped for each reason (holdout among them), by account and
// by variant, with a few customer ids of each as examples.
type Plan struct {
	CampaignID int64     `json:"campaign_id"`
	PlannedAt  time.Time `json:"planned_at"`
	SendAt     time.Time `json:"send_at"` // when the policy was asked about
	Audience   int       `json:"audience"`
	Receive    int       `json:"receive"`  // at send_at
	Deferred   int       `json:"deferred"` // after quiet hours end (counted in Receive too)
	// Skipped counts by reason; holdout and quiet hours included.
	Skipped   map[siyu.SkipReason]int  `json:"skipped"`
	ByAccount []AccountCount           `json:"by_account"`
	ByVariant []VariantCount           `json:"by_variant"`
	Samples   map[string][]int64       `json:"samples"` // "receive" or a reason → customer ids
	Settings  policy.Settings          `json:"settings"`
	Duration  time.Duration            `json:"duration_ns"`
	Moment    *MomentPlan              `json:"moment,omitempty"` // moment campaigns: who posts, who sees it
	accounts  map[int64]*AccountCount  `json:"-"`
	variants  map[string]*VariantCount `json:"-"`
}

// AccountCount is how many one WeCom account will send.
type AccountCount struct {
	AccountID int64  `json:"account_id"`
	Sender    string `json:"sender"`
	Receive   int    `json:"receive"`
	Skipped   int    `json:"skipped"` // by the account's quota
}

// VariantCount is how a variant's share of the audience fares.
type VariantCount struct {
	Variant string `json:"variant"`
	Receive int    `json:"receive"`
	Skipped int    `json:"skipped"`
}

// SampleSize is how many example customers a plan keeps per reason.
const SampleSize = 10

// planBatch is how many people are decided and stored at a time.
var planBatch = 1000

func (p *Plan) count(d policy.Decision, variant string, holdout bool) {
	key := "receive"
	switch {
	case holdout:
		key = string(siyu.SkipHoldout)
		p.Skipped[siyu.SkipHoldout]++
	case d.Reason == "" || d.Reason == siyu.SkipQuietHours:
		p.Receive++
		if d.Reason == siyu.SkipQuietHours {
			p.Deferred++
			p.Skipped[siyu.SkipQuietHours]++
			key = string(siyu.SkipQuietHours)
		}
	default:
		key = string(d.Reason)
		p.Skipped[d.Reason]++
	}
	if len(p.Samples[key]) < SampleSize {
		p.Samples[key] = append(p.Samples[key], d.Delivery.CustomerID)
	}
	if holdout {
		return
	}
	v := p.variants[variant]
	if v == nil {
		v = &VariantCount{Variant: variant}
		p.variants[variant] = v
	}
	receives := d.Reason == "" || d.Reason == siyu.SkipQuietHours
	if receives {
		v.Receive++
	} else {
		v.Skipped++
	}
	if a := d.Delivery.AccountID; a != 0 {
		ac := p.accounts[a]
		if ac == nil {
			ac = &AccountCount{AccountID: a, Sender: d.Delivery.Sender}
			p.accounts[a] = ac
		}
		if receives {
			ac.Receive++
		} else if d.Reason == siyu.SkipAccountQuota {
			ac.Skipped++
		}
	}
}

func (p *Plan) finish() {
	for _, a := range p.accounts {
		p.ByAccount = append(p.ByAccount, *a)
	}
	sort.Slice(p.ByAccount, func(i, j int) bool { return p.ByAccount[i].AccountID < p.ByAccount[j].AccountID })
	for _, v := range p.variants {
		p.ByVariant = append(p.ByVariant, *v)
	}
	sort.Slice(p.ByVariant, func(i, j int) bool { return p.ByVariant[i].Variant < p.ByVariant[j].Variant })
}

// sendTime is when the policy is asked about: send_at, or now if that has
// passed.
func (s *Service) sendTime(c store.Campaign) time.Time {
	if now := s.now(); c.SendAt.Before(now) {
		return now
	}
	return c.SendAt
}

// Plan previews a campaign: it streams the audience through the policy in
// batches, stores every person's outcome in campaign_recipients and the
// summary with the campaign. Memory stays bounded by the batch whatever the
// audience's size. A launched campaign's plan is final.
func (s *Service) Plan(ctx context.Context, ws, campaignID int64) (Plan, error) {
	c, err := s.Store.Campaign(ctx, ws, campaignID)
	if err != nil {
		return Plan{}, err
	}
	return s.plan(ctx, c)
}

func (s *Service) plan(ctx context.Context, c store.Campaign) (Plan, error) {
	if c.Channel == siyu.ReachMoment {
		return s.planMoment(ctx, c)
	}
	if c.Channel == siyu.ReachGroup {
		return s.planGroups(ctx, c)
	}
	started := time.Now()
	at := s.sendTime(c)
	pl, err := s.Policy.NewPlan(ctx, c.WorkspaceID, at)
	if err != nil {
		return Plan{}, err
	}
	if err := s.Store.ClearCampaignRecipients(ctx, c.WorkspaceID, c.ID); err != nil {
		return Plan{}, err
	}
	p := Plan{CampaignID: c.ID, SendAt: at, Skipped: map[siyu.SkipReason]int{}, Samples: map[string][]int64{},
		Settings: pl.Settings(), accounts: map[int64]*AccountCount{}, variants: map[string]*VariantCount{}}
	batch := make([]int64, 0, planBatch)
	rows := make([]store.CampaignRecipient, 0, planBatch)
	flush := func() error {
		var send, held []siyu.Delivery
		var sendVariant []string
		for _, id := range batch {
			variant, holdout := assign(c, id)
			d := siyu.Delivery{Key: store.CampaignKey(c.ID, id), WorkspaceID: c.WorkspaceID, CampaignID: c.ID, CustomerID: id, Channel: c.Channel, Variant: variant}
			if holdout {
				held = append(held, d)
			} else {
				send = append(send, d)
				sendVariant = append(sendVariant, variant)
			}
		}
		// The holdout is checked without taking quota: its members are the
		// ones who would have been reached, the fair comparison.
		heldOut, err := pl.Check(ctx, held)
		if err != nil {
			return err
		}
		sent, err := pl.Decide(ctx, send)
		if err != nil {
			return err
		}
		rows = rows[:0]
		for _, d := range heldOut {
			holdout := d.Reason == "" || d.Reason == siyu.SkipQuietHours
			if holdout {
				d.Reason, d.RetryAt = siyu.SkipHoldout, time.Time{}
			}
			p.count(d, "", holdout)
			rows = append(rows, recipient(d))
		}
		for i, d := range sent {
			p.count(d, sendVariant[i], false)
			rows = append(rows, recipient(d))
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
	p.finish()
	p.PlannedAt = s.now()
	p.Duration = time.Since(started)
	body, err := json.Marshal(p)
	if err != nil {
		return Plan{}, err
	}
	return p, s.Store.SaveCampaignPlan(ctx, c.WorkspaceID, c.ID, body, p.PlannedAt)
}

func recipient(d policy.Decision) store.CampaignRecipient {
	return store.CampaignRecipient{CustomerID: d.Delivery.CustomerID, Variant: d.Delivery.Variant, AccountID: d.Delivery.AccountID,
		ExternalUserID: d.Delivery.ExternalUserID, Reason: d.Reason, RetryAt: d.RetryAt}
}

// SavedPlan returns the summary of a campaign's latest plan; ErrNotFound
// when it was never planned.
func (s *Service) SavedPlan(ctx context.Context, ws, campaignID int64) (Plan, error) {
	c, err := s.Store.Campaign(ctx, ws, campaignID)
	if err != nil {
		return Plan{}, err
	}
	if len(c.Plan) == 0 {
		return Plan{}, siyu.ErrNotFound
	}
	var p Plan
	err = json.Unmarshal(c.Plan, &p)
	return p, err
}
