package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/journey"
	"siyu.dev/siyu/journey/runner"
	"siyu.dev/siyu/policy"
	"siyu.dev/siyu/store"
)

// JourneyStore is what the journey pages need of the store. *store.Store
// has it; with a store that lacks it the pages say so.
type JourneyStore interface {
	runner.Store
	runner.BuiltinStore
	policy.Store
	Journeys(ctx context.Context, workspaceID int64) ([]store.Journey, error)
	UpdateJourney(ctx context.Context, workspaceID, id int64, name string, def journey.Definition) (store.Journey, error)
	SetJourneyStatus(ctx context.Context, workspaceID, id int64, status string) (store.Journey, error)
	JourneyVersions(ctx context.Context, workspaceID, id int64) ([]store.JourneyVersion, error)
	JourneyStats(ctx context.Context, workspaceID, id int64) (store.JourneyStats, error)
	Enrollments(ctx context.Context, workspaceID, journeyID int64, status string, limit, offset int) ([]store.Enrollment, int, error)
	Audit(ctx context.Context, workspaceID int64, e store.AuditEntry) error
}

func init() {
	addPages(func(cat catalogue) template.FuncMap {
		return template.FuncMap{
			"stepType":      func(t journey.StepType) string { return cat.optional("journeys.type_"+string(t), string(t)) },
			"journeyStatus": func(s string) string { return cat.optional("journeys.status_"+s, s) },
			"outcome": func(s string) string {
				head, rest, _ := strings.Cut(s, ":")
				label := cat.optional("journeys.outcome_"+head, head)
				if rest != "" {
					label += " · " + cat.optional("journeys.reason_"+rest, rest)
				}
				return label
			},
		}
	}, "journeys", "journeys_new", "journeys_show")
}

func (c *Console) journeyStore(w http.ResponseWriter, r *http.Request) (JourneyStore, bool) {
	js, ok := c.store.(JourneyStore)
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "journeys.unavailable")
	}
	return js, ok
}

type journeyListRow struct {
	store.Journey
	Stats store.JourneyStats
}

func (c *Console) journeyList(w http.ResponseWriter, r *http.Request) {
	js, ok := c.journeyStore(w, r)
	if !ok {
		return
	}
	ws := stateFrom(r).workspace.ID
	list, err := js.Journeys(r.Context(), ws)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	var rows []journeyListRow
	for _, j := range list {
		st, err := js.JourneyStats(r.Context(), ws, j.ID)
		if err != nil {
			c.internalError(w, r, err)
			return
		}
		rows = append(rows, journeyListRow{Journey: j, Stats: st})
	}
	c.render(w, r, http.StatusOK, "journeys", c.newView(r, "journeys.title", "journeys", struct{ Rows []journeyListRow }{rows}))
}

type journeyNewData struct {
	Builtins   []journey.Builtin
	Accounts   []siyu.Account
	Segments   []store.Segment
	Name, JSON string
	Error      string
}

// journeyExample is the JSON form's starting point.
const journeyExample = `{
  "trigger": {"kind": "event", "event": "order.paid"},
  "reentry": {"mode": "every"},
  "exit": {"on_event": "order.refunded"},
  "steps": [
    {"id": "wait_3d", "type": "wait", "wait": "3d"},
    {"id": "care", "type": "send", "message": {"text": "{{name|亲}}，宝贝用得还顺手吗？有问题随时找我。"}}
  ]
}`

func (c *Console) journeyNew(w http.ResponseWriter, r *http.Request) {
	c.showJourneyNew(w, r, http.StatusOK, journeyNewData{JSON: journeyExample})
}

func (c *Console) showJourneyNew(w http.ResponseWriter, r *http.Request, status int, d journeyNewData) {
	js, ok := c.journeyStore(w, r)
	if !ok {
		return
	}
	ws := stateFrom(r).workspace.ID
	var err error
	if d.Accounts, err = js.Accounts(r.Context(), ws); err != nil {
		c.internalError(w, r, err)
		return
	}
	if d.Segments, err = js.Segments(r.Context(), ws); err != nil {
		c.internalError(w, r, err)
		return
	}
	d.Builtins = journey.Builtins
	c.render(w, r, status, "journeys_new", c.newView(r, "journeys.new_title", "journeys", d))
}

