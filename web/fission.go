package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/fission"
	"siyu.dev/siyu/store"
)

// FissionStore is what the fission pages need of the store. *store.Store
// has it; with a store that lacks it the pages say so.
type FissionStore interface {
	fission.Store
	CreateFissionActivity(ctx context.Context, workspaceID int64, a fission.Activity) (fission.Activity, error)
	FissionActivities(ctx context.Context, workspaceID int64) ([]fission.Activity, error)
	FissionParticipant(ctx context.Context, workspaceID, id int64) (fission.Participant, error)
	FissionSnapshot(ctx context.Context, workspaceID, activityID int64) (fission.Snapshot, error)
	EvaluateFission(ctx context.Context, workspaceID, activityID int64) (fission.Snapshot, fission.Outcome, error)
	Audit(ctx context.Context, workspaceID int64, e store.AuditEntry) error
}

// fissionTreeChildren bounds the children per node the tree chart draws.
const fissionTreeChildren = 60

func init() {
	addPages(func(cat catalogue) template.FuncMap {
		return template.FuncMap{
			"pct":          func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" },
			"num":          func(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) },
			"reason":       func(s string) string { return cat.optional("fission.reason_"+s, s) },
			"inviteStatus": func(s string) string { return cat.optional("fission.status_"+s, s) },
			"target":       func(s fission.Target) string { return cat.optional("fission.target_"+string(s), string(s)) },
		}
	}, "fission", "fission_new", "fission_activity")
}

func (c *Console) fissionStore(w http.ResponseWriter, r *http.Request) (FissionStore, bool) {
	fs, ok := c.store.(FissionStore)
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "fission.unavailable")
	}
	return fs, ok
}

type fissionListRow struct {
	fission.Activity
	Metrics fission.Metrics
	Running bool
}

func (c *Console) fissionList(w http.ResponseWriter, r *http.Request) {
	fs, ok := c.fissionStore(w, r)
	if !ok {
		return
	}
	ws := stateFrom(r).workspace.ID
	list, err := fs.FissionActivities(r.Context(), ws)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	var rows []fissionListRow
	now := time.Now()
	for _, a := range list {
		snap, err := fs.FissionSnapshot(r.Context(), ws, a.ID)
		if err != nil {
			c.internalError(w, r, err)
			return
		}
		rows = append(rows, fissionListRow{Activity: a, Metrics: fission.Measure(snap, fission.Evaluate(snap)), Running: a.Running(now)})
	}
	c.render(w, r, http.StatusOK, "fission", c.newView(r, "fission.title", "fission", struct{ Rows []fissionListRow }{rows}))
}

// fissionForm is the create form as typed.
type fissionForm struct {
	Name, Goal, Reward, Target, GroupChatID, Welcome, Start, End, Clawback string
	Physical                                                               bool
	Accounts                                                               []string
}

func (f fissionForm) Picked(u string) bool {
	for _, a := range f.Accounts {
		if a == u {
			return true
		}
	}
	return false
}

type fissionFormData struct {
	Form     fissionForm
	Accounts []siyu.Account
	Error    string // the store's message, naming the field
}

const formTimeLayout = "2006-01-02T15:04"

func (c *Console) fissionNew(w http.ResponseWriter, r *http.Request) {
	now := time.Now().In(siyu.Shanghai)
	f := fissionForm{Goal: "2", Target: string(fission.TargetContact), Clawback: strconv.Itoa(fission.DefaultClawbackHours),
		Start: now.Format(formTimeLayout), End: now.Add(7 * 24 * time.Hour).Format(formTimeLayout)}
	c.showFissionForm(w, r, http.StatusOK, fissionFormData{Form: f})
}

func (c *Console) showFissionForm(w http.ResponseWriter, r *http.Request, status int, d fissionFormData) {
	accounts, err := c.store.Accounts(r.Context(), stateFrom(r).workspace.ID)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	for _, a := range accounts {
		if a.Active {
			d.Accounts = append(d.Accounts, a)
		}
	}
	c.render(w, r, status, "fission_new", c.newView(r, "fission.new_title", "fission", d))
}

