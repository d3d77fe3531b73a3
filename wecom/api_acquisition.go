package wecom

import (
	"context"
	"net/url"
)

func checkAcquisitionLink(api string, req CreateAcquisitionLinkRequest) error {
	if req.LinkName == "" {
		return invalid(api, "link_name is required")
	}
	if err := checkMaxRunes(api, "link_name", req.LinkName, MaxLinkNameLen); err != nil {
		return err
	}
	if len(req.Range.UserList) == 0 && len(req.Range.DepartmentList) == 0 {
		return invalid(api, "range needs at least one user or department")
	}
	return nil
}

// CreateAcquisitionLink creates a 获客助手 link. Append customer_channel=<state>
// to its URL (LinkURLWithState) to get the state back in
// add_external_contact.
func (c *Client) CreateAcquisitionLink(ctx context.Context, req CreateAcquisitionLinkRequest) (*AcquisitionLinkResponse, error) {
	const api = "customer_acquisition/create_link"
	req.LinkID = ""
	if err := checkAcquisitionLink(api, req); err != nil {
		return nil, err
	}
	var resp AcquisitionLinkResponse
	if err := c.post(ctx, PathAcquisitionCreateLink, req, &resp, false); err != nil {
		return nil, err
	}
	return &resp, nil
}

// UpdateAcquisitionLink changes a link's name, members or verification.
func (c *Client) UpdateAcquisitionLink(ctx context.Context, req CreateAcquisitionLinkRequest) error {
	const api = "customer_acquisition/update_link"
	if req.LinkID == "" {
		return invalid(api, "link_id is required")
	}
	if err := checkAcquisitionLink(api, req); err != nil {
		return err
	}
	var resp Response
	return c.post(ctx, PathAcquisitionUpdateLink, req, &resp, true)
}

// GetAcquisitionLink returns a link with its members.
func (c *Client) GetAcquisitionLink(ctx context.Context, linkID string) (*AcquisitionLinkResponse, error) {
	if linkID == "" {
		return nil, invalid("customer_acquisition/get", "link_id is required")
	}
	var resp AcquisitionLinkResponse
	if err := c.post(ctx, PathAcquisitionGet, LinkIDRequest{LinkID: linkID}, &resp, true); err != nil {
		return nil, err
	}
	return &resp, nil
}

// DeleteAcquisitionLink deletes a link.
func (c *Client) DeleteAcquisitionLink(ctx context.Context, linkID string) error {
	if linkID == "" {
		return invalid("customer_acquisition/delete_link", "link_id is required")
	}
	var resp Response
	return c.post(ctx, PathAcquisitionDeleteLink, LinkIDRequest{LinkID: linkID}, &resp, true)
}

// ListAcquisitionLinks returns one page of the corp's link ids.
func (c *Client) ListAcquisitionLinks(ctx context.Context, req ListAcquisitionLinksRequest) (*ListAcquisitionLinksResponse, error) {
	if req.Limit < 0 || req.Limit > 100 {
		return nil, invalid("customer_acquisition/list_link", "limit %d is out of range 1 to 100", req.Limit)
	}
	var resp ListAcquisitionLinksResponse
	if err := c.post(ctx, PathAcquisitionListLink, req, &resp, true); err != nil {
		return nil, err
	}
	return &resp, nil
}

// AcquisitionCustomers returns one page of the customers a link brought.
func (c *Client) AcquisitionCustomers(ctx context.Context, req AcquisitionCustomersRequest) (*AcquisitionCustomersResponse, error) {
	const api = "customer_acquisition/customer"
	if req.LinkID == "" {
		return nil, invalid(api, "link_id is required")
	}
	if req.Limit < 0 || req.Limit > 1000 {
		return nil, invalid(api, "limit %d is out of range 1 to 1000", req.Limit)
	}
	var resp AcquisitionCustomersResponse
	if err := c.post(ctx, PathAcquisitionCustomer, req, &resp, true); err != nil {
		return nil, err
	}
	return &resp, nil
}

// AcquisitionQuota returns the corp's remaining link uses.
func (c *Client) AcquisitionQuota(ctx context.Context) (*AcquisitionQuotaResponse, error) {
	var resp AcquisitionQuotaResponse
	if err := c.get(ctx, PathAcquisitionQuota, url.Values{}, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}

// LinkURLWithState is a link's URL with customer_channel=state, the way a
// link carries a channel.
func LinkURLWithState(link, state string) (string, error) {
	u, err := url.Parse(link)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("customer_channel", state)
	u.RawQuery = q.Encode()
	return u.String(), nil
}
