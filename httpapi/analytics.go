package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/analytics"
	"siyu.dev/siyu/analytics/lifecycle"
	"siyu.dev/siyu/analytics/rfm"
)

// Analytics is what the API needs of the analytics service.
type Analytics interface {
	Latest(ctx context.Context, workspaceID int64) (*analytics.Snapshot, error)
	Refresh(ctx context.Context, workspaceID int64) (*analytics.Snapshot, error)
	TopRFM(ctx context.Context, workspaceID int64, n int) ([]rfm.Result, error)
	LifecycleFlows(ctx context.Context, workspaceID int64, r lifecycle.Range) (*lifecycle.Flow, error)
}

// lifecycleFlows is the lifecycle flows over a chosen range, by day, week
// or month, with every stage transition listed: ?period=day|week|month
// (default day), from and to as YYYY-MM-DD in Asia/Shanghai (default the
// 30 days up to today).
func (a *api) lifecycleFlows(w http.ResponseWriter, r *http.Request) error {
	if a.analytics == nil {
		return notFound("analytics are not available")
	}
	q := r.URL.Query()
	rng, err := lifecycle.ParseRange(q.Get("period"), q.Get("from"), q.Get("to"), rfm.DayOf(time.Now()))
	var bad *lifecycle.RangeError
	if errors.As(err, &bad) {
		msg := bad.Field + " must be a date, YYYY-MM-DD"
		if bad.Field == "period" {
			msg = "period must be day, week or month"
		}
		return &apiError{Status: http.StatusBadRequest, Code: "invalid_parameter", Field: bad.Field, Message: msg}
	}
	if rng.To < rng.From {
		return &apiError{Status: http.StatusBadRequest, Code: "invalid_parameter", Field: "to", Message: "to must not be before from"}
	}
	if rng.To-rng.From >= maxFlowDays {
		return &apiError{Status: http.StatusBadRequest, Code: "invalid_parameter", Field: "from", Message: fmt.Sprintf("the range may cover at most %d days", maxFlowDays)}
	}
	flow, err := a.analytics.LifecycleFlows(r.Context(), tokenFrom(r.Context()).WorkspaceID, rng)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"flow": flow, "transitions": flow.Transitions()})
	return nil
}

// maxFlowDays bounds a flows request: three years of days.
const maxFlowDays = 3 * 366

func (a *api) getAnalytics(w http.ResponseWriter, r *http.Request) error {
	if a.analytics == nil {
		return notFound("analytics are not available")
	}
	snap, err := a.analytics.Latest(r.Context(), tokenFrom(r.Context()).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, snap)
	return nil
}

func (a *api) refreshAnalytics(w http.ResponseWriter, r *http.Request) error {
	if a.analytics == nil {
		return notFound("analytics are not available")
	}
	snap, err := a.analytics.Refresh(r.Context(), tokenFrom(r.Context()).WorkspaceID)
	if errors.Is(err, analytics.ErrRefreshRunning) {
		return &apiError{Status: http.StatusConflict, Code: "refresh_running", Message: err.Error()}
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, snap)
	return nil
}

// topRFM is the ranked list of the best customers, as JSON or as the CSV
// that operators take to WeChat (?format=csv).
func (a *api) topRFM(w http.ResponseWriter, r *http.Request) error {
	if a.analytics == nil {
		return notFound("analytics are not available")
	}
	n := 500
	if v := r.URL.Query().Get("n"); v != "" {
		x, err := strconv.Atoi(v)
		if err != nil || x < 1 || x > 100000 {
			return &apiError{Status: http.StatusBadRequest, Code: "invalid_parameter", Field: "n", Message: "n must be a whole number from 1 to 100000"}
		}
		n = x
	}
	top, err := a.analytics.TopRFM(r.Context(), tokenFrom(r.Context()).WorkspaceID, n)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="rfm-top.csv"`)
		return rfm.WriteCSV(w, top)
	}
	writeJSON(w, http.StatusOK, map[string]any{"customers": top})
	return nil
}

// AnalyticsSettings is what the API needs to read and change a workspace's
// analytics definitions; the analytics service has it.
type AnalyticsSettings interface {
	Settings(ctx context.Context, workspaceID int64) (analytics.Settings, error)
	SetSettings(ctx context.Context, workspaceID int64, s analytics.Settings) error
}

func (a *api) settingsService() (AnalyticsSettings, error) {
	s, ok := a.analytics.(AnalyticsSettings)
	if !ok {
		return nil, notFound("analytics settings are not available")
	}
	return s, nil
}

func (a *api) getAnalyticsSettings(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.settingsService()
	if err != nil {
		return err
	}
	set, err := svc.Settings(r.Context(), tokenFrom(r.Context()).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, set)
	return nil
}

// putAnalyticsSettings replaces the workspace's definitions (admin only);
// the next refresh uses them.
func (a *api) putAnalyticsSettings(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.settingsService()
	if err != nil {
		return err
	}
	body, err := readJSONBody(w, r)
	if err != nil {
		return err
	}
	var set analytics.Settings
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&set); err != nil {
		return badRequest("malformed_json", "", "analytics settings: %v", err)
	}
	if err := svc.SetSettings(r.Context(), tokenFrom(r.Context()).WorkspaceID, set); err != nil {
		if errors.Is(err, siyu.ErrInvalid) {
			return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_settings", Message: err.Error()}
		}
		return err
	}
	a.record(r, "analytics.settings", "", string(body))
	writeJSON(w, http.StatusOK, set)
	return nil
}