func (c *Console) journeyCreate(w http.ResponseWriter, r *http.Request) {
	js, ok := c.journeyStore(w, r)
	if !ok {
		return
	}
	st := stateFrom(r)
	name := r.PostFormValue("name")
	var j store.Journey
	var err error
	if key := r.PostFormValue("template"); key != "" {
		seg, _ := strconv.ParseInt(r.PostFormValue("segment_id"), 10, 64)
		j, err = runner.CreateBuiltin(r.Context(), js, st.workspace.ID, key, name, journey.BuiltinParams{
			Account: r.PostFormValue("account"), Topic: r.PostFormValue("topic"), SegmentID: seg})
	} else {
		var def journey.Definition
		if def, err = journey.Parse([]byte(r.PostFormValue("definition"))); err == nil {
			j, err = js.CreateJourney(r.Context(), st.workspace.ID, name, "", def)
		}
	}
	if errors.Is(err, siyu.ErrInvalid) {
		c.showJourneyNew(w, r, http.StatusBadRequest, journeyNewData{Name: name, JSON: r.PostFormValue("definition"), Error: err.Error()})
		return
	}
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	c.journeyAudit(r, js, "journey.create", j.ID, j.Name)
	http.Redirect(w, r, "/journeys/"+strconv.FormatInt(j.ID, 10), http.StatusSeeOther)
}

func (c *Console) journeyAudit(r *http.Request, js JourneyStore, action string, id int64, detail string) {
	st := stateFrom(r)
	if err := js.Audit(r.Context(), st.workspace.ID, store.AuditEntry{UserID: st.user.ID, Actor: st.user.Login, Action: action,
		Target: "journey:" + strconv.FormatInt(id, 10), Detail: detail}); err != nil {
		c.log.ErrorContext(r.Context(), "audit", "action", action, "err", err)
	}
}

// flowStep is a step as the flow on the journey page draws it.
type flowStep struct {
	journey.Step
	Detail   string   // what it does, in the definition's own words
	Branches []string // where it goes: "→ id", "yes → id", "no → id"
	Reached  int
	Outcomes []outcomeCount
	Waiting  int
	Dry      *runner.StepReport
}

type outcomeCount struct {
	Outcome string
	N       int
}

type journeyPageData struct {
	Journey    store.Journey
	Trigger    string
	Reentry    string
	Exit       string
	Flow       []flowStep
	Stats      store.JourneyStats
	Versions   []store.JourneyVersion
	Recent     []store.Enrollment
	Total      int
	JSON       string
	EditError  string
	Report     *runner.Report
	DryFrom    string
	DryTo      string
	DryVersion int
	DryError   string
}

func (c *Console) journeyPage(w http.ResponseWriter, r *http.Request) {
	c.showJourney(w, r, http.StatusOK, nil)
}

func (c *Console) showJourney(w http.ResponseWriter, r *http.Request, status int, fill func(*journeyPageData)) {
	js, ok := c.journeyStore(w, r)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		c.notFound(w, r)
		return
	}
	ws := stateFrom(r).workspace.ID
	j, err := js.Journey(r.Context(), ws, id)
	if errors.Is(err, siyu.ErrNotFound) {
		c.notFound(w, r)
		return
	}
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	d := journeyPageData{Journey: j, DryVersion: j.Version}
	if d.Stats, err = js.JourneyStats(r.Context(), ws, id); err != nil {
		c.internalError(w, r, err)
		return
	}
	if d.Versions, err = js.JourneyVersions(r.Context(), ws, id); err != nil {
		c.internalError(w, r, err)
		return
	}
	if d.Recent, d.Total, err = js.Enrollments(r.Context(), ws, id, "", 20, 0); err != nil {
		c.internalError(w, r, err)
		return
	}
	b, _ := json.MarshalIndent(j.Definition, "", "  ")
	d.JSON = string(b)
	now := time.Now().In(siyu.Shanghai)
	d.DryFrom, d.DryTo = now.AddDate(0, 0, -30).Format("2006-01-02"), now.Format("2006-01-02")
	if fill != nil {
		fill(&d)
	}
	d.Trigger, d.Reentry, d.Exit = describeTrigger(j.Definition.Trigger), describeReentry(j.Definition.Reentry), describeExit(j.Definition.Exit)
	d.Flow = buildFlow(j.Definition, j.Version, d.Stats, d.Report)
	c.render(w, r, status, "journeys_show", c.newView(r, "journeys.page_title", "journeys", d))
}

