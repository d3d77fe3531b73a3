package wecom

import (
	"context"
	"net/url"
)

// AddMomentTask starts an asynchronous task that posts to customers'
// moments and returns its jobid; poll GetMomentTaskResult.
func (c *Client) AddMomentTask(ctx context.Context, req AddMomentTaskRequest) (string, error) {
	const api = "add_moment_task"
	if (req.Text == nil || req.Text.Content == "") && len(req.Attachments) == 0 {
		return "", invalid(api, "text and attachments are both empty")
	}
	if req.Text != nil {
		if err := checkMaxRunes(api, "text.content", req.Text.Content, MaxMomentTextRunes); err != nil {
			return "", err
		}
		if err := checkMaxBytes(api, "text.content", req.Text.Content, MaxTextBytes); err != nil {
			return "", err
		}
	}
	if err := checkAttachments(api, req.Attachments, MsgTypeImage, MsgTypeVideo, MsgTypeLink); err != nil {
		return "", err
	}
	if vr := req.VisibleRange; vr != nil && vr.SenderList != nil {
		if err := checkCount(api, "visible_range.sender_list.user_list", len(vr.SenderList.UserList), 0, 100000); err != nil {
			return "", err
		}
	}
	var resp AddMomentTaskResponse
	if err := c.post(ctx, PathAddMomentTask, req, &resp, false); err != nil {
		return "", err
	}
	return resp.JobID, nil
}

// GetMomentTaskResult returns the state of an add_moment_task job.
func (c *Client) GetMomentTaskResult(ctx context.Context, jobID string) (*GetMomentTaskResultResponse, error) {
	if err := checkRequired("get_moment_task_result", "jobid", jobID); err != nil {
		return nil, err
	}
	var resp GetMomentTaskResultResponse
	if err := c.get(ctx, PathGetMomentTaskResult, url.Values{QueryJobID: {jobID}}, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}

// CancelMomentTask stops a corp moment that members have not posted yet.
func (c *Client) CancelMomentTask(ctx context.Context, momentID string) error {
	if err := checkRequired("cancel_moment_task", "moment_id", momentID); err != nil {
		return err
	}
	return c.post(ctx, PathCancelMomentTask, MomentIDRequest{MomentID: momentID}, new(Response), true)
}

// GetMomentList returns one page of moments posted in a time range.
func (c *Client) GetMomentList(ctx context.Context, req GetMomentListRequest) (*GetMomentListResponse, error) {
	const api = "get_moment_list"
	if req.StartTime <= 0 || req.EndTime < req.StartTime {
		return nil, invalid(api, "start_time %d and end_time %d do not make a range", req.StartTime, req.EndTime)
	}
	if err := checkLimit(api, req.Limit, 20); err != nil {
		return nil, err
	}
	var resp GetMomentListResponse
	if err := c.post(ctx, PathGetMomentList, req, &resp, true); err != nil {
		return nil, err
	}
	return &resp, nil
}

// GetMomentTask returns one page of the members asked to post a corp moment.
func (c *Client) GetMomentTask(ctx context.Context, req GetMomentTaskRequest) (*GetMomentTaskResponse, error) {
	const api = "get_moment_task"
	if err := checkRequired(api, "moment_id", req.MomentID); err != nil {
		return nil, err
	}
	if err := checkLimit(api, req.Limit, 1000); err != nil {
		return nil, err
	}
	var resp GetMomentTaskResponse
	if err := c.post(ctx, PathGetMomentTask, req, &resp, true); err != nil {
		return nil, err
	}
	return &resp, nil
}

// GetMomentCustomerList returns one page of the customers a member chose
// to show a moment to.
func (c *Client) GetMomentCustomerList(ctx context.Context, req GetMomentCustomerListRequest) (*GetMomentCustomerListResponse, error) {
	const api = "get_moment_customer_list"
	if err := checkMomentUser(api, req, 1000); err != nil {
		return nil, err
	}
	var resp GetMomentCustomerListResponse
	if err := c.post(ctx, PathGetMomentCustomerList, req, &resp, true); err != nil {
		return nil, err
	}
	return &resp, nil
}

// GetMomentSendResult returns one page of the customers a member's post of
// a moment reached.
func (c *Client) GetMomentSendResult(ctx context.Context, req GetMomentCustomerListRequest) (*GetMomentSendResultResponse, error) {
	const api = "get_moment_send_result"
	if err := checkMomentUser(api, req, 5000); err != nil {
		return nil, err
	}
	var resp GetMomentSendResultResponse
	if err := c.post(ctx, PathGetMomentSendResult, req, &resp, true); err != nil {
		return nil, err
	}
	return &resp, nil
}

func checkMomentUser(api string, req GetMomentCustomerListRequest, maxLimit int) error {
	if err := checkRequired(api, "moment_id", req.MomentID); err != nil {
		return err
	}
	if err := checkRequired(api, "userid", req.UserID); err != nil {
		return err
	}
	return checkLimit(api, req.Limit, maxLimit)
}

// GetMomentComments returns who commented on and liked a member's post of a
// moment, and when; WeCom does not return the comment text.
func (c *Client) GetMomentComments(ctx context.Context, req GetMomentCommentsRequest) (*GetMomentCommentsResponse, error) {
	const api = "get_moment_comments"
	if err := checkRequired(api, "moment_id", req.MomentID); err != nil {
		return nil, err
	}
	if err := checkRequired(api, "userid", req.UserID); err != nil {
		return nil, err
	}
	var resp GetMomentCommentsResponse
	if err := c.post(ctx, PathGetMomentComments, req, &resp, true); err != nil {
		return nil, err
	}
	return &resp, nil
}
