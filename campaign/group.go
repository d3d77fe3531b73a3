package campaign

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
)

// Group campaigns (channel "group") send one message to customer groups:
// a WeCom group mass message per group owner, each group once. Their
// audience is groups, not people:
//
//	groups:activity:<id>[,<id>…]  the live groups of campaign-group activities
//	groups:name:<pattern>         the live groups whose name matches, * for any text
//
// Variants are drawn per group; there is no holdout (a group is not a
// person that could be compared) and no personalisation.
const AudienceGroups = "groups"

// GroupKey is the idempotency key of a group campaign's delivery to a group.
func GroupKey(campaignID int64, chatID string) string {
	return fmt.Sprintf("campaign:%d:group:%s", campaignID, chatID)
}

// createGroup validates a group campaign and stores it: the common checks
// are the 1:1 ones, then what differs.
func (s *Service) createGroup(ctx context.Context, ws int64, d Draft) (store.Campaign, error) {
	kind, ref, _ := strings.Cut(strings.TrimSpace(d.Audience), ":")
	if kind != AudienceGroups {
		return store.Campaign{}, invalid("audience", "a group campaign needs groups:activity:<id> or groups:name:<pattern>, not %q", d.Audience)
	}
	common := d
	common.Audience, common.Channel = store.AudienceAll, siyu.ReachSingle
	c, err := s.validate(ctx, ws, common)
	if err != nil {
		return c, err
	}
	c.Channel, c.AudienceKind, c.AudienceRef = siyu.ReachGroup, AudienceGroups, strings.TrimSpace(ref)
	if _, err := s.parseGroupAudience(ctx, ws, c.AudienceRef); err != nil {
		return c, err
	}
	if c.HoldoutPct != 0 {
		return c, invalid("holdout_pct", "group campaigns have no holdout: use 0, not %d", c.HoldoutPct)
	}
	for i, v := range c.Variants {
		field := fmt.Sprintf("variants[%d].message", i)
		if t, _ := compile(v.Message, field); t != nil && t.personal {
			return c, invalid(field+".text", "a group message is the same for everyone in the group: personalisation variables ({{name}}, …) are not allowed")
		}
	}
	return s.Store.CreateCampaign(ctx, ws, c)
}

// groupAudience is a parsed groups:… reference.
type groupAudience struct {
	activities []int64
	pattern    string
}

func (s *Service) parseGroupAudience(ctx context.Context, ws int64, ref string) (groupAudience, error) {
	by, arg, _ := strings.Cut(ref, ":")
	arg = strings.TrimSpace(arg)
	switch by {
	case "activity":
		var g groupAudience
		for part := range strings.SplitSeq(arg, ",") {
			id, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
			if err != nil || id <= 0 {
				return g, invalid("audience", "groups:activity:<id>[,<id>…] needs activity ids, not %q", part)
			}
			if _, err := s.Store.GroupActivity(ctx, ws, id); err != nil {
				return g, invalid("audience", "no group activity %d in this workspace", id)
			}
			g.activities = append(g.activities, id)
		}
		return g, nil
	case "name":
		if arg == "" || strings.Trim(arg, "*") == "" {
			return groupAudience{}, invalid("audience", "groups:name:<pattern> needs a pattern with some text, like 考前冲刺群*")
		}
		return groupAudience{pattern: arg}, nil
	}
	return groupAudience{}, invalid("audience", "use groups:activity:<id> or groups:name:<pattern>, not groups:%s", ref)
}

// groups lists a group campaign's audience now.
func (s *Service) groups(ctx context.Context, c store.Campaign) ([]siyu.Group, error) {
	g, err := s.parseGroupAudience(ctx, c.WorkspaceID, c.AudienceRef)
	if err != nil {
		return nil, err
	}
	if g.pattern != "" {
		return s.Store.GroupsByName(ctx, c.WorkspaceID, g.pattern)
	}
	return s.Store.GroupsOfActivities(ctx, c.WorkspaceID, g.activities)
}

