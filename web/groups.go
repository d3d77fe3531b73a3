package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/groups"
	"siyu.dev/siyu/store"
)

// The campaign-group pages: activities and templates, an activity with its
// groups, fill levels, join QR, health chart and end-of-activity report.
// They need the SQL store (*store.Store); WeCom work (adopting groups,
// the join QR) is done by the groups worker, so the pages only read it.

func init() {
	addPages(func(cat catalogue) template.FuncMap {
		return template.FuncMap{
			"pct":            func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" },
			"num":            func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
			"activityStatus": func(s string) string { return cat.optional("groups.status_"+s, s) },
			"groupRole":      func(s string) string { return cat.optional("groups.role_"+s, s) },
		}
	}, "groups", "groups_activity")
}

func (c *Console) groupService(w http.ResponseWriter, r *http.Request) (*groups.Service, bool) {
	st, ok := c.store.(*store.Store)
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "groups.unavailable")
		return nil, false
	}
	return groups.New(st, nil, nil), true
}

type groupsListData struct {
	Activities []store.GroupActivity
	Templates  []store.GroupTemplate
	Accounts   []siyu.Account
	Form       groupTemplateForm
	Error      string
}

type groupTemplateForm struct {
	Name, Pattern, Notice, Welcome, Admins, Cap, Owner, Layers string
}

func (c *Console) groupsList(w http.ResponseWriter, r *http.Request) {
	c.showGroupsList(w, r, http.StatusOK, groupTemplateForm{Cap: strconv.Itoa(groups.DefaultMemberCap)}, "")
}

func (c *Console) showGroupsList(w http.ResponseWriter, r *http.Request, status int, f groupTemplateForm, formErr string) {
	svc, ok := c.groupService(w, r)
	if !ok {
		return
	}
	ws := stateFrom(r).workspace.ID
	d := groupsListData{Form: f, Error: formErr}
	var err error
	if d.Activities, err = svc.Store.GroupActivities(r.Context(), ws); err == nil {
		if d.Templates, err = svc.Store.GroupTemplates(r.Context(), ws); err == nil {
			d.Accounts, err = c.store.Accounts(r.Context(), ws)
		}
	}
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	c.render(w, r, status, "groups", c.newView(r, "groups.title", "groups", d))
}

// parseLayers reads "name:account id" lines: one small group per line.
func parseLayers(s string) ([]store.GroupLayer, error) {
	var out []store.GroupLayer
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, id, ok := strings.Cut(line, ":")
		n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
		if !ok || err != nil {
			return nil, fmt.Errorf("%w: layers: line %d: write \"small group name:tutor account id\"", siyu.ErrInvalid, i+1)
		}
		out = append(out, store.GroupLayer{Name: strings.TrimSpace(name), TutorAccountID: n})
	}
	return out, nil
}

func (c *Console) groupTemplateCreate(w http.ResponseWriter, r *http.Request) {
	svc, ok := c.groupService(w, r)
	if !ok {
		return
	}
	f := groupTemplateForm{Name: r.PostFormValue("name"), Pattern: r.PostFormValue("name_pattern"), Notice: r.PostFormValue("notice"),
		Welcome: r.PostFormValue("welcome"), Admins: r.PostFormValue("admins"), Cap: r.PostFormValue("member_cap"),
		Owner: r.PostFormValue("owner_account_id"), Layers: r.PostFormValue("layers")}
	t := store.GroupTemplate{Name: f.Name, NamePattern: f.Pattern, Notice: f.Notice, Welcome: f.Welcome}
	for _, a := range strings.FieldsFunc(f.Admins, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '\n' }) {
		t.Admins = append(t.Admins, a)
	}
	var err error
	if t.MemberCap, err = strconv.Atoi(strings.TrimSpace(f.Cap)); err != nil {
		err = fmt.Errorf("%w: member_cap: a whole number", siyu.ErrInvalid)
	} else if t.OwnerAccountID, err = strconv.ParseInt(f.Owner, 10, 64); err != nil {
		err = fmt.Errorf("%w: owner_account_id: pick an account", siyu.ErrInvalid)
	} else if t.Layers, err = parseLayers(f.Layers); err == nil {
		t, err = svc.CreateTemplate(r.Context(), stateFrom(r).workspace.ID, t)
	}
	if errors.Is(err, siyu.ErrInvalid) || errors.Is(err, siyu.ErrConflict) {
		c.showGroupsList(w, r, http.StatusBadRequest, f, err.Error())
		return
	}
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	c.groupAudit(r, svc, "groups.template.create", "group_template:"+strconv.FormatInt(t.ID, 10), t.Name)
	http.Redirect(w, r, "/groups", http.StatusSeeOther)
}

