// Package campaign sends one message, in A/B variants, to an audience (a
// saved segment, a tag, everyone) through WeCom at a scheduled time, keeping
// a holdout group as the control. The planner shows before anything is sent
// who will receive it and who is skipped and why; launching hands the
// deliveries to dispatch; results compare each variant's conversions with
// the holdout's. Every reach limit is the policy package's.
package campaign

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"siyu.dev/siyu"
	"siyu.dev/siyu/policy"
	"siyu.dev/siyu/store"
)

// Enqueuer takes deliveries for sending at or after notBefore, idempotently
// by Delivery.Key; dispatch provides it.
type Enqueuer interface {
	Enqueue(ctx context.Context, ws int64, ds []siyu.Delivery, notBefore time.Time) (int, error)
}

// Service runs campaigns.
type Service struct {
	Store  *store.Store
	Policy *policy.Policy
	// Enqueuer hands deliveries to dispatch; without it campaigns can be
	// planned but not launched.
	Enqueuer Enqueuer
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// New returns a campaign service on a store.
func New(st *store.Store, enq Enqueuer) *Service {
	return &Service{Store: st, Policy: policy.New(st), Enqueuer: enq}
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Limits of a campaign.
const (
	MaxVariants       = 5
	MaxHoldoutPct     = 50
	MaxAttributionDay = 90
	maxNameRunes      = 100
)

// Draft is a campaign as an operator describes it.
type Draft struct {
	Name            string                  `json:"name"`
	Audience        string                  `json:"audience"` // "segment:<id>", "tag:<name>" or "all"
	Channel         siyu.ReachChannel       `json:"channel"`
	Variants        []store.CampaignVariant `json:"variants"`
	HoldoutPct      int                     `json:"holdout_pct"`
	SendAt          time.Time               `json:"send_at"`
	AttributionDays int                     `json:"attribution_days"` // 0: 7 days
	// Moment: who posts a moment campaign and who sees it (channel moment only).
	Moment    *store.MomentOptions `json:"moment,omitempty"`
	CreatedBy string               `json:"-"`
}

// invalid is a validation error naming the field.
func invalid(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", siyu.ErrInvalid, field, fmt.Sprintf(format, args...))
}

// Create validates a draft and stores it.
func (s *Service) Create(ctx context.Context, ws int64, d Draft) (store.Campaign, error) {
	if d.Channel == siyu.ReachGroup {
		return s.createGroup(ctx, ws, d)
	}
	c, err := s.validate(ctx, ws, d)
	if err != nil {
		return store.Campaign{}, err
	}
	if c.Channel == siyu.ReachMoment || d.Moment != nil {
		return s.createMoment(ctx, ws, c, d.Moment)
	}
	return s.Store.CreateCampaign(ctx, ws, c)
}

func (s *Service) validate(ctx context.Context, ws int64, d Draft) (store.Campaign, error) {
	c := store.Campaign{Name: strings.TrimSpace(d.Name), Channel: d.Channel, Variants: d.Variants, HoldoutPct: d.HoldoutPct,
		SendAt: d.SendAt, AttributionDays: d.AttributionDays, CreatedBy: d.CreatedBy}
	if c.Name == "" || utf8.RuneCountInString(c.Name) > maxNameRunes {
		return c, invalid("name", "give a name of 1 to %d characters", maxNameRunes)
	}
	kind, ref, _ := strings.Cut(strings.TrimSpace(d.Audience), ":")
	c.AudienceKind, c.AudienceRef = kind, strings.TrimSpace(ref)
	switch kind {
	case store.AudienceSegment:
		id, err := strconv.ParseInt(c.AudienceRef, 10, 64)
		if err != nil || id <= 0 {
			return c, invalid("audience", "segment:<id> needs a segment id, not %q", c.AudienceRef)
		}
		if _, err := s.Store.Segment(ctx, ws, id); err != nil {
			return c, invalid("audience", "no segment %d in this workspace", id)
		}
	case store.AudienceTag:
		if c.AudienceRef == "" {
			return c, invalid("audience", "tag:<name> needs a tag name")
		}
	case store.AudienceAll:
		c.AudienceRef = ""
	default:
		return c, invalid("audience", "use segment:<id>, tag:<name> or all, not %q", d.Audience)
	}
	if c.Channel != siyu.ReachSingle && c.Channel != siyu.ReachMoment {
		return c, invalid("channel", "%q: campaigns send 1:1 (single) or group (group) messages or post to moments (moment)", c.Channel)
	}
	if len(c.Variants) == 0 || len(c.Variants) > MaxVariants {
		return c, invalid("variants", "give 1 to %d variants", MaxVariants)
	}
	names := map[string]bool{}
	for i := range c.Variants {
		v := &c.Variants[i]
		field := fmt.Sprintf("variants[%d]", i)
		v.Name = strings.TrimSpace(v.Name)
		if v.Name == "" {
			v.Name = string(rune('A' + i))
		}
		if names[v.Name] || v.Name == "holdout" || utf8.RuneCountInString(v.Name) > 20 {
			return c, invalid(field+".name", "%q: names are unique, at most 20 characters, and not \"holdout\"", v.Name)
		}
		names[v.Name] = true
		if v.Weight == 0 && len(c.Variants) == 1 {
			v.Weight = 1
		}
		if v.Weight < 1 || v.Weight > 100 {
			return c, invalid(field+".weight", "must be from 1 to 100, not %d", v.Weight)
		}
		if err := checkMessage(v.Message, field+".message"); err != nil {
			return c, err
		}
	}
	if c.HoldoutPct < 0 || c.HoldoutPct > MaxHoldoutPct {
		return c, invalid("holdout_pct", "must be from 0 to %d percent, not %d", MaxHoldoutPct, c.HoldoutPct)
	}
	if c.SendAt.IsZero() {
		return c, invalid("send_at", "missing")
	}
	if c.AttributionDays == 0 {
		c.AttributionDays = 7
	}
	if c.AttributionDays < 1 || c.AttributionDays > MaxAttributionDay {
		return c, invalid("attribution_days", "must be from 1 to %d, not %d", MaxAttributionDay, c.AttributionDays)
	}
	return c, nil
}

// checkMessage checks what WeCom accepts in a 1:1 mass message: text
// and/or one attachment, within WeCom's sizes.
func checkMessage(m siyu.Message, field string) error {
	attachments := 0
	if m.Image != nil {
		attachments++
		if m.Image.MediaID == "" && m.Image.PicURL == "" {
			return invalid(field+".image", "needs a media_id or a pic_url")
		}
	}
	if m.Link != nil {
		attachments++
		if m.Link.Title == "" || !strings.HasPrefix(m.Link.URL, "http") {
			return invalid(field+".link", "needs a title and an http(s) url")
		}
	}
	if m.MiniProgram != nil {
		attachments++
		mp := m.MiniProgram
		if mp.Title == "" || mp.AppID == "" || mp.Page == "" || mp.PicMediaID == "" {
			return invalid(field+".miniprogram", "needs title, appid, page and pic_media_id")
		}
	}
	if strings.TrimSpace(m.Text) == "" && attachments == 0 {
		return invalid(field+".text", "a message needs text or an attachment")
	}
	if len(m.Text) > 4000 {
		return invalid(field+".text", "at most 4000 bytes, not %d", len(m.Text))
	}
	_, err := compile(m, field)
	return err
}

// audience streams the ids of a campaign's audience.
func (s *Service) audience(ctx context.Context, c store.Campaign, fn func(int64) error) error {
	switch c.AudienceKind {
	case store.AudienceSegment:
		id, _ := strconv.ParseInt(c.AudienceRef, 10, 64)
		return s.Store.SegmentMembers(ctx, c.WorkspaceID, id, fn)
	case store.AudienceTag:
		return s.Store.TagMembers(ctx, c.WorkspaceID, c.AudienceRef, fn)
	case store.AudienceAll:
		return s.Store.AllCustomers(ctx, c.WorkspaceID, fn)
	}
	return fmt.Errorf("campaign %d: unknown audience %q", c.ID, c.AudienceKind)
}

// List lists a workspace's campaigns, newest first.
func (s *Service) List(ctx context.Context, ws int64) ([]store.Campaign, error) {
	return s.Store.Campaigns(ctx, ws)
}

// Get returns one campaign.
func (s *Service) Get(ctx context.Context, ws, id int64) (store.Campaign, error) {
	return s.Store.Campaign(ctx, ws, id)
}

// ReachSettings returns the workspace's reach limits.
func (s *Service) ReachSettings(ctx context.Context, ws int64) (policy.Settings, error) {
	return s.Policy.Settings(ctx, ws)
}

// SetReachSettings validates and stores the workspace's reach limits.
func (s *Service) SetReachSettings(ctx context.Context, ws int64, set policy.Settings) error {
	return s.Policy.SetSettings(ctx, ws, set)
}

// Audit records an operator's action on a campaign (who launched what).
func (s *Service) Audit(ctx context.Context, ws int64, e store.AuditEntry) error {
	return s.Store.Audit(ctx, ws, e)
}
