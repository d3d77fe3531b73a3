package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/segment"
	"siyu.dev/siyu/store"
)

// segmentStore is what the segment endpoints need of the store. *store.Store
// has it; a store without it answers 404 on these endpoints.
type segmentStore interface {
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

// segmentAuditor is the audit trail, when the store keeps one.
type segmentAuditor interface {
	Audit(ctx context.Context, workspaceID int64, e store.AuditEntry) error
}

// segmentRoutes registers the segment endpoints.
func (a *api) segmentRoutes(route func(method, path string, h handlerFunc)) {
	route("GET", "/api/v1/segments", a.listSegments)
	route("POST", "/api/v1/segments", writer(a.createSegment))
	route("POST", "/api/v1/segments/preview", a.previewSegment) // reads only
	route("GET", "/api/v1/segments/{id}", a.getSegment)
	route("PUT", "/api/v1/segments/{id}", writer(a.updateSegment))
	route("DELETE", "/api/v1/segments/{id}", writer(a.deleteSegment))
	route("POST", "/api/v1/segments/{id}/refresh", writer(a.refreshSegment))
	route("GET", "/api/v1/segments/{id}/members", a.segmentMembers)
}

func (a *api) segmentStore() (segmentStore, error) {
	s, ok := a.store.(segmentStore)
	if !ok {
		return nil, notFound("segments are not available")
	}
	return s, nil
}

// PreviewSampleSize is how many matching customers a preview shows.
const PreviewSampleSize = 10

// segmentInput is the body of POST and PUT /api/v1/segments.
type segmentInput struct {
	Name string `json:"name"`
	Rule string `json:"rule"`
	Tag  string `json:"tag"`
}

// ruleError is a rule that does not parse, with where: answered as
//
//	{"error":{"code":"invalid_rule","field":"rule","message":"...","line":1,"column":7}}
type ruleError struct {
	Code    string `json:"code"`
	Field   string `json:"field"`
	Message string `json:"message"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
}

// writeRuleError answers a rule error with its position and reports true,
// or reports false when err is not one.
func writeRuleError(w http.ResponseWriter, err error) bool {
	var pe *segment.Error
	if !errors.As(err, &pe) {
		return false
	}
	writeJSON(w, http.StatusUnprocessableEntity, struct {
		Error ruleError `json:"error"`
	}{ruleError{Code: "invalid_rule", Field: "rule", Message: pe.Error(), Line: pe.Pos.Line, Column: pe.Pos.Col}})
	return true
}

func decodeSegmentInput(w http.ResponseWriter, r *http.Request, dst any) error {
	body, err := readJSONBody(w, r)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return badRequest("malformed_json", "", "segment: %v", err)
	}
	return nil
}

func (a *api) segmentAudit(r *http.Request, action, target, detail string) {
	au, ok := a.store.(segmentAuditor)
	if !ok {
		return
	}
	tok := tokenFrom(r.Context())
	if err := au.Audit(r.Context(), tok.WorkspaceID, store.AuditEntry{Actor: "api:" + tok.Name + " (" + tok.Prefix + ")",
		Action: action, Target: target, Detail: detail}); err != nil {
		a.log.ErrorContext(r.Context(), "audit", "action", action, "err", err)
	}
}

func (a *api) listSegments(w http.ResponseWriter, r *http.Request) error {
	ss, err := a.segmentStore()
	if err != nil {
		return err
	}
	list, err := ss.Segments(r.Context(), tokenFrom(r.Context()).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"segments": list})
	return nil
}

func (a *api) getSegment(w http.ResponseWriter, r *http.Request) error {
	ss, err := a.segmentStore()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	g, err := ss.Segment(r.Context(), tokenFrom(r.Context()).WorkspaceID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

func (a *api) createSegment(w http.ResponseWriter, r *http.Request) error {
	ss, err := a.segmentStore()
	if err != nil {
		return err
	}
	var in segmentInput
	if err := decodeSegmentInput(w, r, &in); err != nil {
		return err
	}
	g, err := ss.CreateSegment(r.Context(), tokenFrom(r.Context()).WorkspaceID, store.Segment{Name: in.Name, Rule: in.Rule, Tag: in.Tag})
	if writeRuleError(w, err) {
		return nil
	}
	if err != nil {
		return err
	}
	a.segmentAudit(r, "segment.create", "segment:"+strconv.FormatInt(g.ID, 10), g.Name)
	writeJSON(w, http.StatusCreated, g)
	return nil
}

func (a *api) updateSegment(w http.ResponseWriter, r *http.Request) error {
	ss, err := a.segmentStore()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	var in segmentInput
	if err := decodeSegmentInput(w, r, &in); err != nil {
		return err
	}
	g, err := ss.UpdateSegment(r.Context(), tokenFrom(r.Context()).WorkspaceID, store.Segment{ID: id, Name: in.Name, Rule: in.Rule, Tag: in.Tag})
	if writeRuleError(w, err) {
		return nil
	}
	if err != nil {
		return err
	}
	a.segmentAudit(r, "segment.update", "segment:"+strconv.FormatInt(g.ID, 10), g.Name)
	writeJSON(w, http.StatusOK, g)
	return nil
}

func (a *api) deleteSegment(w http.ResponseWriter, r *http.Request) error {
	ss, err := a.segmentStore()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	if err := ss.DeleteSegment(r.Context(), tokenFrom(r.Context()).WorkspaceID, id); err != nil {
		return err
	}
	a.segmentAudit(r, "segment.delete", "segment:"+strconv.FormatInt(id, 10), "")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// refreshSegment recomputes the members now rather than at the worker's
// next pass.
func (a *api) refreshSegment(w http.ResponseWriter, r *http.Request) error {
	ss, err := a.segmentStore()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	res, err := ss.RefreshSegment(r.Context(), tokenFrom(r.Context()).WorkspaceID, id)
	if errors.Is(err, siyu.ErrConflict) {
		return &apiError{Status: http.StatusConflict, Code: "refresh_running", Message: "a refresh of this segment is running; try again when it ends"}
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// previewSegment counts and samples the customers an unsaved rule selects.
func (a *api) previewSegment(w http.ResponseWriter, r *http.Request) error {
	ss, err := a.segmentStore()
	if err != nil {
		return err
	}
	var in struct {
		Rule string `json:"rule"`
	}
	if err := decodeSegmentInput(w, r, &in); err != nil {
		return err
	}
	rule, err := segment.Parse(in.Rule)
	if writeRuleError(w, err) {
		return nil
	}
	if err != nil {
		return err
	}
	ws, now := tokenFrom(r.Context()).WorkspaceID, time.Now()
	n, err := ss.CountRule(r.Context(), ws, rule, now)
	if err != nil {
		return err
	}
	sample, err := ss.SampleRule(r.Context(), ws, rule, now, PreviewSampleSize)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": n, "sample": sample})
	return nil
}

func (a *api) segmentMembers(w http.ResponseWriter, r *http.Request) error {
	ss, err := a.segmentStore()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", DefaultPageLimit, 1, MaxPageLimit)
	if err != nil {
		return err
	}
	offset, err := intParam(r, "offset", 0, 0, 1<<31-1)
	if err != nil {
		return err
	}
	page, total, err := ss.SegmentMemberPage(r.Context(), tokenFrom(r.Context()).WorkspaceID, id, limit, offset)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"members": page, "total": total, "limit": limit, "offset": offset})
	return nil
}
