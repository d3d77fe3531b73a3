package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/campaign"
	"siyu.dev/siyu/policy"
	"siyu.dev/siyu/store"
)

// CampaignService is what the campaign pages need; *campaign.Service is
// one. Without it those pages say that campaigns are not available.
type CampaignService interface {
	List(ctx context.Context, ws int64) ([]store.Campaign, error)
	Get(ctx context.Context, ws, id int64) (store.Campaign, error)
	Create(ctx context.Context, ws int64, d campaign.Draft) (store.Campaign, error)
	Plan(ctx context.Context, ws, id int64) (campaign.Plan, error)
	SavedPlan(ctx context.Context, ws, id int64) (campaign.Plan, error)
	Launch(ctx context.Context, ws, id int64) (campaign.LaunchResult, error)
	Results(ctx context.Context, ws, id int64) (campaign.Results, error)
	ReachSettings(ctx context.Context, ws int64) (policy.Settings, error)
	SetReachSettings(ctx context.Context, ws int64, s policy.Settings) error
	Audit(ctx context.Context, ws int64, e store.AuditEntry) error
}

func init() {
	addPages(func(cat catalogue) template.FuncMap {
		return template.FuncMap{
			"reason": func(s string) string { return cat.optional("campaigns.reason_"+s, s) },
			"pct":    func(f float64) string { return fmt.Sprintf("%.2f%%", f*100) },
			"points": func(f float64) string { return fmt.Sprintf("%+.2f pt", f*100) },
		}
	}, "campaigns", "campaign", "campaign_new", "campaigns_settings")
}

func (c *Console) campaignService(w http.ResponseWriter, r *http.Request) (CampaignService, bool) {
	if c.campaigns == nil {
		c.errorPage(w, r, http.StatusNotFound, "campaigns.unavailable")
		return nil, false
	}
	return c.campaigns, true
}

func (c *Console) campaignList(w http.ResponseWriter, r *http.Request) {
	svc, ok := c.campaignService(w, r)
	if !ok {
		return
	}
	list, err := svc.List(r.Context(), stateFrom(r).workspace.ID)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "campaigns", c.newView(r, "campaigns.title", "campaigns", struct{ Campaigns []store.Campaign }{list}))
}

// campaignForm is the create form, refilled after a rejected submit.
type campaignForm struct {
	Name, AudienceKind, AudienceRef, TextA, TextB, SendAt string
	WeightA, WeightB, HoldoutPct, AttributionDays         int
	Error                                                 string
	// Channel is single or moment; a moment names its senders and tags
	// (comma-separated) and a topic.
	Channel, MomentSenders, MomentTags, MomentTopic string
	// Attach is the card every variant carries besides its text: none,
	// image, link or miniprogram, with its fields.
	Attach                                       string
	ImageURL, ImageMediaID                       string
	LinkTitle, LinkURL, LinkDesc, LinkPic        string
	MiniTitle, MiniAppID, MiniPage, MiniPicMedia string
}

// attachment is the card the form describes, added to a message.
func (f campaignForm) attachment(m siyu.Message) siyu.Message {
	switch f.Attach {
	case "image":
		m.Image = &siyu.ImageContent{PicURL: strings.TrimSpace(f.ImageURL), MediaID: strings.TrimSpace(f.ImageMediaID)}
	case "link":
		m.Link = &siyu.LinkContent{Title: strings.TrimSpace(f.LinkTitle), URL: strings.TrimSpace(f.LinkURL),
			Desc: strings.TrimSpace(f.LinkDesc), PicURL: strings.TrimSpace(f.LinkPic)}
	case "miniprogram":
		m.MiniProgram = &siyu.MiniProgramContent{Title: strings.TrimSpace(f.MiniTitle), AppID: strings.TrimSpace(f.MiniAppID),
			Page: strings.TrimSpace(f.MiniPage), PicMediaID: strings.TrimSpace(f.MiniPicMedia)}
	}
	return m
}

func (c *Console) campaignNew(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.campaignService(w, r); !ok {
		return
	}
	f := campaignForm{AudienceKind: "all", WeightA: 1, WeightB: 1, HoldoutPct: 10, AttributionDays: 7,
		SendAt: time.Now().In(siyu.Shanghai).Add(time.Hour).Format("2006-01-02T15:04")}
	c.render(w, r, http.StatusOK, "campaign_new", c.newView(r, "campaigns.new", "campaigns", f))
}

