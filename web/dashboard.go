package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"siyu.dev/siyu/analytics"
	"siyu.dev/siyu/analytics/lifecycle"
)

// AnalyticsSource gives the dashboard a workspace's analytics snapshot.
// *analytics.Service satisfies it. Latest returns the stored snapshot
// (computing one if there is none yet); Refresh recomputes it now. A
// snapshot must be of the workspace asked for: the console refuses to show
// one of another workspace.
type AnalyticsSource interface {
	Latest(ctx context.Context, workspaceID int64) (*analytics.Snapshot, error)
	Refresh(ctx context.Context, workspaceID int64) (*analytics.Snapshot, error)
	// LifecycleFlows computes lifecycle flows over any range (the trend
	// card's day, week and month views).
	LifecycleFlows(ctx context.Context, workspaceID int64, r lifecycle.Range) (*lifecycle.Flow, error)
}

func (c *Console) dashboard(w http.ResponseWriter, r *http.Request) {
	st := stateFrom(r)
	v := c.newView(r, "dashboard.title", "dashboard", nil)
	if c.analytics == nil {
		v.Data = dashboardData{Unavailable: true}
		c.render(w, r, http.StatusOK, "dashboard", v)
		return
	}
	snap, err := c.analytics.Latest(r.Context(), st.workspace.ID)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	if snap != nil && snap.WorkspaceID != st.workspace.ID {
		c.internalError(w, r, fmt.Errorf("analytics: got the snapshot of workspace %d for workspace %d", snap.WorkspaceID, st.workspace.ID))
		return
	}
	d := buildDashboard(snap, c.cats[v.Lang])
	d.CanRefresh = st.role.CanWrite()
	if !d.Empty {
		if err := c.trendRange(r, st.workspace.ID, &d, c.cats[v.Lang]); err != nil {
			c.internalError(w, r, err)
			return
		}
	}
	v.Data = d
	if r.URL.Query().Get("refreshed") != "" {
		v.Notice = "dashboard.refreshed"
	}
	if r.URL.Query().Get("running") != "" {
		v.Notice = "dashboard.running"
	}
	c.render(w, r, http.StatusOK, "dashboard", v)
}

// dashboardRefresh recomputes the workspace's snapshot, then shows it. It
// runs within the request: a refresh of a large workspace takes seconds.
func (c *Console) dashboardRefresh(w http.ResponseWriter, r *http.Request) {
	if c.analytics == nil {
		c.errorPage(w, r, http.StatusNotFound, "dashboard.unavailable")
		return
	}
	_, err := c.analytics.Refresh(r.Context(), stateFrom(r).workspace.ID)
	if errors.Is(err, analytics.ErrRefreshRunning) {
		// Someone else's refresh is under way: show theirs when it lands.
		http.Redirect(w, r, "/dashboard?running=1", http.StatusSeeOther)
		return
	}
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	http.Redirect(w, r, "/dashboard?refreshed=1", http.StatusSeeOther)
}
