package dispatch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/wecom"
)

// runBatch takes a batch one step on from wherever the store says it is:
// pending → admitted and marked submitting → submitted. A batch found
// submitting was marked by an attempt that did not finish; whether WeCom
// created its task is unknown, so it is reconciled before anything is sent.
func (d *Dispatcher) runBatch(ctx context.Context, ws, id int64) error {
	b, err := d.st.SendBatch(ctx, ws, id)
	if err != nil {
		return err
	}
	switch b.Status {
	case store.BatchPending:
		return d.admitAndSubmit(ctx, b)
	case store.BatchSubmitting:
		return d.reconcile(ctx, b)
	}
	return nil // submitted, done or failed: nothing left for this job
}

func (d *Dispatcher) admitAndSubmit(ctx context.Context, b store.SendBatch) error {
	sends, err := d.st.BatchSends(ctx, b.WorkspaceID, b.ID, store.SendQueued)
	if err != nil {
		return err
	}
	if len(sends) == 0 {
		return d.st.FinishBatch(ctx, b.WorkspaceID, b.ID, store.BatchPending, store.BatchDone, nil)
	}
	ds := make([]siyu.Delivery, len(sends))
	for i, s := range sends {
		ds[i] = s.Delivery
	}
	now := d.now()
	admitted, skipped := ds, []siyu.Skip(nil)
	if d.opt.Gate != nil {
		if admitted, skipped, err = d.opt.Gate.Admit(ctx, b.WorkspaceID, ds, now); err != nil {
			return fmt.Errorf("policy: %w", err)
		}
	}
	keys := make([]string, len(admitted))
	for i, a := range admitted {
		keys[i] = a.Key
	}
	n, err := d.st.MarkBatchSubmitting(ctx, b.WorkspaceID, b.ID, keys, skipped, now, func(at time.Time) store.NewJob {
		return planJob(at, "retry")
	})
	if err != nil {
		return err
	}
	if len(skipped) > 0 {
		d.log.Info("dispatch: policy skipped sends", "workspace", b.WorkspaceID, "batch", b.ID, "skipped", len(skipped), "admitted", n)
	}
	if n == 0 {
		return nil
	}
	if d.opt.AfterMark != nil {
		d.opt.AfterMark(b.ID)
	}
	b.Status, b.SubmittingAt = store.BatchSubmitting, now
	return d.submit(ctx, b)
}

// request builds the add_msg_template call for a batch's submitting sends.
func request(b store.SendBatch, sends []store.Send) wecom.AddMsgTemplateRequest {
	text, atts := template(b.Message)
	req := wecom.AddMsgTemplateRequest{Sender: b.Sender, Text: text, Attachments: atts}
	if b.Channel == siyu.ReachGroup {
		req.ChatType = wecom.ChatTypeGroup
		for _, s := range sends {
			req.ChatIDList = append(req.ChatIDList, s.ChatID)
		}
	} else {
		req.ChatType = wecom.ChatTypeSingle
		for _, s := range sends {
			req.ExternalUserID = append(req.ExternalUserID, s.ExternalUserID)
		}
	}
	return req
}

// submit creates the WeCom task of a batch marked submitting.
func (d *Dispatcher) submit(ctx context.Context, b store.SendBatch) error {
	sends, err := d.st.BatchSends(ctx, b.WorkspaceID, b.ID, store.SendSubmitting)
	if err != nil {
		return err
	}
	if len(sends) == 0 {
		return d.st.FinishBatch(ctx, b.WorkspaceID, b.ID, store.BatchSubmitting, store.BatchDone, nil)
	}
	client, err := d.client(ctx, b.WorkspaceID)
	if err != nil {
		return err
	}
	req := request(b, sends)
	resp, err := client.AddMsgTemplate(ctx, req)
	if err != nil {
		if wecom.ErrorCode(err) == wecom.ErrCodeNoCustomerToSend {
			// None of them is the sender's customer any more.
			return d.recordSubmitted(ctx, b, "", recipients(req), len(sends))
		}
		var apiErr *wecom.APIError
		if errors.As(err, &apiErr) || errors.Is(err, siyu.ErrInvalid) {
			// WeCom (or the client, before sending) refused: no task
			// exists, so the batch may simply be tried again.
			if rerr := d.st.ReleaseBatch(context.WithoutCancel(ctx), b.WorkspaceID, b.ID, err); rerr != nil {
				return errors.Join(err, rerr)
			}
		}
		// Otherwise (no answer) the task may exist: the batch stays
		// submitting and the next attempt reconciles.
		return fmt.Errorf("add_msg_template for batch %d: %w", b.ID, err)
	}
	if d.opt.AfterSubmit != nil {
		d.opt.AfterSubmit(b.ID, resp.MsgID)
	}
	return d.recordSubmitted(ctx, b, resp.MsgID, resp.FailList, len(sends))
}

func recipients(req wecom.AddMsgTemplateRequest) []string {
	if req.ChatType == wecom.ChatTypeGroup {
		return req.ChatIDList
	}
	return req.ExternalUserID
}