func describeTrigger(t journey.Trigger) string {
	var s string
	switch t.Kind {
	case journey.TriggerEvent:
		s = t.Event
	case journey.TriggerSegment:
		s = "segment.entered #" + strconv.FormatInt(t.SegmentID, 10)
	case journey.TriggerSchedule:
		s = t.Every + " " + t.At
		if t.Every == "weekly" {
			s += " (" + time.Weekday(t.Weekday).String() + ")"
		}
		s += " · segment #" + strconv.FormatInt(t.SegmentID, 10)
	}
	if t.Condition != "" {
		s += " · " + t.Condition
	}
	return s
}

func describeReentry(r journey.Reentry) string {
	if r.Mode == journey.ReentryOncePer {
		return fmt.Sprintf("once_per %dd", r.Days)
	}
	return r.Mode
}

func describeExit(e journey.Exit) string {
	var parts []string
	if e.OnEvent != "" {
		parts = append(parts, e.OnEvent)
	}
	if e.Rule != "" {
		parts = append(parts, e.Rule)
	}
	return strings.Join(parts, " · ")
}

func stepDetail(s journey.Step) string {
	switch s.Type {
	case journey.StepWait:
		if s.Until != "" {
			return "⏰ " + s.Until
		}
		return "⏳ " + s.Wait
	case journey.StepCondition:
		return s.Rule
	case journey.StepSend:
		return s.Message.Text
	case journey.StepTag:
		out := ""
		if len(s.AddTags) > 0 {
			out += "+ " + strings.Join(s.AddTags, ", ")
		}
		if len(s.RemoveTags) > 0 {
			out += " − " + strings.Join(s.RemoveTags, ", ")
		}
		return strings.TrimSpace(out)
	case journey.StepTask:
		return s.Task.Title
	case journey.StepCode:
		return s.Code.Kind + " · " + strings.Join(s.Code.Accounts, ", ")
	case journey.StepGroup:
		return s.Group.Name + " " + s.Group.ChatID
	case journey.StepWebhook:
		return s.Webhook.URL
	}
	return ""
}

func buildFlow(def journey.Definition, version int, st store.JourneyStats, rep *runner.Report) []flowStep {
	var out []flowStep
	for i, s := range def.Steps {
		f := flowStep{Step: s, Detail: stepDetail(s), Waiting: st.Waiting[s.ID]}
		target := func(v string) string {
			if v == journey.End {
				return journey.End
			}
			if v == "" {
				if i+1 < len(def.Steps) {
					return def.Steps[i+1].ID
				}
				return journey.End
			}
			return v
		}
		switch s.Type {
		case journey.StepCondition:
			f.Branches = []string{"✓ → " + target(s.Yes), "✗ → " + target(s.No)}
		case journey.StepExit:
		default:
			f.Branches = []string{"→ " + target(s.Next)}
		}
		counts := map[string]int{}
		for _, c := range st.Steps {
			if c.Version == version && c.Step == s.ID {
				counts[c.Outcome] += c.N
				if !strings.HasPrefix(c.Outcome, "exited:") {
					f.Reached += c.N
				}
			}
		}
		for k, n := range counts {
			f.Outcomes = append(f.Outcomes, outcomeCount{k, n})
		}
		sort.Slice(f.Outcomes, func(a, b int) bool { return f.Outcomes[a].Outcome < f.Outcomes[b].Outcome })
		if rep != nil && i < len(rep.Steps) {
			f.Dry = &rep.Steps[i]
		}
		out = append(out, f)
	}
	return out
}

