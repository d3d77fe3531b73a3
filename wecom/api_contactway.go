package wecom

import "context"

func checkContactWayCommon(api, remark, state string, conclusions *Conclusions) error {
	if err := checkMaxRunes(api, "remark", remark, MaxRemarkLen); err != nil {
		return err
	}
	if err := checkMaxRunes(api, "state", state, MaxStateLen); err != nil {
		return err
	}
	if conclusions != nil && conclusions.Text != nil {
		if err := checkMaxBytes(api, "conclusions.text.content", conclusions.Text.Content, MaxTextBytes); err != nil {
			return err
		}
	}
	return nil
}

// AddContactWay creates a 「联系我」 button or QR code. Its State comes back
// in the add_external_contact event and in follow_user.state: use it as the
// channel key.
func (c *Client) AddContactWay(ctx context.Context, req AddContactWayRequest) (*AddContactWayResponse, error) {
	const api = "add_contact_way"
	switch req.Type {
	case ContactWayTypeSingle:
		if len(req.User) != 1 || len(req.Party) != 0 {
			return nil, invalid(api, "type 1 needs exactly one user and no party, got %d users and %d parties", len(req.User), len(req.Party))
		}
	case ContactWayTypeMulti:
		if len(req.User) == 0 && len(req.Party) == 0 {
			return nil, invalid(api, "type 2 needs at least one user or party")
		}
	default:
		return nil, invalid(api, "type %d is not 1 (one member) or 2 (several)", req.Type)
	}
	if req.Scene != SceneMiniProgram && req.Scene != SceneQRCode {
		return nil, invalid(api, "scene %d is not 1 (mini program) or 2 (QR code)", req.Scene)
	}
	if err := checkContactWayCommon(api, req.Remark, req.State, req.Conclusions); err != nil {
		return nil, err
	}
	if req.IsTemp && req.Type != ContactWayTypeSingle {
		return nil, invalid(api, "a temporary contact way must be type 1 (one member)")
	}
	const fourteenDays = 14 * 24 * 3600
	if req.ExpiresIn < 0 || req.ExpiresIn > fourteenDays {
		return nil, invalid(api, "expires_in %d is out of range 0 to %d seconds", req.ExpiresIn, fourteenDays)
	}
	if req.ChatExpiresIn < 0 || req.ChatExpiresIn > fourteenDays {
		return nil, invalid(api, "chat_expires_in %d is out of range 0 to %d seconds", req.ChatExpiresIn, fourteenDays)
	}
	var resp AddContactWayResponse
	if err := c.post(ctx, PathAddContactWay, req, &resp, false); err != nil {
		return nil, err
	}
	return &resp, nil
}

// GetContactWay returns a contact way by config_id.
func (c *Client) GetContactWay(ctx context.Context, configID string) (*ContactWay, error) {
	if err := checkRequired("get_contact_way", "config_id", configID); err != nil {
		return nil, err
	}
	var resp GetContactWayResponse
	if err := c.post(ctx, PathGetContactWay, ConfigIDRequest{ConfigID: configID}, &resp, true); err != nil {
		return nil, err
	}
	return &resp.ContactWay, nil
}

// ListContactWay returns one page of the contact ways created through the API.
func (c *Client) ListContactWay(ctx context.Context, req ListContactWayRequest) (*ListContactWayResponse, error) {
	if err := checkLimit("list_contact_way", req.Limit, 1000); err != nil {
		return nil, err
	}
	var resp ListContactWayResponse
	if err := c.post(ctx, PathListContactWay, req, &resp, true); err != nil {
		return nil, err
	}
	return &resp, nil
}

// UpdateContactWay changes a contact way. User and Party, when set, replace
// the old lists.
func (c *Client) UpdateContactWay(ctx context.Context, req UpdateContactWayRequest) error {
	const api = "update_contact_way"
	if err := checkRequired(api, "config_id", req.ConfigID); err != nil {
		return err
	}
	if err := checkContactWayCommon(api, req.Remark, req.State, req.Conclusions); err != nil {
		return err
	}
	return c.post(ctx, PathUpdateContactWay, req, new(Response), true)
}

// DelContactWay deletes a contact way.
func (c *Client) DelContactWay(ctx context.Context, configID string) error {
	if err := checkRequired("del_contact_way", "config_id", configID); err != nil {
		return err
	}
	return c.post(ctx, PathDelContactWay, ConfigIDRequest{ConfigID: configID}, new(Response), true)
}

// CloseTempChat ends a temporary chat opened through a temporary contact way.
func (c *Client) CloseTempChat(ctx context.Context, req CloseTempChatRequest) error {
	const api = "close_temp_chat"
	if err := checkRequired(api, "userid", req.UserID); err != nil {
		return err
	}
	if err := checkRequired(api, "external_userid", req.ExternalUserID); err != nil {
		return err
	}
	return c.post(ctx, PathCloseTempChat, req, new(Response), true)
}

// SendWelcomeMsg sends the welcome message for an add event's WelcomeCode.
// It must be called within 20 seconds of the event and only once: 41050
// means the code expired or was used, 41051 that the welcome was already
// delivered (do not retry), 41096 that another app is delivering one
// (retried a few times).
func (c *Client) SendWelcomeMsg(ctx context.Context, req SendWelcomeMsgRequest) error {
	const api = "send_welcome_msg"
	if err := checkRequired(api, "welcome_code", req.WelcomeCode); err != nil {
		return err
	}
	if err := checkMessage(api, req.Text, req.Attachments); err != nil {
		return err
	}
	return c.post(ctx, PathSendWelcomeMsg, req, new(Response), false)
}
