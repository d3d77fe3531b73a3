package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/segment"
	"siyu.dev/siyu/store"
)

// SegmentStore is what the segment pages need of the store. *store.Store
// has it; with a store that lacks it those pages say so.
type SegmentStore interface {
	Segments(ctx context.Context, workspaceID int64) ([]store.Segment, error)
	Segment(ctx context.Context, workspaceID, id int64) (store.Segment, error)
	CreateSegment(ctx context.Context, workspaceID int64, g store.Segment) (store.Segment, error)
	UpdateSegment(ctx context.Context, workspaceID int64, g store.Segment) (store.Segment, error)
	DeleteSegment(ctx context.Context, workspaceID, id int64) error
	RefreshSegment(ctx context.Context, workspaceID, id int64) (segment.Refresh, error)
	CountRule(ctx context.Context, workspaceID int64, rule *segment.Rule, at time.Time) (int, error)
	SampleRule(ctx context.Context, workspaceID int64, rule *segment.Rule, at time.Time, n int) ([]siyu.Customer, error)
	SegmentMemberPage(ctx context.Context, workspaceID, segmentID int64, limit, offset int) ([]store.SegmentMember, int, error)
}

const (
	segmentMembersPerPage = 50
	segmentSampleSize     = 8
)

func init() {
	addPages(func(cat catalogue) template.FuncMap {
		return template.FuncMap{
			"typeName": func(t segment.Type) string { return cat.optional("segments.type_"+t.String(), t.String()) },
		}
	}, "segments", "segment")
}

func (c *Console) segmentStore(w http.ResponseWriter, r *http.Request) (SegmentStore, bool) {
	ss, ok := c.store.(SegmentStore)
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "segments.unavailable")
	}
	return ss, ok
}

func (c *Console) segmentList(w http.ResponseWriter, r *http.Request) {
	ss, ok := c.segmentStore(w, r)
	if !ok {
		return
	}
	list, err := ss.Segments(r.Context(), stateFrom(r).workspace.ID)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "segments", c.newView(r, "segments.title", "segments", struct{ Segments []store.Segment }{list}))
}

// segmentForm is the create/edit form, refilled after a rejected submit.
type segmentForm struct {
	Name, Rule, Tag string
}

type segmentPageData struct {
	Segment  store.Segment // ID 0: a new segment
	Form     segmentForm
	Error    string // message key
	RuleErr  string // the rule's error, with its line:column
	Members  []store.SegmentMember
	Pager    pageNav
	Examples []string
	Fields   []segment.Field
	Funcs    []segment.Function
}

var segmentExamples = []string{
	`stage == "silent" and monetary >= 500元 and has_tag("护肤")`,
	`count("moment.liked", 30d, "topic", "skincare") >= 3 and not opted_out`,
	`city in ["上海", "杭州"] and created_at >= "2026-01-01"`,
	`is_contact and last_order_at < ago(90d)`,
}

func (c *Console) segmentNew(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.segmentStore(w, r); !ok {
		return
	}
	c.showSegment(w, r, http.StatusOK, segmentPageData{})
}

func (c *Console) showSegment(w http.ResponseWriter, r *http.Request, status int, d segmentPageData) {
	d.Examples, d.Fields, d.Funcs = segmentExamples, segment.Fields, segment.Functions
	title := "segments.new"
	if d.Segment.ID != 0 {
		title = "segments.segment"
	}
	c.render(w, r, status, "segment", c.newView(r, title, "segments", d))
}

func (c *Console) segmentCreate(w http.ResponseWriter, r *http.Request) {
	ss, ok := c.segmentStore(w, r)
	if !ok {
		return
	}
	f := segmentForm{Name: r.PostFormValue("name"), Rule: r.PostFormValue("rule"), Tag: r.PostFormValue("tag")}
	g, err := ss.CreateSegment(r.Context(), stateFrom(r).workspace.ID, store.Segment{Name: f.Name, Rule: f.Rule, Tag: f.Tag})
	if c.segmentFormError(w, r, segmentPageData{Form: f}, err) {
		return
	}
	c.auditSegment(r, "segment.create", g)
	http.Redirect(w, r, "/segments/"+strconv.FormatInt(g.ID, 10), http.StatusSeeOther)
}

// segmentFormError shows the form again for a rejected segment and reports
// true, or reports false when err is nil.
func (c *Console) segmentFormError(w http.ResponseWriter, r *http.Request, d segmentPageData, err error) bool {
	if err == nil {
		return false
	}
	var pe *segment.Error
	var re siyu.RowError
	switch {
	case errors.As(err, &pe):
		d.Error, d.RuleErr = "segments.bad_rule", pe.Error()
	case errors.As(err, &re):
		d.Error = "segments.bad_" + re.Field
	case errors.Is(err, siyu.ErrConflict):
		d.Error = "segments.duplicate"
	case errors.Is(err, siyu.ErrNotFound):
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return true
	default:
		c.internalError(w, r, err)
		return true
	}
	c.showSegment(w, r, http.StatusUnprocessableEntity, d)
	return true
}

// segmentOf loads the segment named in the path, answering 404 itself.
func (c *Console) segmentOf(w http.ResponseWriter, r *http.Request) (SegmentStore, store.Segment, bool) {
	ss, ok := c.segmentStore(w, r)
	if !ok {
		return nil, store.Segment{}, false
	}
	id, ok := parseID(r.PathValue("id"))
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return nil, store.Segment{}, false
	}
	g, err := ss.Segment(r.Context(), stateFrom(r).workspace.ID, id)
	if errors.Is(err, siyu.ErrNotFound) {
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return nil, store.Segment{}, false
	}
	if err != nil {
		c.internalError(w, r, err)
		return nil, store.Segment{}, false
	}
	return ss, g, true
}