// recordSubmitted stores the task's msgid (empty: nobody could be sent to)
// and schedules its result polls.
func (d *Dispatcher) recordSubmitted(ctx context.Context, b store.SendBatch, msgID string, failList []string, total int) error {
	ctx = context.WithoutCancel(ctx) // WeCom has the task: record it whatever happens
	if msgID == "" {
		if err := d.st.BatchSubmitted(ctx, b.WorkspaceID, b.ID, "", failList); err != nil {
			return err
		}
		return d.st.FinishBatch(ctx, b.WorkspaceID, b.ID, store.BatchSubmitted, store.BatchDone, nil)
	}
	if err := d.st.BatchSubmitted(ctx, b.WorkspaceID, b.ID, msgID, failList, batchJob(KindPoll, b.ID, d.now().Add(d.opt.PollEvery))); err != nil {
		return err
	}
	d.log.Info("dispatch: mass message created", "workspace", b.WorkspaceID, "batch", b.ID, "sender", b.Sender, "msgid", msgID,
		"recipients", total-len(failList), "not_friends", len(failList))
	if d.opt.OnSubmitted != nil {
		d.opt.OnSubmitted(ctx, b.WorkspaceID, b.AccountID, b.Sender, msgID, total-len(failList))
	}
	return nil
}

func (d *Dispatcher) client(ctx context.Context, ws int64) (*wecom.Client, error) {
	if d.clients == nil {
		return nil, errors.New("dispatch: no WeCom clients configured")
	}
	c, _, err := d.clients.Client(ctx, ws)
	return c, err
}

// distributing turns WeCom's 41063 (a message created moments ago is still
// being dispatched, so lists and results are not ready) into a wait.
func (d *Dispatcher) distributing(err error) error {
	if wecom.ErrorCode(err) == wecom.ErrCodeGroupMsgDistributing {
		return snooze{until: d.now().Add(d.opt.DistributingWait), reason: "WeCom is still dispatching a new mass message (41063)"}
	}
	return err
}

// reconcile settles a batch left submitting by an attempt that stopped
// between the mark and the record. WeCom has no idempotency key, so it looks
// for the task itself: the mass messages of the batch's chat type created
// since the mark, with our text, with a task for our sender, whose
// recipients are all this batch's and which no other batch owns. If one
// exists it is adopted; if none does, the batch is submitted now.
func (d *Dispatcher) reconcile(ctx context.Context, b store.SendBatch) error {
	sends, err := d.st.BatchSends(ctx, b.WorkspaceID, b.ID, store.SendSubmitting)
	if err != nil {
		return err
	}
	if len(sends) == 0 {
		return d.st.FinishBatch(ctx, b.WorkspaceID, b.ID, store.BatchSubmitting, store.BatchDone, nil)
	}
	client, err := d.client(ctx, b.WorkspaceID)
	if err != nil {
		return err
	}
	req := request(b, sends)
	ours := map[string]bool{}
	for _, r := range recipients(req) {
		ours[r] = true
	}
	from := b.SubmittingAt.Add(-d.opt.ReconcileSlack)
	to := d.now().Add(d.opt.ReconcileSlack)
	list := wecom.GetGroupMsgListV2Request{ChatType: req.ChatType, StartTime: wecom.Timestamp(from.Unix()), EndTime: wecom.Timestamp(to.Unix()), Limit: 100}
	for {
		page, err := client.GetGroupMsgListV2(ctx, list)
		if err != nil {
			return d.distributing(err)
		}
		for _, m := range page.GroupMsgList {
			if !sameText(m, req.Text) {
				continue
			}
			got, err := d.taskRecipients(ctx, client, m.MsgID, b.Sender)
			if err != nil {
				return d.distributing(err)
			}
			if len(got) == 0 || !subset(got, ours) {
				continue
			}
			if taken, err := d.st.MsgIDTaken(ctx, b.WorkspaceID, m.MsgID); err != nil || taken {
				if err != nil {
					return err
				}
				continue
			}
			var failList []string
			for r := range ours {
				if !got[r] {
					failList = append(failList, r)
				}
			}
			d.log.Info("dispatch: adopted the mass message created before a crash", "workspace", b.WorkspaceID, "batch", b.ID, "msgid", m.MsgID)
			return d.recordSubmitted(ctx, b, m.MsgID, failList, len(sends))
		}
		if page.NextCursor == "" {
			break
		}
		list.Cursor = page.NextCursor
	}
	d.log.Info("dispatch: no mass message found for an interrupted batch, submitting it", "workspace", b.WorkspaceID, "batch", b.ID)
	return d.submit(ctx, b)
}

// taskRecipients returns the recipients of sender's part of a mass message,
// or nothing when the sender has no part in it.
func (d *Dispatcher) taskRecipients(ctx context.Context, client *wecom.Client, msgID, sender string) (map[string]bool, error) {
	found := false
	req := wecom.GetGroupMsgTaskRequest{MsgID: msgID, Limit: 1000}
	for !found {
		page, err := client.GetGroupMsgTask(ctx, req)
		if err != nil {
			return nil, err
		}
		for _, t := range page.TaskList {
			found = found || t.UserID == sender
		}
		if page.NextCursor == "" {
			break
		}
		req.Cursor = page.NextCursor
	}
	if !found {
		return nil, nil
	}
	got := map[string]bool{}
	err := results(ctx, client, msgID, sender, func(r wecom.GroupMsgSendResult) {
		if r.ExternalUserID != "" {
			got[r.ExternalUserID] = true
		} else if r.ChatID != "" {
			got[r.ChatID] = true
		}
	})
	return got, err
}

// results pages through sender's send results of a mass message.
func results(ctx context.Context, client *wecom.Client, msgID, sender string, fn func(wecom.GroupMsgSendResult)) error {
	req := wecom.GetGroupMsgSendResultRequest{MsgID: msgID, UserID: sender, Limit: 1000}
	for {
		page, err := client.GetGroupMsgSendResult(ctx, req)
		if err != nil {
			return err
		}
		for _, r := range page.SendList {
			fn(r)
		}
		if page.NextCursor == "" {
			return nil
		}
		req.Cursor = page.NextCursor
	}
}

func subset(a, b map[string]bool) bool {
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}