// parseFissionForm turns the form into an activity; times are Shanghai
// wall-clock times.
func parseFissionForm(f fissionForm) (fission.Activity, error) {
	a := fission.Activity{Name: f.Name, Reward: f.Reward, Physical: f.Physical, Target: fission.Target(f.Target), Accounts: f.Accounts,
		GroupChatID: f.GroupChatID, Welcome: strings.TrimSpace(f.Welcome)}
	var err error
	if a.Goal, err = strconv.Atoi(strings.TrimSpace(f.Goal)); err != nil {
		return a, fmt.Errorf("%w: goal: a whole number", siyu.ErrInvalid)
	}
	if a.ClawbackHours, err = strconv.Atoi(strings.TrimSpace(f.Clawback)); err != nil {
		return a, fmt.Errorf("%w: clawback_hours: a whole number of hours", siyu.ErrInvalid)
	}
	if a.StartAt, err = time.ParseInLocation(formTimeLayout, f.Start, siyu.Shanghai); err != nil {
		return a, fmt.Errorf("%w: start_at: a date and time", siyu.ErrInvalid)
	}
	if a.EndAt, err = time.ParseInLocation(formTimeLayout, f.End, siyu.Shanghai); err != nil {
		return a, fmt.Errorf("%w: end_at: a date and time", siyu.ErrInvalid)
	}
	return a, nil
}

func (c *Console) fissionCreate(w http.ResponseWriter, r *http.Request) {
	fs, ok := c.fissionStore(w, r)
	if !ok {
		return
	}
	st := stateFrom(r)
	f := fissionForm{Name: r.PostFormValue("name"), Goal: r.PostFormValue("goal"), Reward: r.PostFormValue("reward"),
		Target: r.PostFormValue("target"), GroupChatID: r.PostFormValue("group_chat_id"), Welcome: r.PostFormValue("welcome"),
		Start: r.PostFormValue("start_at"), End: r.PostFormValue("end_at"), Clawback: r.PostFormValue("clawback_hours"),
		Physical: r.PostFormValue("physical") != "", Accounts: r.PostForm["accounts"]}
	a, err := parseFissionForm(f)
	if err == nil {
		a, err = fs.CreateFissionActivity(r.Context(), st.workspace.ID, a)
	}
	if errors.Is(err, siyu.ErrInvalid) {
		c.showFissionForm(w, r, http.StatusBadRequest, fissionFormData{Form: f, Error: err.Error()})
		return
	}
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	c.fissionAudit(r, fs, "fission.create", "fission:"+strconv.FormatInt(a.ID, 10), a.Name)
	http.Redirect(w, r, "/fission/"+strconv.FormatInt(a.ID, 10), http.StatusSeeOther)
}

func (c *Console) fissionAudit(r *http.Request, fs FissionStore, action, target, detail string) {
	st := stateFrom(r)
	if err := fs.Audit(r.Context(), st.workspace.ID, store.AuditEntry{UserID: st.user.ID, Actor: st.user.Login, Action: action, Target: target, Detail: detail}); err != nil {
		c.log.ErrorContext(r.Context(), "audit", "action", action, "err", err)
	}
}

type fissionParticipantRow struct {
	fission.Participant
	Depth  int
	Reward string // its reward's status, if any
}

type fissionActivityData struct {
	Activity  fission.Activity
	Metrics   fission.Metrics
	Rows      []fissionParticipantRow
	Flagged   []fissionParticipantRow
	Invites   []fission.Invite
	Chart     *fission.Node // the tree, as JSON for fission.js
	CanJoin   bool
	JoinError string
}

func (c *Console) fissionPage(w http.ResponseWriter, r *http.Request) {
	c.showFissionPage(w, r, http.StatusOK, "")
}

