package server

import (
	"errors"
	"net/http"

	"siyu.dev/siyu"
	"siyu.dev/siyu/wecomsync"
)

// wecomCallback routes WeCom's callbacks to the receiver of the workspace
// named in the path: /wecom/callback/{workspace slug}. The URL is what the
// admin enters in the WeCom app's settings.
func (s *Server) wecomCallback(w http.ResponseWriter, r *http.Request) {
	ws, err := s.cfg.Store.WorkspaceBySlug(r.Context(), r.PathValue("workspace"))
	if errors.Is(err, siyu.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	h, err := s.wecom.Receiver(r.Context(), ws.ID)
	if errors.Is(err, wecomsync.ErrNotConfigured) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.cfg.Logger.Error("wecom receiver", "workspace", ws.Slug, "err", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	h.ServeHTTP(w, r)
}