// groupDeliveries are a group campaign's deliveries, one per group sent by
// its owner; groups whose owner is not a known account are skipped.
func (s *Service) groupDeliveries(ctx context.Context, c store.Campaign) (ds []siyu.Delivery, ownerless []int64, err error) {
	gs, err := s.groups(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	accounts, err := s.Store.Accounts(ctx, c.WorkspaceID)
	if err != nil {
		return nil, nil, err
	}
	senders := map[int64]string{}
	for _, a := range accounts {
		senders[a.ID] = a.WeComUserID
	}
	for _, g := range gs {
		if senders[g.OwnerAccountID] == "" {
			ownerless = append(ownerless, g.ID)
			continue
		}
		variant, _ := assign(store.Campaign{ID: c.ID, Variants: c.Variants}, g.ID)
		ds = append(ds, siyu.Delivery{Key: GroupKey(c.ID, g.ChatID), WorkspaceID: c.WorkspaceID, CampaignID: c.ID,
			AccountID: g.OwnerAccountID, Sender: senders[g.OwnerAccountID], ChatID: g.ChatID, Channel: siyu.ReachGroup, Variant: variant})
	}
	return ds, ownerless, nil
}

// planGroups previews a group campaign: each group through the policy
// (quiet hours, the owner's daily quota). Samples name group ids.
func (s *Service) planGroups(ctx context.Context, c store.Campaign) (Plan, error) {
	started := time.Now()
	at := s.sendTime(c)
	pl, err := s.Policy.NewPlan(ctx, c.WorkspaceID, at)
	if err != nil {
		return Plan{}, err
	}
	ds, ownerless, err := s.groupDeliveries(ctx, c)
	if err != nil {
		return Plan{}, err
	}
	p := Plan{CampaignID: c.ID, SendAt: at, Skipped: map[siyu.SkipReason]int{}, Samples: map[string][]int64{},
		Settings: pl.Settings(), accounts: map[int64]*AccountCount{}, variants: map[string]*VariantCount{}}
	p.Audience = len(ds) + len(ownerless)
	for _, id := range ownerless {
		p.Skipped[siyu.SkipNotContact]++
		if len(p.Samples[string(siyu.SkipNotContact)]) < SampleSize {
			p.Samples[string(siyu.SkipNotContact)] = append(p.Samples[string(siyu.SkipNotContact)], id)
		}
	}
	if len(ds) > 0 {
		decisions, err := pl.Decide(ctx, ds)
		if err != nil {
			return Plan{}, err
		}
		ids := map[string]int64{}
		gs, err := s.groups(ctx, c)
		if err != nil {
			return Plan{}, err
		}
		for _, g := range gs {
			ids[g.ChatID] = g.ID
		}
		for _, d := range decisions {
			d.Delivery.CustomerID = ids[d.Delivery.ChatID] // count() samples by this id: the group's
			p.count(d, d.Delivery.Variant, false)
		}
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

// launchGroups hands a group campaign to dispatch: every group of the
// audience now, at send_at (or when quiet hours end). Keys make a second
// launch, or a resumed one, send nothing twice.
func (s *Service) launchGroups(ctx context.Context, c store.Campaign) (LaunchResult, error) {
	var res LaunchResult
	if c.Status == store.CampaignLaunched {
		res.AlreadyLaunched = true
		p, err := s.SavedPlan(ctx, c.WorkspaceID, c.ID)
		res.Plan = p
		return res, err
	}
	p, err := s.planGroups(ctx, c)
	if err != nil {
		return res, err
	}
	res.Plan = p
	if _, err := s.Store.StartCampaignLaunch(ctx, c.WorkspaceID, c.ID, s.now()); err != nil {
		return res, err
	}
	ds, _, err := s.groupDeliveries(ctx, c)
	if err != nil {
		return res, err
	}
	messages := map[string]siyu.Message{}
	for i, v := range c.Variants {
		t, err := compile(v.Message, fmt.Sprintf("variants[%d].message", i))
		if err != nil {
			return res, err
		}
		messages[v.Name] = t.For(Person{})
	}
	at := p.SendAt
	if at.Before(c.SendAt) {
		at = c.SendAt
	}
	byVariant := map[string][]siyu.Delivery{}
	for _, d := range ds {
		d.Message = messages[d.Variant]
		byVariant[d.Variant] = append(byVariant[d.Variant], d)
	}
	names := make([]string, 0, len(byVariant))
	for v := range byVariant {
		names = append(names, v)
	}
	sort.Strings(names)
	for _, v := range names {
		n, err := s.Enqueuer.Enqueue(ctx, c.WorkspaceID, byVariant[v], at)
		if err != nil {
			return res, fmt.Errorf("campaign %d: enqueue: %w", c.ID, err)
		}
		res.Enqueued += n
	}
	return res, s.Store.FinishCampaignLaunch(ctx, c.WorkspaceID, c.ID, s.now())
}
