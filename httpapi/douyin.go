package httpapi

import (
	"context"
	"net/http"
	"time"

	"siyu.dev/siyu/store"
)

// douyinStore is what the Douyin endpoints need of the store. *store.Store
// has it; a store without it answers 404 on these endpoints.
type douyinStore interface {
	DouyinMetrics(ctx context.Context, workspaceID int64, since time.Time) (store.DouyinMetrics, error)
	DouyinIntents(ctx context.Context, workspaceID int64, limit int) ([]store.DouyinComment, error)
}

// douyinRoutes registers the Douyin comment-mining endpoints.
func (a *api) douyinRoutes(route func(method, path string, h handlerFunc)) {
	route("GET", "/api/v1/douyin/metrics", a.douyinMetrics)
	route("GET", "/api/v1/douyin/intents", a.douyinIntents)
}

func (a *api) douyin() (douyinStore, error) {
	ds, ok := a.store.(douyinStore)
	if !ok {
		return nil, notFound("douyin is not available")
	}
	return ds, nil
}

// douyinMetrics is the comment-mining funnel per intent rule over the last
// ?days (default 30): reply rate and latency, follow-back, success to WeChat.
func (a *api) douyinMetrics(w http.ResponseWriter, r *http.Request) error {
	ds, err := a.douyin()
	if err != nil {
		return err
	}
	days, err := intParam(r, "days", 30, 1, 366)
	if err != nil {
		return err
	}
	m, err := ds.DouyinMetrics(r.Context(), tokenFrom(r.Context()).WorkspaceID, time.Now().AddDate(0, 0, -days))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// douyinIntents lists the most recent intent comments (?limit, default 50).
func (a *api) douyinIntents(w http.ResponseWriter, r *http.Request) error {
	ds, err := a.douyin()
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", 50, 1, 500)
	if err != nil {
		return err
	}
	list, err := ds.DouyinIntents(r.Context(), tokenFrom(r.Context()).WorkspaceID, limit)
	if err != nil {
		return err
	}
	if list == nil {
		list = []store.DouyinComment{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"intents": list})
	return nil
}
