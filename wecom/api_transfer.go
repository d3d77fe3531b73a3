package wecom

import "context"

func checkTransfer(api, handover, takeover string, externalUserIDs []string) error {
	if err := checkRequired(api, "handover_userid", handover); err != nil {
		return err
	}
	if err := checkRequired(api, "takeover_userid", takeover); err != nil {
		return err
	}
	if handover == takeover {
		return invalid(api, "handover_userid and takeover_userid are the same member %q", handover)
	}
	return checkCount(api, "external_userid", len(externalUserIDs), 1, MaxTransferCustomers)
}

// TransferCustomer hands customers of a member still employed to another
// member (在职继承). Per-customer errcode 0 means the transfer started; it
// completes after 24 h unless the customer refuses.
func (c *Client) TransferCustomer(ctx context.Context, req TransferCustomerRequest) (*TransferCustomerResponse, error) {
	const api = "transfer_customer"
	if err := checkTransfer(api, req.HandoverUserID, req.TakeoverUserID, req.ExternalUserID); err != nil {
		return nil, err
	}
	if err := checkMaxRunes(api, "transfer_success_msg", req.TransferSuccessMsg, MaxTransferMsgLen); err != nil {
		return nil, err
	}
	var resp TransferCustomerResponse
	if err := c.post(ctx, PathTransferCustomer, req, &resp, false); err != nil {
		return nil, err
	}
	return &resp, nil
}

// TransferResult returns one page of the state of on-job transfers.
func (c *Client) TransferResult(ctx context.Context, req TransferResultRequest) (*TransferResultResponse, error) {
	return c.transferResult(ctx, "transfer_result", PathTransferResult, req)
}

// ResignedTransferCustomer hands customers of a resigned member to another
// member (离职继承).
func (c *Client) ResignedTransferCustomer(ctx context.Context, req ResignedTransferCustomerRequest) (*TransferCustomerResponse, error) {
	if err := checkTransfer("resigned/transfer_customer", req.HandoverUserID, req.TakeoverUserID, req.ExternalUserID); err != nil {
		return nil, err
	}
	var resp TransferCustomerResponse
	if err := c.post(ctx, PathResignedTransfer, req, &resp, false); err != nil {
		return nil, err
	}
	return &resp, nil
}

// ResignedTransferResult returns one page of the state of resigned transfers.
func (c *Client) ResignedTransferResult(ctx context.Context, req TransferResultRequest) (*TransferResultResponse, error) {
	return c.transferResult(ctx, "resigned/transfer_result", PathResignedTransferResult, req)
}

func (c *Client) transferResult(ctx context.Context, api, path string, req TransferResultRequest) (*TransferResultResponse, error) {
	if err := checkRequired(api, "handover_userid", req.HandoverUserID); err != nil {
		return nil, err
	}
	if err := checkRequired(api, "takeover_userid", req.TakeoverUserID); err != nil {
		return nil, err
	}
	var resp TransferResultResponse
	if err := c.post(ctx, path, req, &resp, true); err != nil {
		return nil, err
	}
	return &resp, nil
}

// GetUnassignedList returns one page of the customers of resigned members
// waiting to be assigned.
func (c *Client) GetUnassignedList(ctx context.Context, req GetUnassignedListRequest) (*GetUnassignedListResponse, error) {
	if err := checkLimit("get_unassigned_list", req.PageSize, 1000); err != nil {
		return nil, err
	}
	var resp GetUnassignedListResponse
	if err := c.post(ctx, PathGetUnassignedList, req, &resp, true); err != nil {
		return nil, err
	}
	return &resp, nil
}

func checkChatTransfer(api string, req GroupChatTransferRequest) error {
	if err := checkCount(api, "chat_id_list", len(req.ChatIDList), 1, MaxTransferChats); err != nil {
		return err
	}
	return checkRequired(api, "new_owner", req.NewOwner)
}

// TransferGroupChat hands groups of a resigned owner to a new owner
// (groupchat/transfer; 90500 when the owner has not resigned).
func (c *Client) TransferGroupChat(ctx context.Context, req GroupChatTransferRequest) (*GroupChatTransferResponse, error) {
	if err := checkChatTransfer("groupchat/transfer", req); err != nil {
		return nil, err
	}
	var resp GroupChatTransferResponse
	if err := c.post(ctx, PathGroupChatTransfer, req, &resp, false); err != nil {
		return nil, err
	}
	return &resp, nil
}

// OnjobTransferGroupChat hands groups of an employed owner to a new owner
// (groupchat/onjob_transfer).
func (c *Client) OnjobTransferGroupChat(ctx context.Context, req GroupChatTransferRequest) (*GroupChatTransferResponse, error) {
	if err := checkChatTransfer("groupchat/onjob_transfer", req); err != nil {
		return nil, err
	}
	var resp GroupChatTransferResponse
	if err := c.post(ctx, PathGroupChatOnjobTransfer, req, &resp, false); err != nil {
		return nil, err
	}
	return &resp, nil
}