func (c *Console) campaignCreate(w http.ResponseWriter, r *http.Request) {
	svc, ok := c.campaignService(w, r)
	if !ok {
		return
	}
	st := stateFrom(r)
	num := func(k string) int { n, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue(k))); return n }
	f := campaignForm{Name: r.PostFormValue("name"), AudienceKind: r.PostFormValue("audience_kind"), AudienceRef: r.PostFormValue("audience_ref"),
		TextA: r.PostFormValue("text_a"), TextB: r.PostFormValue("text_b"), SendAt: r.PostFormValue("send_at"),
		WeightA: num("weight_a"), WeightB: num("weight_b"), HoldoutPct: num("holdout_pct"), AttributionDays: num("attribution_days"),
		Channel: r.PostFormValue("channel"), MomentSenders: r.PostFormValue("moment_senders"), MomentTags: r.PostFormValue("moment_tags"),
		MomentTopic: r.PostFormValue("moment_topic"), Attach: r.PostFormValue("attach"),
		ImageURL: r.PostFormValue("image_url"), ImageMediaID: r.PostFormValue("image_media_id"),
		LinkTitle: r.PostFormValue("link_title"), LinkURL: r.PostFormValue("link_url"), LinkDesc: r.PostFormValue("link_desc"), LinkPic: r.PostFormValue("link_pic"),
		MiniTitle: r.PostFormValue("mini_title"), MiniAppID: r.PostFormValue("mini_appid"), MiniPage: r.PostFormValue("mini_page"), MiniPicMedia: r.PostFormValue("mini_pic_media")}
	switch f.Attach {
	case "", "none", "image", "link", "miniprogram":
	default:
		f.Error = fmt.Sprintf("attach: %q is not none, image, link or miniprogram", f.Attach)
		c.render(w, r, http.StatusUnprocessableEntity, "campaign_new", c.newView(r, "campaigns.new", "campaigns", f))
		return
	}
	d := campaign.Draft{Name: f.Name, Audience: f.AudienceKind, Channel: siyu.ReachSingle, HoldoutPct: f.HoldoutPct,
		AttributionDays: f.AttributionDays, CreatedBy: st.user.Login,
		Variants: []store.CampaignVariant{{Name: "A", Weight: f.WeightA, Message: f.attachment(siyu.Message{Text: f.TextA})}}}
	if f.AudienceKind != "all" {
		d.Audience = f.AudienceKind + ":" + strings.TrimSpace(f.AudienceRef)
	}
	if strings.TrimSpace(f.TextB) != "" {
		d.Variants = append(d.Variants, store.CampaignVariant{Name: "B", Weight: f.WeightB, Message: f.attachment(siyu.Message{Text: f.TextB})})
	}
	if f.Channel == string(siyu.ReachMoment) {
		d.Channel, d.Moment = siyu.ReachMoment, momentOptions(f)
	}
	var err error
	if d.SendAt, err = time.ParseInLocation("2006-01-02T15:04", f.SendAt, siyu.Shanghai); err != nil {
		err = fmt.Errorf("%w: send_at: %q is not a date and time", siyu.ErrInvalid, f.SendAt)
	}
	var created store.Campaign
	if err == nil {
		created, err = svc.Create(r.Context(), st.workspace.ID, d)
	}
	if errors.Is(err, siyu.ErrInvalid) {
		f.Error = strings.TrimPrefix(err.Error(), siyu.ErrInvalid.Error()+": ")
		c.render(w, r, http.StatusUnprocessableEntity, "campaign_new", c.newView(r, "campaigns.new", "campaigns", f))
		return
	}
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	c.record(r, "campaign.create", "campaign:"+strconv.FormatInt(created.ID, 10), created.Name)
	http.Redirect(w, r, "/campaigns/"+strconv.FormatInt(created.ID, 10), http.StatusSeeOther)
}

// reasonRow is one line of the plan's skip table.
type reasonRow struct {
	Reason  string
	Count   int
	Samples []int64
}

type campaignPageData struct {
	Campaign  store.Campaign
	SendAt    time.Time
	Plan      *campaign.Plan
	Reasons   []reasonRow
	Receivers []int64
	Results   *campaign.Results
	Chart     *resultChart
	Launched  bool
	Error     string
}

func (c *Console) campaignPage(w http.ResponseWriter, r *http.Request) {
	c.showCampaign(w, r, http.StatusOK, "")
}