func (c *Console) segmentPage(w http.ResponseWriter, r *http.Request) {
	ss, g, ok := c.segmentOf(w, r)
	if !ok {
		return
	}
	page := pageParam(r)
	members, total, err := ss.SegmentMemberPage(r.Context(), g.WorkspaceID, g.ID, segmentMembersPerPage, (page-1)*segmentMembersPerPage)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	self := "/segments/" + strconv.FormatInt(g.ID, 10)
	d := segmentPageData{Segment: g, Form: segmentForm{Name: g.Name, Rule: g.Rule, Tag: g.Tag}, Members: members,
		Pager: newPageNav(page, segmentMembersPerPage, total, len(members), func(p int) string {
			return self + "?page=" + strconv.Itoa(p) + "#members"
		})}
	c.showSegment(w, r, http.StatusOK, d)
}

func (c *Console) segmentUpdate(w http.ResponseWriter, r *http.Request) {
	ss, g, ok := c.segmentOf(w, r)
	if !ok {
		return
	}
	f := segmentForm{Name: r.PostFormValue("name"), Rule: r.PostFormValue("rule"), Tag: r.PostFormValue("tag")}
	updated, err := ss.UpdateSegment(r.Context(), g.WorkspaceID, store.Segment{ID: g.ID, Name: f.Name, Rule: f.Rule, Tag: f.Tag})
	if c.segmentFormError(w, r, segmentPageData{Segment: g, Form: f}, err) {
		return
	}
	c.auditSegment(r, "segment.update", updated)
	http.Redirect(w, r, "/segments/"+strconv.FormatInt(g.ID, 10), http.StatusSeeOther)
}

func (c *Console) segmentRefresh(w http.ResponseWriter, r *http.Request) {
	ss, g, ok := c.segmentOf(w, r)
	if !ok {
		return
	}
	_, err := ss.RefreshSegment(r.Context(), g.WorkspaceID, g.ID)
	if errors.Is(err, siyu.ErrConflict) {
		c.errorPage(w, r, http.StatusConflict, "segments.refresh_running")
		return
	}
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	http.Redirect(w, r, "/segments/"+strconv.FormatInt(g.ID, 10), http.StatusSeeOther)
}

func (c *Console) segmentDelete(w http.ResponseWriter, r *http.Request) {
	ss, g, ok := c.segmentOf(w, r)
	if !ok {
		return
	}
	if err := ss.DeleteSegment(r.Context(), g.WorkspaceID, g.ID); err != nil {
		c.internalError(w, r, err)
		return
	}
	c.auditSegment(r, "segment.delete", g)
	http.Redirect(w, r, "/segments", http.StatusSeeOther)
}

// segmentPreviewJSON is the answer of POST /segments/preview.
type segmentPreviewJSON struct {
	Count  int                  `json:"count"`
	Sample []segmentSampleJSON  `json:"sample"`
	Error  *segmentRuleErrorOut `json:"error,omitempty"`
}

type segmentSampleJSON struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	City      string `json:"city"`
	TotalPaid string `json:"total_paid"`
}

type segmentRuleErrorOut struct {
	Message string `json:"message"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
}

// segmentPreview counts and samples the rule in the form as the user types
// (segments.js posts it, with the CSRF token in a header).
func (c *Console) segmentPreview(w http.ResponseWriter, r *http.Request) {
	ss, ok := c.segmentStore(w, r)
	if !ok {
		return
	}
	out := segmentPreviewJSON{Sample: []segmentSampleJSON{}}
	status := http.StatusOK
	rule, err := segment.Parse(r.PostFormValue("rule"))
	var pe *segment.Error
	switch {
	case errors.As(err, &pe):
		// A rule being typed is wrong most of the time: that is the
		// preview's answer (shown where the count goes), not a failed
		// request. The API's preview answers 422 instead.
		out.Error = &segmentRuleErrorOut{Message: pe.Error(), Line: pe.Pos.Line, Column: pe.Pos.Col}
	case err != nil:
		c.internalError(w, r, err)
		return
	default:
		ws, now := stateFrom(r).workspace.ID, time.Now()
		if out.Count, err = ss.CountRule(r.Context(), ws, rule, now); err != nil {
			c.internalError(w, r, err)
			return
		}
		sample, err := ss.SampleRule(r.Context(), ws, rule, now, segmentSampleSize)
		if err != nil {
			c.internalError(w, r, err)
			return
		}
		for _, s := range sample {
			out.Sample = append(out.Sample, segmentSampleJSON{ID: s.ID, Name: s.Name, City: s.City, TotalPaid: formatMoney(s.TotalPaid)})
		}
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(out); err != nil {
		c.internalError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// auditSegment records a console change of a segment, when the store keeps
// an audit trail.
func (c *Console) auditSegment(r *http.Request, action string, g store.Segment) {
	au, ok := c.store.(interface {
		Audit(ctx context.Context, workspaceID int64, e store.AuditEntry) error
	})
	if !ok {
		return
	}
	st := stateFrom(r)
	err := au.Audit(r.Context(), st.workspace.ID, store.AuditEntry{UserID: st.user.ID, Actor: st.user.Login, Action: action,
		Target: fmt.Sprintf("segment:%d", g.ID), Detail: g.Name})
	if err != nil {
		c.log.ErrorContext(r.Context(), "audit", "action", action, "err", err)
	}
}
