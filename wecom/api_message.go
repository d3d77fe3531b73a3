package wecom

import "context"

// AddMsgTemplate creates a mass message task (企业群发). The sender has to
// confirm it on their client; nothing is sent by this call alone. Right
// after it, get_groupmsg_list_v2 may answer 41063 for a while.
func (c *Client) AddMsgTemplate(ctx context.Context, req AddMsgTemplateRequest) (*AddMsgTemplateResponse, error) {
	const api = "add_msg_template"
	switch req.ChatType {
	case "", ChatTypeSingle:
		if len(req.ChatIDList) > 0 {
			return nil, invalid(api, "chat_id_list is only for chat_type group")
		}
		if len(req.ExternalUserID) == 0 && req.Sender == "" {
			return nil, invalid(api, "external_userid and sender cannot both be empty")
		}
		if err := checkCount(api, "external_userid", len(req.ExternalUserID), 0, MaxTemplateExternalUserIDs); err != nil {
			return nil, err
		}
	case ChatTypeGroup:
		if req.Sender == "" {
			return nil, invalid(api, "sender is required for chat_type group")
		}
		if len(req.ExternalUserID) > 0 || req.AllowSelect {
			return nil, invalid(api, "external_userid and allow_select are only for chat_type single")
		}
		if err := checkCount(api, "chat_id_list", len(req.ChatIDList), 0, MaxTemplateChatIDs); err != nil {
			return nil, err
		}
	default:
		return nil, invalid(api, "chat_type %q is not single or group", req.ChatType)
	}
	if err := checkMessage(api, req.Text, req.Attachments); err != nil {
		return nil, err
	}
	var resp AddMsgTemplateResponse
	if err := c.post(ctx, PathAddMsgTemplate, req, &resp, false); err != nil {
		return nil, err
	}
	return &resp, nil
}

// GetGroupMsgListV2 returns one page of mass messages created in a time range.
func (c *Client) GetGroupMsgListV2(ctx context.Context, req GetGroupMsgListV2Request) (*GetGroupMsgListV2Response, error) {
	const api = "get_groupmsg_list_v2"
	if req.ChatType != ChatTypeSingle && req.ChatType != ChatTypeGroup {
		return nil, invalid(api, "chat_type %q is not single or group", req.ChatType)
	}
	if req.StartTime <= 0 || req.EndTime < req.StartTime {
		return nil, invalid(api, "start_time %d and end_time %d do not make a range", req.StartTime, req.EndTime)
	}
	if err := checkLimit(api, req.Limit, 100); err != nil {
		return nil, err
	}
	var resp GetGroupMsgListV2Response
	if err := c.post(ctx, PathGetGroupMsgListV2, req, &resp, true); err != nil {
		return nil, err
	}
	return &resp, nil
}

// GetGroupMsgTask returns one page of the senders of a mass message and
// whether they sent it.
func (c *Client) GetGroupMsgTask(ctx context.Context, req GetGroupMsgTaskRequest) (*GetGroupMsgTaskResponse, error) {
	const api = "get_groupmsg_task"
	if err := checkRequired(api, "msgid", req.MsgID); err != nil {
		return nil, err
	}
	if err := checkLimit(api, req.Limit, 1000); err != nil {
		return nil, err
	}
	var resp GetGroupMsgTaskResponse
	if err := c.post(ctx, PathGetGroupMsgTask, req, &resp, true); err != nil {
		return nil, err
	}
	return &resp, nil
}

// GetGroupMsgSendResult returns one page of the per-customer delivery state
// of one sender's part of a mass message.
func (c *Client) GetGroupMsgSendResult(ctx context.Context, req GetGroupMsgSendResultRequest) (*GetGroupMsgSendResultResponse, error) {
	const api = "get_groupmsg_send_result"
	if err := checkRequired(api, "msgid", req.MsgID); err != nil {
		return nil, err
	}
	if err := checkRequired(api, "userid", req.UserID); err != nil {
		return nil, err
	}
	if err := checkLimit(api, req.Limit, 1000); err != nil {
		return nil, err
	}
	var resp GetGroupMsgSendResultResponse
	if err := c.post(ctx, PathGetGroupMsgSendResult, req, &resp, true); err != nil {
		return nil, err
	}
	return &resp, nil
}

// RemindGroupMsgSend notifies the senders of a mass message again (at most
// 3 times per message per 24 h).
func (c *Client) RemindGroupMsgSend(ctx context.Context, msgID string) error {
	if err := checkRequired("remind_groupmsg_send", "msgid", msgID); err != nil {
		return err
	}
	return c.post(ctx, PathRemindGroupMsgSend, MsgIDRequest{MsgID: msgID}, new(Response), false)
}

// CancelGroupMsgSend stops a mass message that senders have not sent yet.
func (c *Client) CancelGroupMsgSend(ctx context.Context, msgID string) error {
	if err := checkRequired("cancel_groupmsg_send", "msgid", msgID); err != nil {
		return err
	}
	return c.post(ctx, PathCancelGroupMsgSend, MsgIDRequest{MsgID: msgID}, new(Response), true)
}