func (c *Console) showCampaign(w http.ResponseWriter, r *http.Request, status int, errMsg string) {
	svc, ok := c.campaignService(w, r)
	if !ok {
		return
	}
	ws := stateFrom(r).workspace.ID
	id, ok := parseID(r.PathValue("id"))
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	camp, err := svc.Get(r.Context(), ws, id)
	if errors.Is(err, siyu.ErrNotFound) {
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	d := campaignPageData{Campaign: camp, SendAt: camp.SendAt, Error: errMsg,
		Launched: camp.Status == store.CampaignLaunched || camp.Status == store.CampaignLaunching}
	if p, err := svc.SavedPlan(r.Context(), ws, id); err == nil {
		d.Plan = &p
		for reason, n := range p.Skipped {
			d.Reasons = append(d.Reasons, reasonRow{Reason: string(reason), Count: n, Samples: p.Samples[string(reason)]})
		}
		sort.Slice(d.Reasons, func(i, j int) bool { return d.Reasons[i].Count > d.Reasons[j].Count })
		d.Receivers = p.Samples["receive"]
	} else if !errors.Is(err, siyu.ErrNotFound) {
		c.internalError(w, r, err)
		return
	}
	if d.Launched {
		res, err := svc.Results(r.Context(), ws, id)
		if err != nil {
			c.internalError(w, r, err)
			return
		}
		d.Results, d.Chart = &res, buildResultChart(res)
	}
	c.render(w, r, status, "campaign", c.newView(r, "campaigns.campaign", "campaigns", d))
}

func (c *Console) campaignPlan(w http.ResponseWriter, r *http.Request) {
	c.campaignAction(w, r, func(svc CampaignService, ws, id int64) error {
		_, err := svc.Plan(r.Context(), ws, id)
		return err
	})
}

func (c *Console) campaignLaunch(w http.ResponseWriter, r *http.Request) {
	st := stateFrom(r)
	c.campaignAction(w, r, func(svc CampaignService, ws, id int64) error {
		res, err := svc.Launch(r.Context(), ws, id)
		if err != nil || res.AlreadyLaunched {
			return err
		}
		return svc.Audit(r.Context(), ws, store.AuditEntry{UserID: st.user.ID, Actor: st.user.Login, Action: "campaign.launch",
			Target: "campaign:" + strconv.FormatInt(id, 10), Detail: "enqueued " + strconv.Itoa(res.Enqueued)})
	})
}

func (c *Console) campaignAction(w http.ResponseWriter, r *http.Request, act func(CampaignService, int64, int64) error) {
	svc, ok := c.campaignService(w, r)
	if !ok {
		return
	}
	id, ok := parseID(r.PathValue("id"))
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	err := act(svc, stateFrom(r).workspace.ID, id)
	switch {
	case errors.Is(err, siyu.ErrNotFound):
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
	case errors.Is(err, siyu.ErrConflict), errors.Is(err, campaign.ErrNoDispatch):
		c.showCampaign(w, r, http.StatusConflict, err.Error())
	case err != nil:
		c.internalError(w, r, err)
	default:
		http.Redirect(w, r, "/campaigns/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	}
}

type reachSettingsData struct {
	Settings policy.Settings
	Modes    []policy.WeComCapMode
	Error    string
	Saved    bool
}

func (c *Console) reachSettingsPage(w http.ResponseWriter, r *http.Request) {
	svc, ok := c.campaignService(w, r)
	if !ok {
		return
	}
	s, err := svc.ReachSettings(r.Context(), stateFrom(r).workspace.ID)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	d := reachSettingsData{Settings: s, Modes: policy.WeComCapModes, Saved: r.URL.Query().Get("saved") != ""}
	c.render(w, r, http.StatusOK, "campaigns_settings", c.newView(r, "campaigns.settings", "campaigns", d))
}

func (c *Console) reachSettingsSave(w http.ResponseWriter, r *http.Request) {
	svc, ok := c.campaignService(w, r)
	if !ok {
		return
	}
	st := stateFrom(r)
	num := func(k string) int { n, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue(k))); return n }
	s := policy.Settings{FrequencyCap: num("frequency_cap"), FrequencyWindowDays: num("frequency_window_days"),
		QuietStart: r.PostFormValue("quiet_start"), QuietEnd: r.PostFormValue("quiet_end"),
		AccountDailyQuota: num("account_daily_quota"), WeComCap: policy.WeComCapMode(r.PostFormValue("wecom_cap"))}
	err := svc.SetReachSettings(r.Context(), st.workspace.ID, s)
	if errors.Is(err, siyu.ErrInvalid) {
		d := reachSettingsData{Settings: s, Modes: policy.WeComCapModes, Error: strings.TrimPrefix(err.Error(), siyu.ErrInvalid.Error()+": ")}
		c.render(w, r, http.StatusUnprocessableEntity, "campaigns_settings", c.newView(r, "campaigns.settings", "campaigns", d))
		return
	}
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	svc.Audit(r.Context(), st.workspace.ID, store.AuditEntry{UserID: st.user.ID, Actor: st.user.Login, Action: "reach.settings",
		Detail: fmt.Sprintf("%+v", s)})
	http.Redirect(w, r, "/campaigns/settings?saved=1", http.StatusSeeOther)
}

// resultChart is a bar chart of each group's conversion rate, drawn as
// inline SVG on the server (no script; works under the strict CSP).
type resultChart struct {
	Width, Height, BaseY int
	Bars                 []resultBar
}

type resultBar struct {
	X, Y, W, H, LabelX int
	Group              string
	Rate               string
	Holdout            bool
}

func buildResultChart(res campaign.Results) *resultChart {
	if len(res.Groups) == 0 {
		return nil
	}
	ch := &resultChart{Width: 480, Height: 200, BaseY: 176}
	maxRate := 0.0
	for _, g := range res.Groups {
		maxRate = max(maxRate, g.ConversionRate)
	}
	slot := ch.Width / len(res.Groups)
	plot := ch.BaseY - 24
	for i, g := range res.Groups {
		b := resultBar{Group: g.Group, Rate: fmt.Sprintf("%.1f%%", g.ConversionRate*100), Holdout: g.Group == campaign.HoldoutGroup}
		b.W = min(slot-24, 80)
		b.X = i*slot + (slot-b.W)/2
		b.LabelX = b.X + b.W/2
		if maxRate > 0 {
			b.H = int(g.ConversionRate / maxRate * float64(plot))
		}
		b.Y = ch.BaseY - b.H
		ch.Bars = append(ch.Bars, b)
	}
	return ch
}