func (c *Console) groupActivityCreate(w http.ResponseWriter, r *http.Request) {
	svc, ok := c.groupService(w, r)
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(r.PostFormValue("template_id"), 10, 64)
	a, err := svc.CreateActivity(r.Context(), stateFrom(r).workspace.ID, groups.ActivityDraft{Name: r.PostFormValue("name"), TemplateID: id})
	if errors.Is(err, siyu.ErrInvalid) {
		c.showGroupsList(w, r, http.StatusBadRequest, groupTemplateForm{Cap: strconv.Itoa(groups.DefaultMemberCap)}, err.Error())
		return
	}
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	c.groupAudit(r, svc, "groups.activity.create", activityTarget(a.ID), a.Name)
	http.Redirect(w, r, "/groups/"+strconv.FormatInt(a.ID, 10), http.StatusSeeOther)
}

func activityTarget(id int64) string { return "group_activity:" + strconv.FormatInt(id, 10) }

func (c *Console) groupAudit(r *http.Request, svc *groups.Service, action, target, detail string) {
	st := stateFrom(r)
	if err := svc.Store.Audit(r.Context(), st.workspace.ID, store.AuditEntry{UserID: st.user.ID, Actor: st.user.Login, Action: action, Target: target, Detail: detail}); err != nil {
		c.log.ErrorContext(r.Context(), "audit", "action", action, "err", err)
	}
}

type groupRow struct {
	store.ActivityGroup
	Fill    int
	Percent int // of the cap, for the fill bar
}

type groupActivityData struct {
	Activity   store.GroupActivity
	Groups     []groupRow
	Messages   []store.GroupMessage
	Health     groups.Health
	Attendance []groups.Attendance
	Report     *groups.Report
	Chart      groupChart // for groups.js
	Layered    bool
	Error      string
	Now        string // the default send time in forms
}

// groupChart is the chart's data: the series and the labels in the page's
// language.
type groupChart struct {
	Days     []string `json:"days"`
	Members  []int    `json:"members"`
	Joined   []int    `json:"joined"`
	Left     []int    `json:"left"`
	Messages []int    `json:"messages"`
	Labels   struct {
		Members, Joined, Left, Messages string
	} `json:"labels"`
}

func (c *Console) groupActivityPage(w http.ResponseWriter, r *http.Request) {
	c.showGroupActivity(w, r, http.StatusOK, "")
}

func (c *Console) showGroupActivity(w http.ResponseWriter, r *http.Request, status int, formErr string) {
	svc, ok := c.groupService(w, r)
	if !ok {
		return
	}
	ws := stateFrom(r).workspace.ID
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		c.notFound(w, r)
		return
	}
	a, err := svc.Store.GroupActivity(r.Context(), ws, id)
	if errors.Is(err, siyu.ErrNotFound) {
		c.notFound(w, r)
		return
	}
	d := groupActivityData{Activity: a, Error: formErr, Layered: len(a.Template.Layers) > 0,
		Now: time.Now().In(siyu.Shanghai).Format(formTimeLayout)}
	var gs []store.ActivityGroup
	if err == nil {
		gs, err = svc.Store.ActivityGroups(r.Context(), ws, id)
	}
	if err == nil {
		d.Messages, err = svc.Store.GroupMessages(r.Context(), ws, id)
	}
	if err == nil {
		d.Health, err = svc.Health(r.Context(), ws, id, 0)
	}
	if err == nil && d.Layered {
		d.Attendance, err = svc.Attendance(r.Context(), ws, id)
	}
	if err == nil && a.GuideAt != nil {
		var rep groups.Report
		rep, err = svc.Report(r.Context(), ws, id)
		d.Report = &rep
	}
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	for _, g := range gs {
		row := groupRow{ActivityGroup: g, Fill: groups.Fill(g)}
		if a.Template.MemberCap > 0 {
			row.Percent = min(100, row.Fill*100/a.Template.MemberCap)
		}
		d.Groups = append(d.Groups, row)
	}
	cat := c.cats[c.newView(r, "", "", nil).Lang]
	d.Chart.Labels.Members, d.Chart.Labels.Joined = cat.optional("groups.members", "members"), cat.optional("groups.joined", "joined")
	d.Chart.Labels.Left, d.Chart.Labels.Messages = cat.optional("groups.left", "left"), cat.optional("groups.messages", "messages")
	for _, p := range d.Health.Series {
		d.Chart.Days = append(d.Chart.Days, p.Day)
		d.Chart.Members = append(d.Chart.Members, p.Members)
		d.Chart.Joined = append(d.Chart.Joined, p.Joined)
		d.Chart.Left = append(d.Chart.Left, p.Left)
		d.Chart.Messages = append(d.Chart.Messages, p.Messages)
	}
	c.render(w, r, status, "groups_activity", c.newView(r, "groups.activity_title", "groups", d))
}

