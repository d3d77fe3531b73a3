package campaign

import (
	"context"
	"strings"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
)

// HoldoutGroup names the control group in results.
const HoldoutGroup = "holdout"

// Results are a campaign's outcome: per variant and for the holdout, who
// was targeted, what dispatch reports of the sends, and who paid an order
// within the attribution window after send_at.
type Results struct {
	CampaignID      int64             `json:"campaign_id"`
	SendAt          time.Time         `json:"send_at"`
	AttributionDays int               `json:"attribution_days"`
	WindowEnd       time.Time         `json:"window_end"`
	Groups          []GroupResult     `json:"groups"`
	Sends           []store.SendCount `json:"sends,omitempty"` // by variant and status, as dispatch reports them
	// Moment: a moment campaign's post and each sender's counts (published,
	// visible, reached, likes, comments).
	Moment *store.CampaignMoment `json:"moment,omitempty"`
}

// GroupResult is one variant's (or the holdout's) outcome.
type GroupResult struct {
	Group      string `json:"group"` // the variant, or "holdout"
	Recipients int    `json:"recipients"`
	Sent       int    `json:"sent"`    // delivered
	Failed     int    `json:"failed"`  // not a friend, capped by WeCom, skipped at send time, failed
	Pending    int    `json:"pending"` // queued or waiting for the member to confirm
	Converted  int    `json:"converted"`
	// ConversionRate is converted / recipients.
	ConversionRate float64  `json:"conversion_rate"`
	Revenue        siyu.Fen `json:"revenue_fen"`
	RevenuePerHead siyu.Fen `json:"revenue_per_recipient_fen"`
	// Uplift is the conversion rate minus the holdout's (0.02 = two
	// percentage points); IncrementalRevenue is the revenue per head above
	// the holdout's times the recipients. Both are 0 without a holdout.
	Uplift             float64  `json:"uplift"`
	IncrementalRevenue siyu.Fen `json:"incremental_revenue_fen"`
}

// Results computes a campaign's results now.
func (s *Service) Results(ctx context.Context, ws, campaignID int64) (Results, error) {
	c, err := s.Store.Campaign(ctx, ws, campaignID)
	if err != nil {
		return Results{}, err
	}
	r := Results{CampaignID: c.ID, SendAt: c.SendAt, AttributionDays: c.AttributionDays, WindowEnd: c.SendAt.AddDate(0, 0, c.AttributionDays)}
	outcomes, err := s.Store.CampaignOutcomes(ctx, ws, campaignID, c.SendAt, r.WindowEnd)
	if err != nil {
		return r, err
	}
	if r.Sends, err = s.Store.SendCounts(ctx, ws, campaignID); err != nil {
		return r, err
	}
	if c.Channel == siyu.ReachMoment {
		mo, err := s.Store.CampaignMoment(ctx, ws, campaignID)
		if err != nil {
			return r, err
		}
		r.Moment = &mo
	}
	groups := map[string]*GroupResult{}
	for _, v := range c.Variants {
		groups[v.Name] = &GroupResult{Group: v.Name}
		r.Groups = append(r.Groups, GroupResult{Group: v.Name})
	}
	if c.HoldoutPct > 0 {
		groups[HoldoutGroup] = &GroupResult{Group: HoldoutGroup}
		r.Groups = append(r.Groups, GroupResult{Group: HoldoutGroup})
	}
	for _, o := range outcomes {
		name := o.Variant
		if o.Holdout {
			name = HoldoutGroup
		}
		g := groups[name]
		if g == nil {
			continue // a variant since removed
		}
		g.Recipients += o.Recipients
		g.Converted += o.Converted
		g.Revenue += o.Revenue
	}
	for _, sc := range r.Sends {
		g := groups[sc.Variant]
		if g == nil {
			continue
		}
		switch {
		case sc.Status == "sent":
			g.Sent += sc.N
		case sc.Status == "failed" || sc.Status == "not_friend" || sc.Status == "capped" || strings.HasPrefix(sc.Status, "skipped"):
			g.Failed += sc.N
		default:
			g.Pending += sc.N
		}
	}
	hold := groups[HoldoutGroup]
	for _, g := range groups {
		if g.Recipients > 0 {
			g.ConversionRate = float64(g.Converted) / float64(g.Recipients)
			g.RevenuePerHead = g.Revenue / siyu.Fen(g.Recipients)
		}
	}
	for i := range r.Groups {
		g := groups[r.Groups[i].Group]
		if hold != nil && g != hold && hold.Recipients > 0 {
			g.Uplift = g.ConversionRate - hold.ConversionRate
			// Per-head difference in exact fen arithmetic: (rev_g·n_h − rev_h·n_g) / n_h.
			g.IncrementalRevenue = (g.Revenue*siyu.Fen(hold.Recipients) - hold.Revenue*siyu.Fen(g.Recipients)) / siyu.Fen(hold.Recipients)
		}
		r.Groups[i] = *g
	}
	return r, nil
}
