package server

import (
	"context"
	"fmt"

	"siyu.dev/siyu"
	"siyu.dev/siyu/dispatch"
	"siyu.dev/siyu/policy"
)

// dispatchOptions are the send queue's settings in serve: the reach policy
// admits every send right before its WeCom task is created.
func (s *Server) dispatchOptions() dispatch.Options {
	return dispatch.Options{Logger: s.cfg.Logger, Gate: policy.New(s.cfg.Store), OnSubmitted: s.confirmOnPhone}
}

// confirmOnPhone turns a created WeCom mass-message task into work for the
// account's operators: WeCom sends nothing until the member confirms it on
// the phone. The ref makes a re-reported task one task.
func (s *Server) confirmOnPhone(ctx context.Context, ws, accountID int64, sender, msgid string, recipients int) {
	_, err := s.cfg.Store.CreateTask(ctx, ws, siyu.Task{
		Kind:      siyu.TaskConfirmMassSend,
		Title:     fmt.Sprintf("在企业微信上确认群发（%s，%d 人）", sender, recipients),
		Detail:    "msgid " + msgid,
		AccountID: accountID,
		Ref:       "mass_send:" + msgid + ":" + sender,
	})
	if err != nil {
		s.cfg.Logger.Error("confirm task", "workspace", ws, "msgid", msgid, "err", err)
	}
}

// runDispatch works the durable send queue until ctx ends: deliveries that
// campaigns and journeys enqueued become WeCom mass-message tasks, and their
// results come back. Every node may run it; jobs are leased one at a time.
func (s *Server) runDispatch(ctx context.Context) {
	d := dispatch.New(s.cfg.Store, s.wecom, s.dispatchOptions())
	if err := d.Run(ctx); err != nil {
		s.cfg.Logger.Error("dispatch worker stopped", "err", err)
	}
}
