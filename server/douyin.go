package server

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/douyinsync"
)

// douyinServices holds each Server's Douyin pipeline, made on first use.
var douyinServices sync.Map // *Server -> *douyinsync.Service

// Douyin is the Douyin comment-mining pipeline; it makes channel codes
// through the WeCom integration.
func (s *Server) Douyin() *douyinsync.Service {
	if v, ok := douyinServices.Load(s); ok {
		return v.(*douyinsync.Service)
	}
	v, _ := douyinServices.LoadOrStore(s, douyinsync.New(s.cfg.Store, douyinsync.Options{Codes: s.wecom, Logger: s.cfg.Logger}))
	return v.(*douyinsync.Service)
}

// douyinWebhook routes Douyin's webhooks to the receiver of the workspace
// named in the path: /douyin/webhook/{workspace slug}.
func (s *Server) douyinWebhook(w http.ResponseWriter, r *http.Request) {
	ws, err := s.cfg.Store.WorkspaceBySlug(r.Context(), r.PathValue("workspace"))
	if errors.Is(err, siyu.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	h, err := s.Douyin().Receiver(r.Context(), ws.ID)
	if errors.Is(err, douyinsync.ErrNotConfigured) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.cfg.Logger.Error("douyin receiver", "workspace", ws.Slug, "err", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	h.ServeHTTP(w, r)
}

// douyinRefreshInterval is how often fans and conversions are read.
const douyinRefreshInterval = 5 * time.Minute

// runDouyinRefresh reads every configured workspace's fans list and
// conversions until ctx ends.
func (s *Server) runDouyinRefresh(ctx context.Context) {
	t := time.NewTicker(douyinRefreshInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ids, err := s.cfg.Store.DouyinWorkspaces(ctx)
		if err != nil {
			s.cfg.Logger.Error("douyin refresh", "err", err)
			continue
		}
		for _, ws := range ids {
			if res, err := s.Douyin().Refresh(ctx, ws); err != nil {
				s.cfg.Logger.Warn("douyin refresh", "workspace", ws, "err", err)
			} else if res.Followed+res.Conversions > 0 {
				s.cfg.Logger.Info("douyin refresh", "workspace", ws, "followed", res.Followed, "conversions", res.Conversions)
			}
		}
	}
}
