package wecom

// 获客助手 (customer acquisition links): a link that opens a chat with one of
// the link's members from anywhere (an SMS, a web page, a Douyin profile);
// customer_channel=<state> appended to its URL comes back as State in
// add_external_contact, as a contact way's state does.

// API paths of the acquisition links.
const (
	PathAcquisitionListLink   = "/cgi-bin/externalcontact/customer_acquisition/list_link"
	PathAcquisitionGet        = "/cgi-bin/externalcontact/customer_acquisition/get"
	PathAcquisitionCreateLink = "/cgi-bin/externalcontact/customer_acquisition/create_link"
	PathAcquisitionUpdateLink = "/cgi-bin/externalcontact/customer_acquisition/update_link"
	PathAcquisitionDeleteLink = "/cgi-bin/externalcontact/customer_acquisition/delete_link"
	PathAcquisitionCustomer   = "/cgi-bin/externalcontact/customer_acquisition/customer"
	PathAcquisitionQuota      = "/cgi-bin/externalcontact/customer_acquisition_quota" // GET
)

// Change types of EventCustomerAcquisition.
const (
	ChangeBalanceLow       = "balance_low" // under 20 uses left
	ChangeBalanceExhausted = "balance_exhausted"
	ChangeLinkUnavailable  = "link_unavailable"
	ChangeDeleteLink       = "delete_link"
)

// MaxLinkNameLen is the longest link_name, in characters.
const MaxLinkNameLen = 30

// AcquisitionRange is who answers a link: members and departments.
type AcquisitionRange struct {
	UserList       []string `json:"user_list,omitempty"`
	DepartmentList []int64  `json:"department_list,omitempty"`
}

// AcquisitionLink is a link as WeCom describes it.
type AcquisitionLink struct {
	LinkID     string `json:"link_id"`
	LinkName   string `json:"link_name"`
	URL        string `json:"url"`
	CreateTime int64  `json:"create_time"`
}

// CreateAcquisitionLinkRequest is the body of create_link (and, with
// LinkID, of update_link).
type CreateAcquisitionLinkRequest struct {
	LinkID     string           `json:"link_id,omitempty"`
	LinkName   string           `json:"link_name"`
	Range      AcquisitionRange `json:"range"`
	SkipVerify bool             `json:"skip_verify"`
}

// AcquisitionLinkResponse answers create_link and get.
type AcquisitionLinkResponse struct {
	Response
	Link       AcquisitionLink  `json:"link"`
	Range      AcquisitionRange `json:"range"`
	SkipVerify bool             `json:"skip_verify"`
}

// LinkIDRequest names one link (get, delete_link).
type LinkIDRequest struct {
	LinkID string `json:"link_id"`
}

// ListAcquisitionLinksRequest pages through the links.
type ListAcquisitionLinksRequest struct {
	Limit  int    `json:"limit,omitempty"`
	Cursor string `json:"cursor,omitempty"`
}

// ListAcquisitionLinksResponse is one page of link ids.
type ListAcquisitionLinksResponse struct {
	Response
	LinkIDList []string `json:"link_id_list"`
	NextCursor string   `json:"next_cursor"`
}

// AcquisitionCustomersRequest pages through the customers a link brought.
type AcquisitionCustomersRequest struct {
	LinkID string `json:"link_id"`
	Limit  int    `json:"limit,omitempty"`
	Cursor string `json:"cursor,omitempty"`
}

// AcquisitionCustomer is one customer who came through a link.
type AcquisitionCustomer struct {
	ExternalUserID string `json:"external_userid"`
	UserID         string `json:"userid"`
	ChatStatus     int    `json:"chat_status"`
	State          string `json:"state"`
}

// AcquisitionCustomersResponse is one page of a link's customers.
type AcquisitionCustomersResponse struct {
	Response
	CustomerList []AcquisitionCustomer `json:"customer_list"`
	NextCursor   string                `json:"next_cursor"`
}

// AcquisitionQuotaResponse is the corp's remaining link uses.
type AcquisitionQuotaResponse struct {
	Response
	Total     int `json:"total"`
	Balance   int `json:"balance"`
	QuotaList []struct {
		ExpireDate int64 `json:"expire_date"`
		Balance    int   `json:"balance"`
	} `json:"quota_list"`
}
