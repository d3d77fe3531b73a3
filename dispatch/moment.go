package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/wecom"
)

// KindMoment is the job of one moment campaign: admit, post with
// add_moment_task (or find the moment made before a crash), wait for its
// moment_id, then follow its results until PollFor has passed.
const KindMoment = "dispatch.moment"

// errCodeInvalidJobID is WeCom's answer for a jobid it no longer knows
// (jobids of add_moment_task live 24 h).
const errCodeInvalidJobID = 40088

type momentPayload struct {
	Campaign int64 `json:"campaign"`
}

func momentJob(campaignID int64, at time.Time) store.NewJob {
	p, _ := json.Marshal(momentPayload{Campaign: campaignID})
	return store.NewJob{Kind: KindMoment, Key: strconv.FormatInt(campaignID, 10), Payload: p, RunAt: at}
}

// PostMoment fixes a moment campaign's post and schedules its job for at.
// It is idempotent: a post already started is not changed or scheduled
// again. (campaign.MomentPoster)
func (d *Dispatcher) PostMoment(ctx context.Context, ws, campaignID int64, post store.MomentPost, at time.Time) error {
	if len(post.Senders) == 0 {
		return fmt.Errorf("%w: a moment needs at least one sender", siyu.ErrInvalid)
	}
	if at.IsZero() {
		at = d.now()
	}
	return d.st.StartMomentPost(ctx, ws, campaignID, post, momentJob(campaignID, at))
}

// runMoment takes a moment post one step on from wherever the store says
// it is. Every step that is not the end snoozes the job, so that one job
// carries the post from launch to its last result.
func (d *Dispatcher) runMoment(ctx context.Context, j store.Job) error {
	var p momentPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.Campaign == 0 {
		return fmt.Errorf("%s job %d: bad payload %q", j.Kind, j.ID, j.Payload)
	}
	mo, err := d.st.CampaignMoment(ctx, j.WorkspaceID, p.Campaign)
	if err != nil {
		return err
	}
	if mo.Post == nil && mo.Status != store.MomentDraft {
		return fmt.Errorf("campaign %d: moment %s without a post", p.Campaign, mo.Status)
	}
	switch mo.Status {
	case store.MomentPending:
		return d.admitMoment(ctx, mo)
	case store.MomentSubmitting:
		return d.reconcileMoment(ctx, mo)
	case store.MomentSubmitted:
		return d.momentJobResult(ctx, mo)
	case store.MomentPosted:
		return d.pollMoment(ctx, mo)
	}
	return nil // draft (never launched), done or failed
}

func momentKey(campaignID int64, sender string) string {
	return "campaign:" + strconv.FormatInt(campaignID, 10) + ":moment:" + sender
}

// admitMoment asks the policy about each sender's post (one reach of the
// account each: its daily quota, and quiet hours), then marks the post
// submitting with the admitted senders, committed, and posts it.
func (d *Dispatcher) admitMoment(ctx context.Context, mo store.CampaignMoment) error {
	post := *mo.Post
	ds := make([]siyu.Delivery, len(post.Senders))
	for i, s := range post.Senders {
		ds[i] = siyu.Delivery{Key: momentKey(mo.CampaignID, s.Sender), WorkspaceID: mo.WorkspaceID, CampaignID: mo.CampaignID,
			AccountID: s.AccountID, Sender: s.Sender, Channel: siyu.ReachMoment, Variant: post.Variant, Message: post.Message}
	}
	now := d.now()
	admitted, skipped := ds, []siyu.Skip(nil)
	if d.opt.Gate != nil {
		var err error
		if admitted, skipped, err = d.opt.Gate.Admit(ctx, mo.WorkspaceID, ds, now); err != nil {
			return fmt.Errorf("policy: %w", err)
		}
	}
	var retry time.Time
	var reasons []string
	for _, sk := range skipped {
		if sk.RetryAt.After(retry) {
			retry = sk.RetryAt
		}
		reasons = append(reasons, sk.Key+": "+string(sk.Reason))
	}
	if !retry.IsZero() {
		// Quiet hours: the post waits for them to end, for every sender.
		return snooze{until: retry, reason: "quiet hours"}
	}
	if len(admitted) == 0 {
		return d.st.FinishMoment(ctx, mo.WorkspaceID, mo.CampaignID, store.MomentPending, store.MomentFailed,
			fmt.Errorf("the policy admitted no sender: %s", strings.Join(reasons, "; ")))
	}
	post.Senders = post.Senders[:0]
	for _, a := range admitted {
		post.Senders = append(post.Senders, store.MomentSender{AccountID: a.AccountID, Sender: a.Sender})
	}
	if len(skipped) > 0 {
		d.log.Info("dispatch: policy skipped moment senders", "workspace", mo.WorkspaceID, "campaign", mo.CampaignID, "skipped", reasons)
	}
	if err := d.st.MarkMomentSubmitting(ctx, mo.WorkspaceID, mo.CampaignID, post, now); err != nil {
		return err
	}
	mo.Status, mo.SubmittingAt, mo.Post = store.MomentSubmitting, now, &post
	return d.postMoment(ctx, mo)
}