// SortedOutcomes lists a dry-run step's outcomes in a stable order.
func sortedOutcomes(m map[string]int) []outcomeCount {
	var out []outcomeCount
	for k, n := range m {
		out = append(out, outcomeCount{k, n})
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Outcome < out[b].Outcome })
	return out
}

// DryOutcomes is the template's view of a dry-run step's outcomes.
func (f flowStep) DryOutcomes() []outcomeCount {
	if f.Dry == nil {
		return nil
	}
	return sortedOutcomes(f.Dry.Outcomes)
}

// ExitedList is the template's view of a report's exits.
func (d journeyPageData) ExitedList() []outcomeCount { return sortedOutcomes(d.Report.Exited) }

func (c *Console) journeyUpdate(w http.ResponseWriter, r *http.Request) {
	js, ok := c.journeyStore(w, r)
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	ws := stateFrom(r).workspace.ID
	def, err := journey.Parse([]byte(r.PostFormValue("definition")))
	var j store.Journey
	if err == nil {
		j, err = js.UpdateJourney(r.Context(), ws, id, r.PostFormValue("name"), def)
	}
	if errors.Is(err, siyu.ErrInvalid) {
		c.showJourney(w, r, http.StatusBadRequest, func(d *journeyPageData) {
			d.JSON, d.EditError = r.PostFormValue("definition"), err.Error()
		})
		return
	}
	if errors.Is(err, siyu.ErrNotFound) {
		c.notFound(w, r)
		return
	}
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	c.journeyAudit(r, js, "journey.update", j.ID, "version "+strconv.Itoa(j.Version))
	http.Redirect(w, r, "/journeys/"+strconv.FormatInt(j.ID, 10), http.StatusSeeOther)
}

func (c *Console) journeyStatusChange(status string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		js, ok := c.journeyStore(w, r)
		if !ok {
			return
		}
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		j, err := js.SetJourneyStatus(r.Context(), stateFrom(r).workspace.ID, id, status)
		if errors.Is(err, siyu.ErrNotFound) {
			c.notFound(w, r)
			return
		}
		if err != nil {
			c.internalError(w, r, err)
			return
		}
		c.journeyAudit(r, js, "journey."+status, j.ID, "version "+strconv.Itoa(j.LiveVersion))
		http.Redirect(w, r, "/journeys/"+strconv.FormatInt(j.ID, 10), http.StatusSeeOther)
	}
}

// journeyDryRun replays a version over a window of Shanghai dates
// (inclusive) and shows the report on the journey page.
func (c *Console) journeyDryRun(w http.ResponseWriter, r *http.Request) {
	js, ok := c.journeyStore(w, r)
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	ws := stateFrom(r).workspace.ID
	fromS, toS := r.PostFormValue("from"), r.PostFormValue("to")
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	from, err1 := time.ParseInLocation("2006-01-02", fromS, siyu.Shanghai)
	to, err2 := time.ParseInLocation("2006-01-02", toS, siyu.Shanghai)
	var rep runner.Report
	var err error
	switch {
	case err1 != nil:
		err = fmt.Errorf("%w: from: a date (YYYY-MM-DD)", siyu.ErrInvalid)
	case err2 != nil:
		err = fmt.Errorf("%w: to: a date (YYYY-MM-DD)", siyu.ErrInvalid)
	default:
		rep, err = runner.DryRun(r.Context(), js, policy.New(js), ws, id, version, from.UTC(), to.AddDate(0, 0, 1).UTC())
	}
	if err != nil && !errors.Is(err, siyu.ErrInvalid) && !errors.Is(err, siyu.ErrNotFound) {
		c.internalError(w, r, err)
		return
	}
	status := http.StatusOK
	if err != nil {
		status = http.StatusBadRequest
	}
	c.showJourney(w, r, status, func(d *journeyPageData) {
		d.DryFrom, d.DryTo, d.DryVersion = fromS, toS, version
		if err != nil {
			d.DryError = err.Error()
			return
		}
		d.Report = &rep
	})
}