func (c *Console) showFissionPage(w http.ResponseWriter, r *http.Request, status int, joinError string) {
	fs, ok := c.fissionStore(w, r)
	if !ok {
		return
	}
	id, ok := parseID(r.PathValue("id"))
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	snap, err := fs.FissionSnapshot(r.Context(), stateFrom(r).workspace.ID, id)
	if errors.Is(err, siyu.ErrNotFound) {
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	o := fission.Evaluate(snap)
	depths := fission.Depths(snap, fission.Parents(snap, o))
	rewards := map[int64]string{}
	for _, rw := range snap.Rewards {
		rewards[rw.ParticipantID] = rw.Status
	}
	d := fissionActivityData{Activity: snap.Activity, Metrics: fission.Measure(snap, o), CanJoin: c.codes != nil, JoinError: joinError}
	for _, p := range snap.Participants {
		st := o.Participants[p.ID]
		p.Invites, p.Counted, p.Flags = st.Invites, st.Counted, st.Flags
		row := fissionParticipantRow{Participant: p, Depth: depths[p.ID], Reward: rewards[p.ID]}
		d.Rows = append(d.Rows, row)
		if len(p.Flags) > 0 {
			d.Flagged = append(d.Flagged, row)
		}
	}
	for _, inv := range snap.Invites {
		v := o.Invites[inv.ID]
		inv.Status, inv.Reasons = v.Status, v.Reasons
		d.Invites = append(d.Invites, inv)
	}
	d.Chart = fission.Tree(snap, o, fissionTreeChildren)
	c.render(w, r, status, "fission_activity", c.newView(r, "fission.activity_title", "fission", d))
}

func (c *Console) fissionEvaluate(w http.ResponseWriter, r *http.Request) {
	fs, ok := c.fissionStore(w, r)
	if !ok {
		return
	}
	id, ok := parseID(r.PathValue("id"))
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	if _, _, err := fs.EvaluateFission(r.Context(), stateFrom(r).workspace.ID, id); err != nil {
		if errors.Is(err, siyu.ErrNotFound) {
			c.errorPage(w, r, http.StatusNotFound, "error.not_found")
			return
		}
		c.internalError(w, r, err)
		return
	}
	http.Redirect(w, r, "/fission/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (c *Console) fissionJoin(w http.ResponseWriter, r *http.Request) {
	fs, ok := c.fissionStore(w, r)
	if !ok {
		return
	}
	id, ok := parseID(r.PathValue("id"))
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	customer, ok := parseID(strings.TrimPrefix(strings.TrimSpace(r.PostFormValue("customer_id")), "#"))
	if !ok {
		c.showFissionPage(w, r, http.StatusBadRequest, "customer_id: "+r.PostFormValue("customer_id"))
		return
	}
	if c.codes == nil {
		c.showFissionPage(w, r, http.StatusConflict, "WeCom")
		return
	}
	st := stateFrom(r)
	p, err := fission.Join(r.Context(), fs, c.codes, st.workspace.ID, id, customer, time.Now())
	switch {
	case errors.Is(err, siyu.ErrInvalid), errors.Is(err, siyu.ErrConflict), errors.Is(err, siyu.ErrNotFound):
		c.showFissionPage(w, r, http.StatusBadRequest, err.Error())
		return
	case err != nil:
		c.log.ErrorContext(r.Context(), "fission join failed", "workspace", st.workspace.ID, "err", err)
		c.showFissionPage(w, r, http.StatusBadGateway, err.Error())
		return
	}
	c.fissionAudit(r, fs, "fission.join", "customer:"+strconv.FormatInt(p.CustomerID, 10), "activity "+strconv.FormatInt(id, 10)+" code "+p.Code)
	http.Redirect(w, r, "/fission/"+strconv.FormatInt(id, 10)+"#participants", http.StatusSeeOther)
}

// fissionPoster serves a participant's poster. The QR image is WeCom's, so
// this one response may load images over https.
func (c *Console) fissionPoster(w http.ResponseWriter, r *http.Request) {
	fs, ok := c.fissionStore(w, r)
	if !ok {
		return
	}
	id, ok := parseID(r.PathValue("id"))
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	ws := stateFrom(r).workspace.ID
	p, err := fs.FissionParticipant(r.Context(), ws, id)
	if err == nil {
		var a fission.Activity
		if a, err = fs.FissionActivity(r.Context(), ws, p.ActivityID); err == nil {
			svg := fission.Poster(fission.PosterInput{Activity: a.Name, Reward: a.Reward, Goal: a.Goal, Inviter: p.CustomerName, QRCode: p.QRCode, Code: p.Code, Lang: stateFrom(r).sess.Lang})
			h := w.Header()
			h.Set("Content-Security-Policy", "default-src 'none'; img-src https: data:; style-src 'unsafe-inline'")
			h.Set("Content-Type", "image/svg+xml")
			h.Set("Cache-Control", "no-store")
			w.Write(svg)
			return
		}
	}
	if errors.Is(err, siyu.ErrNotFound) {
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	c.internalError(w, r, err)
}