// momentRequest is the add_moment_task call of a post.
func momentRequest(post store.MomentPost) wecom.AddMomentTaskRequest {
	var req wecom.AddMomentTaskRequest
	if post.Message.Text != "" {
		req.Text = &wecom.TextContent{Content: post.Message.Text}
	}
	if im := post.Message.Image; im != nil {
		req.Attachments = append(req.Attachments, wecom.Attachment{MsgType: wecom.MsgTypeImage, Image: &wecom.ImageAttachment{MediaID: im.MediaID}})
	}
	if l := post.Message.Link; l != nil {
		req.Attachments = append(req.Attachments, wecom.Attachment{MsgType: wecom.MsgTypeLink,
			Link: &wecom.LinkAttachment{Title: l.Title, URL: l.URL, MediaID: post.LinkMediaID}})
	}
	senders := make([]string, len(post.Senders))
	for i, s := range post.Senders {
		senders[i] = s.Sender
	}
	req.VisibleRange = &wecom.MomentVisibleRange{SenderList: &wecom.MomentSenderList{UserList: senders}}
	if len(post.TagIDs) > 0 {
		req.VisibleRange.ExternalContactList = &wecom.MomentExternalContactList{TagList: post.TagIDs}
	}
	return req
}

// postMoment calls add_moment_task for a post marked submitting.
func (d *Dispatcher) postMoment(ctx context.Context, mo store.CampaignMoment) error {
	client, err := d.client(ctx, mo.WorkspaceID)
	if err != nil {
		return err
	}
	jobID, err := client.AddMomentTask(ctx, momentRequest(*mo.Post))
	if err != nil {
		var apiErr *wecom.APIError
		if errors.As(err, &apiErr) || errors.Is(err, siyu.ErrInvalid) {
			// Refused: no job exists, so the post may be tried again.
			if rerr := d.st.ReleaseMoment(context.WithoutCancel(ctx), mo.WorkspaceID, mo.CampaignID, err); rerr != nil {
				return errors.Join(err, rerr)
			}
		}
		// Otherwise (no answer) WeCom may have the job: the post stays
		// submitting and the next attempt looks for the moment first.
		return fmt.Errorf("add_moment_task for campaign %d: %w", mo.CampaignID, err)
	}
	if err := d.st.MomentSubmitted(context.WithoutCancel(ctx), mo.WorkspaceID, mo.CampaignID, jobID); err != nil {
		return err
	}
	d.log.Info("dispatch: moment task created", "workspace", mo.WorkspaceID, "campaign", mo.CampaignID, "jobid", jobID, "senders", len(mo.Post.Senders))
	return snooze{until: d.now().Add(d.opt.DistributingWait), reason: "WeCom makes the moment asynchronously"}
}

