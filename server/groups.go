package server

import (
	"context"
	"time"

	"siyu.dev/siyu/dispatch"
	"siyu.dev/siyu/groups"
)

// groupService runs campaign groups: join QRs and rollover through WeCom,
// scheduled group messages through the send queue.
func (s *Server) groupService() *groups.Service {
	return groups.New(s.cfg.Store, s.wecom, dispatch.New(s.cfg.Store, s.wecom, s.dispatchOptions()))
}

// runGroups keeps every workspace's group activities moving: adopts the
// groups WeCom created, keeps the join QR on groups with room and queues
// the group messages that are due.
func (s *Server) runGroups(ctx context.Context) {
	s.groupService().Run(ctx, time.Minute, func(ws int64, err error) {
		s.cfg.Logger.Error("campaign groups", "workspace", ws, "err", err)
	})
}