// groupMessageForm reads a message and its Shanghai send time.
func groupMessageForm(r *http.Request) (siyu.Message, time.Time, error) {
	m := siyu.Message{Text: strings.TrimSpace(r.PostFormValue("text"))}
	v := strings.TrimSpace(r.PostFormValue("send_at"))
	if v == "" {
		return m, time.Time{}, nil
	}
	at, err := time.ParseInLocation(formTimeLayout, v, siyu.Shanghai)
	if err != nil {
		return m, at, fmt.Errorf("%w: send_at: a date and time", siyu.ErrInvalid)
	}
	return m, at, nil
}

// groupActivityAction runs a form action on an activity and comes back to
// its page, showing an invalid input or conflict there.
func (c *Console) groupActivityAction(action string, do func(r *http.Request, svc *groups.Service, ws, id int64) (string, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		svc, ok := c.groupService(w, r)
		if !ok {
			return
		}
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			c.notFound(w, r)
			return
		}
		ws := stateFrom(r).workspace.ID
		if _, err := svc.Store.GroupActivity(r.Context(), ws, id); err != nil {
			c.notFound(w, r)
			return
		}
		next, err := do(r, svc, ws, id)
		if errors.Is(err, siyu.ErrInvalid) || errors.Is(err, siyu.ErrConflict) {
			c.showGroupActivity(w, r, http.StatusBadRequest, err.Error())
			return
		}
		if err != nil {
			c.internalError(w, r, err)
			return
		}
		c.groupAudit(r, svc, action, activityTarget(id), "")
		if next == "" {
			next = "/groups/" + strconv.FormatInt(id, 10)
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
	}
}

func (c *Console) groupMessageCreate(w http.ResponseWriter, r *http.Request) {
	c.groupActivityAction("groups.message.schedule", func(r *http.Request, svc *groups.Service, ws, id int64) (string, error) {
		m, at, err := groupMessageForm(r)
		if err == nil {
			_, err = svc.Schedule(r.Context(), ws, id, m, at)
		}
		return "", err
	})(w, r)
}

func (c *Console) groupEnd(w http.ResponseWriter, r *http.Request) {
	c.groupActivityAction("groups.activity.end", func(r *http.Request, svc *groups.Service, ws, id int64) (string, error) {
		m, at, err := groupMessageForm(r)
		if err == nil {
			_, err = svc.End(r.Context(), ws, id, m, at)
		}
		return "", err
	})(w, r)
}

func (c *Console) groupDissolve(w http.ResponseWriter, r *http.Request) {
	c.groupActivityAction("groups.activity.dissolve", func(r *http.Request, svc *groups.Service, ws, id int64) (string, error) {
		_, err := svc.Dissolve(r.Context(), ws, id)
		return "", err
	})(w, r)
}

func (c *Console) groupRebuild(w http.ResponseWriter, r *http.Request) {
	c.groupActivityAction("groups.activity.rebuild", func(r *http.Request, svc *groups.Service, ws, id int64) (string, error) {
		a, err := svc.Rebuild(r.Context(), ws, id, r.PostFormValue("name"))
		return "/groups/" + strconv.FormatInt(a.ID, 10), err
	})(w, r)
}