// momentJobResult asks WeCom how the add_moment_task job ended.
func (d *Dispatcher) momentJobResult(ctx context.Context, mo store.CampaignMoment) error {
	client, err := d.client(ctx, mo.WorkspaceID)
	if err != nil {
		return err
	}
	res, err := client.GetMomentTaskResult(ctx, mo.JobID)
	if wecom.ErrorCode(err) == errCodeInvalidJobID {
		// The jobid expired (24 h): look for the moment as after a crash,
		// without posting again.
		return d.findMoment(ctx, client, mo, store.MomentSubmitted, false)
	}
	if err != nil {
		return err
	}
	if res.Status != wecom.MomentTaskDone {
		return snooze{until: d.now().Add(d.opt.DistributingWait), reason: "WeCom is still making the moment"}
	}
	if res.Result.ErrCode != 0 || res.Result.MomentID == "" {
		return d.st.FinishMoment(ctx, mo.WorkspaceID, mo.CampaignID, store.MomentSubmitted, store.MomentFailed,
			fmt.Errorf("add_moment_task job %s failed: errcode %d: %s", mo.JobID, res.Result.ErrCode, res.Result.ErrMsg))
	}
	if inv := res.Result.InvalidSenderList; inv != nil && len(inv.UserList) > 0 {
		d.log.Warn("dispatch: WeCom refused some moment senders", "campaign", mo.CampaignID, "senders", inv.UserList)
	}
	if err := d.st.MomentPosted(ctx, mo.WorkspaceID, mo.CampaignID, store.MomentSubmitted, res.Result.MomentID); err != nil {
		return err
	}
	mo.Status, mo.MomentID = store.MomentPosted, res.Result.MomentID
	return d.pollMoment(ctx, mo)
}

// reconcileMoment settles a post left submitting by an attempt that
// stopped between the mark and the record of the jobid. add_moment_task has
// no idempotency key and makes the moment asynchronously, so the job first
// waits MomentWait after the mark (the time WeCom takes at most to make a
// moment), then looks for it; only if there is none does it post.
func (d *Dispatcher) reconcileMoment(ctx context.Context, mo store.CampaignMoment) error {
	if ready := mo.SubmittingAt.Add(d.opt.MomentWait); d.now().Before(ready) {
		return snooze{until: ready, reason: "waiting for a moment WeCom may still be making before looking for it"}
	}
	client, err := d.client(ctx, mo.WorkspaceID)
	if err != nil {
		return err
	}
	return d.findMoment(ctx, client, mo, store.MomentSubmitting, true)
}

// findMoment looks for the moment of a post among the corp moments made
// since the mark: made by the API (no creator), with our text, whose
// senders are all ours, that no other campaign owns. Found, it is adopted;
// otherwise the post is made now (orPost) or failed.
func (d *Dispatcher) findMoment(ctx context.Context, client *wecom.Client, mo store.CampaignMoment, from string, orPost bool) error {
	ours := map[string]bool{}
	for _, s := range mo.Post.Senders {
		ours[s.Sender] = true
	}
	corp := wecom.FilterTypeCorp
	list := wecom.GetMomentListRequest{StartTime: wecom.Timestamp(mo.SubmittingAt.Add(-d.opt.ReconcileSlack).Unix()),
		EndTime: wecom.Timestamp(d.now().Add(d.opt.ReconcileSlack).Unix()), FilterType: &corp, Limit: 20}
	for {
		page, err := client.GetMomentList(ctx, list)
		if err != nil {
			return err
		}
		for _, m := range page.MomentList {
			text := ""
			if m.Text != nil {
				text = m.Text.Content
			}
			if m.CreateType != wecom.FilterTypeCorp || m.Creator != "" || text != mo.Post.Message.Text {
				continue
			}
			senders, err := momentSenders(ctx, client, m.MomentID)
			if err != nil {
				return err
			}
			if len(senders) == 0 || !subset(senders, ours) {
				continue
			}
			if taken, err := d.st.MomentIDTaken(ctx, mo.WorkspaceID, m.MomentID); err != nil || taken {
				if err != nil {
					return err
				}
				continue
			}
			d.log.Info("dispatch: adopted the moment created before a crash", "workspace", mo.WorkspaceID, "campaign", mo.CampaignID, "moment", m.MomentID)
			if err := d.st.MomentPosted(ctx, mo.WorkspaceID, mo.CampaignID, from, m.MomentID); err != nil {
				return err
			}
			mo.Status, mo.MomentID = store.MomentPosted, m.MomentID
			return d.pollMoment(ctx, mo)
		}
		if page.NextCursor == "" {
			break
		}
		list.Cursor = page.NextCursor
	}
	if !orPost {
		return d.st.FinishMoment(ctx, mo.WorkspaceID, mo.CampaignID, from, store.MomentFailed,
			fmt.Errorf("the jobid %s expired and no moment of ours was found", mo.JobID))
	}
	d.log.Info("dispatch: no moment found for an interrupted post, posting it", "workspace", mo.WorkspaceID, "campaign", mo.CampaignID)
	return d.postMoment(ctx, mo)
}

