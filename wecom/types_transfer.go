package wecom

// Limits of the transfer APIs.
const (
	MaxTransferCustomers = 100
	MaxTransferChats     = 100
	MaxTransferMsgLen    = 200 // transfer_success_msg, in characters
)

// Transfer states (TransferStatus.Status).
const (
	TransferDone          = 1
	TransferWaiting       = 2
	TransferRefused       = 3
	TransferLimitExceeded = 4
	TransferNoRecord      = 5
)

// TransferCustomerRequest is the body of transfer_customer (on-job).
type TransferCustomerRequest struct {
	HandoverUserID     string   `json:"handover_userid"`
	TakeoverUserID     string   `json:"takeover_userid"`
	ExternalUserID     []string `json:"external_userid"` // at most MaxTransferCustomers
	TransferSuccessMsg string   `json:"transfer_success_msg,omitempty"`
}

// ResignedTransferCustomerRequest is the body of resigned/transfer_customer.
type ResignedTransferCustomerRequest struct {
	HandoverUserID string   `json:"handover_userid"`
	TakeoverUserID string   `json:"takeover_userid"`
	ExternalUserID []string `json:"external_userid"`
}

// TransferCustomerResult is the per-customer outcome; ErrCode 0 means the
// transfer started (it completes, or fails, within 24 h).
type TransferCustomerResult struct {
	ExternalUserID string `json:"external_userid"`
	ErrCode        int    `json:"errcode"`
}

// TransferCustomerResponse answers transfer_customer and resigned/transfer_customer.
type TransferCustomerResponse struct {
	Response
	Customer []TransferCustomerResult `json:"customer"`
}

// TransferResultRequest is the body of transfer_result and resigned/transfer_result.
type TransferResultRequest struct {
	HandoverUserID string `json:"handover_userid"`
	TakeoverUserID string `json:"takeover_userid"`
	Cursor         string `json:"cursor,omitempty"`
}

// TransferStatus is the state of one customer's transfer.
type TransferStatus struct {
	ExternalUserID string    `json:"external_userid"`
	Status         int       `json:"status"`
	TakeoverTime   Timestamp `json:"takeover_time"`
}

// TransferResultResponse answers transfer_result and resigned/transfer_result.
type TransferResultResponse struct {
	Response
	Customer   []TransferStatus `json:"customer"`
	NextCursor string           `json:"next_cursor"`
}

// GetUnassignedListRequest is the body of get_unassigned_list.
type GetUnassignedListRequest struct {
	PageID   int    `json:"page_id,omitempty"`
	PageSize int    `json:"page_size,omitempty"` // at most 1000
	Cursor   string `json:"cursor,omitempty"`
}

// UnassignedCustomer is a customer of a resigned member.
type UnassignedCustomer struct {
	HandoverUserID string    `json:"handover_userid"`
	ExternalUserID string    `json:"external_userid"`
	DimissionTime  Timestamp `json:"dimission_time"`
}

// GetUnassignedListResponse answers get_unassigned_list.
type GetUnassignedListResponse struct {
	Response
	Info       []UnassignedCustomer `json:"info"`
	IsLast     bool                 `json:"is_last"`
	NextCursor string               `json:"next_cursor,omitempty"`
}

// GroupChatTransferRequest is the body of groupchat/transfer (resigned
// owner) and groupchat/onjob_transfer.
type GroupChatTransferRequest struct {
	ChatIDList []string `json:"chat_id_list"` // 1..MaxTransferChats
	NewOwner   string   `json:"new_owner"`
}

// FailedChat is a group chat whose transfer failed.
type FailedChat struct {
	ChatID  string `json:"chat_id"`
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// GroupChatTransferResponse answers groupchat/transfer and groupchat/onjob_transfer.
type GroupChatTransferResponse struct {
	Response
	FailedChatList []FailedChat `json:"failed_chat_list"`
}
