package campaign

import (
	"context"
	"errors"
	"fmt"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
)

// ErrNoDispatch is returned by Launch when no dispatcher is configured.
var ErrNoDispatch = errors.New("campaigns cannot be launched: dispatch is not available")

// LaunchResult says what a launch did.
type LaunchResult struct {
	Plan     Plan `json:"plan"`
	Enqueued int  `json:"enqueued"` // deliveries handed to dispatch by this call
	// AlreadyLaunched: the campaign had been launched before; nothing new
	// was handed over.
	AlreadyLaunched bool `json:"already_launched"`
}

// launchBatch is how many deliveries are handed to dispatch at a time.
var launchBatch = 1000

// Launch plans a campaign for the last time and hands its deliveries to
// dispatch: at send_at, or when quiet hours end for those deferred. It is
// idempotent: a launched campaign is not handed over again, and a launch cut
// short (a crash) resumes with the recipients not handed over yet, without
// planning again. Dispatch re-checks every delivery with the policy when it
// sends.
func (s *Service) Launch(ctx context.Context, ws, campaignID int64) (LaunchResult, error) {
	if s.Enqueuer == nil {
		return LaunchResult{}, ErrNoDispatch
	}
	c, err := s.Store.Campaign(ctx, ws, campaignID)
	if err != nil {
		return LaunchResult{}, err
	}
	if c.Channel == siyu.ReachMoment {
		return s.launchMoment(ctx, c)
	}
	if c.Channel == siyu.ReachGroup {
		return s.launchGroups(ctx, c)
	}
	var res LaunchResult
	switch c.Status {
	case store.CampaignLaunched:
		res.AlreadyLaunched = true
		res.Plan, err = s.SavedPlan(ctx, ws, campaignID)
		return res, err
	case store.CampaignLaunching:
		if res.Plan, err = s.SavedPlan(ctx, ws, campaignID); err != nil {
			return res, err
		}
	default:
		if res.Plan, err = s.plan(ctx, c); err != nil {
			return res, err
		}
		before, err := s.Store.StartCampaignLaunch(ctx, ws, campaignID, s.now())
		if err != nil {
			return res, err
		}
		if before == store.CampaignLaunched {
			res.AlreadyLaunched = true
			return res, nil
		}
	}
	templates := map[string]*template{}
	for i, v := range c.Variants {
		t, err := compile(v.Message, fmt.Sprintf("variants[%d].message", i))
		if err != nil {
			return res, err
		}
		templates[v.Name] = t
	}
	var after int64
	for {
		pending, err := s.Store.PendingCampaignRecipients(ctx, ws, campaignID, after, launchBatch)
		if err != nil {
			return res, err
		}
		if len(pending) == 0 {
			break
		}
		// One Enqueue per start time: most at send_at, the deferred when
		// their quiet hours end.
		byTime := map[time.Time][]siyu.Delivery{}
		var times []time.Time
		ids := make([]int64, 0, len(pending))
		for _, r := range pending {
			t := templates[r.Variant]
			if t == nil {
				return res, fmt.Errorf("campaign %d: recipient %d has unknown variant %q", campaignID, r.CustomerID, r.Variant)
			}
			notBefore := c.SendAt
			if r.Reason == siyu.SkipQuietHours && r.RetryAt.After(notBefore) {
				notBefore = r.RetryAt
			}
			if _, ok := byTime[notBefore]; !ok {
				times = append(times, notBefore)
			}
			byTime[notBefore] = append(byTime[notBefore], siyu.Delivery{
				Key: store.CampaignKey(campaignID, r.CustomerID), WorkspaceID: ws, CampaignID: campaignID, CustomerID: r.CustomerID,
				AccountID: r.AccountID, Sender: r.Sender, ExternalUserID: r.ExternalUserID, Channel: c.Channel, Variant: r.Variant,
				Message: t.For(Person{Name: r.Name, City: r.City, Province: r.Province}),
			})
			ids = append(ids, r.CustomerID)
		}
		for _, at := range times {
			n, err := s.Enqueuer.Enqueue(ctx, ws, byTime[at], at)
			if err != nil {
				return res, fmt.Errorf("campaign %d: enqueue: %w", campaignID, err)
			}
			res.Enqueued += n
		}
		if err := s.Store.MarkCampaignEnqueued(ctx, ws, campaignID, ids, s.now()); err != nil {
			return res, err
		}
		after = pending[len(pending)-1].CustomerID
	}
	return res, s.Store.FinishCampaignLaunch(ctx, ws, campaignID, s.now())
}