// momentSenders returns the members asked to post a moment, with whether
// each has.
func momentSenders(ctx context.Context, client *wecom.Client, momentID string) (map[string]bool, error) {
	out := map[string]bool{}
	req := wecom.GetMomentTaskRequest{MomentID: momentID, Limit: 1000}
	for {
		page, err := client.GetMomentTask(ctx, req)
		if err != nil {
			return nil, err
		}
		for _, t := range page.TaskList {
			out[t.UserID] = t.PublishStatus == 1
		}
		if page.NextCursor == "" {
			return out, nil
		}
		req.Cursor = page.NextCursor
	}
}

// pollMoment fetches each sender's part of a posted moment: published or
// not, the customers it is visible to and reached, and the likes and
// comments, which become moment.liked / moment.commented events of the
// customers (each once). It polls every PollEvery until PollFor after the
// post, then the post is done.
func (d *Dispatcher) pollMoment(ctx context.Context, mo store.CampaignMoment) error {
	client, err := d.client(ctx, mo.WorkspaceID)
	if err != nil {
		return err
	}
	published, err := momentSenders(ctx, client, mo.MomentID)
	if err != nil {
		return err
	}
	results := make([]store.MomentSenderResult, 0, len(mo.Post.Senders))
	events := 0
	for _, s := range mo.Post.Senders {
		r := store.MomentSenderResult{Sender: s.Sender, Published: published[s.Sender]}
		if _, asked := published[s.Sender]; asked {
			if r.Visible, err = momentVisible(ctx, client, mo.MomentID, s.Sender); err != nil {
				return err
			}
		}
		if r.Published {
			if r.Reached, err = momentReached(ctx, client, mo.MomentID, s.Sender); err != nil {
				return err
			}
			c, err := client.GetMomentComments(ctx, wecom.GetMomentCommentsRequest{MomentID: mo.MomentID, UserID: s.Sender})
			if err != nil {
				return err
			}
			var xs []store.MomentInteraction
			for _, x := range c.LikeList {
				if x.ExternalUserID != "" {
					r.Likes++
					xs = append(xs, store.MomentInteraction{ExternalUserID: x.ExternalUserID, Kind: store.MomentLike, At: time.Unix(int64(x.CreateTime), 0).UTC()})
				}
			}
			for _, x := range c.CommentList {
				if x.ExternalUserID != "" {
					r.Comments++
					xs = append(xs, store.MomentInteraction{ExternalUserID: x.ExternalUserID, Kind: store.MomentComment, At: time.Unix(int64(x.CreateTime), 0).UTC()})
				}
			}
			n, err := d.st.RecordMomentInteractions(ctx, mo.WorkspaceID, mo.CampaignID, mo.MomentID, s.Sender, mo.Post.Topic, xs)
			if err != nil {
				return err
			}
			events += n
		}
		results = append(results, r)
	}
	if err := d.st.SaveMomentResults(ctx, mo.WorkspaceID, mo.CampaignID, results); err != nil {
		return err
	}
	if events > 0 {
		d.log.Info("dispatch: moment interactions recorded", "workspace", mo.WorkspaceID, "campaign", mo.CampaignID, "events", events)
	}
	if d.now().Sub(mo.SubmittingAt) > d.opt.PollFor {
		return d.st.FinishMoment(ctx, mo.WorkspaceID, mo.CampaignID, store.MomentPosted, store.MomentDone, nil)
	}
	return snooze{until: d.now().Add(d.opt.PollEvery), reason: "following the moment's likes and comments"}
}

func momentVisible(ctx context.Context, client *wecom.Client, momentID, sender string) (int, error) {
	n := 0
	req := wecom.GetMomentCustomerListRequest{MomentID: momentID, UserID: sender, Limit: 1000}
	for {
		page, err := client.GetMomentCustomerList(ctx, req)
		if err != nil {
			return n, err
		}
		n += len(page.CustomerList)
		if page.NextCursor == "" {
			return n, nil
		}
		req.Cursor = page.NextCursor
	}
}

func momentReached(ctx context.Context, client *wecom.Client, momentID, sender string) (int, error) {
	n := 0
	req := wecom.GetMomentCustomerListRequest{MomentID: momentID, UserID: sender, Limit: 5000}
	for {
		page, err := client.GetMomentSendResult(ctx, req)
		if err != nil {
			return n, err
		}
		n += len(page.CustomerList)
		if page.NextCursor == "" {
			return n, nil
		}
		req.Cursor = page.NextCursor
	}
}
