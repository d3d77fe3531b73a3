package dispatch

import (
	"context"
	"time"

	"siyu.dev/siyu/store"
	"siyu.dev/siyu/wecom"
)

// poll fetches the results of a submitted batch's mass message. Until the
// sender confirmed it on their phone it waits (PollEvery) without counting
// an attempt; once confirmed, each recipient's result is recorded (sent,
// not_friend, capped) and the batch is done. A task never confirmed within
// PollFor is given up: its sends stay submitted.
func (d *Dispatcher) poll(ctx context.Context, ws, id int64) error {
	b, err := d.st.SendBatch(ctx, ws, id)
	if err != nil {
		return err
	}
	if b.Status != store.BatchSubmitted || b.MsgID == "" {
		return nil
	}
	client, err := d.client(ctx, ws)
	if err != nil {
		return err
	}
	expired := d.now().Sub(b.SubmittingAt) > d.opt.PollFor
	wait := func(reason string) error {
		if expired {
			d.log.Warn("dispatch: gave up waiting for a mass message", "workspace", ws, "batch", id, "msgid", b.MsgID, "reason", reason)
			return d.st.FinishBatch(ctx, ws, id, store.BatchSubmitted, store.BatchDone, nil)
		}
		return snooze{until: d.now().Add(d.opt.PollEvery), reason: reason}
	}
	confirmed := false
	req := wecom.GetGroupMsgTaskRequest{MsgID: b.MsgID, Limit: 1000}
	for {
		page, err := client.GetGroupMsgTask(ctx, req)
		if err != nil {
			return d.distributing(err)
		}
		for _, t := range page.TaskList {
			if t.UserID == b.Sender && t.Status == 2 {
				confirmed = true
			}
		}
		if confirmed || page.NextCursor == "" {
			break
		}
		req.Cursor = page.NextCursor
	}
	if !confirmed {
		return wait("the sender has not confirmed the mass message")
	}
	var res []store.SendResult
	pending := 0
	err = results(ctx, client, b.MsgID, b.Sender, func(r wecom.GroupMsgSendResult) {
		var status string
		switch r.Status {
		case wecom.SendStatusSent:
			status = store.SendSent
		case wecom.SendStatusNotFriend:
			status = store.SendNotFriend
		case wecom.SendStatusFrequencyCap:
			status = store.SendCapped
		default:
			pending++
			return
		}
		res = append(res, store.SendResult{ExternalUserID: r.ExternalUserID, ChatID: r.ChatID, Status: status, At: sendTime(r.SendTime)})
	})
	if err != nil {
		return d.distributing(err)
	}
	n, err := d.st.RecordSendResults(ctx, ws, id, res)
	if err != nil {
		return err
	}
	d.log.Info("dispatch: results recorded", "workspace", ws, "batch", id, "msgid", b.MsgID, "changed", n, "pending", pending)
	if pending > 0 {
		return wait("some recipients have no result yet")
	}
	return d.st.FinishBatch(ctx, ws, id, store.BatchSubmitted, store.BatchDone, nil)
}

func sendTime(t wecom.Timestamp) time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.Unix(int64(t), 0).UTC()
}
