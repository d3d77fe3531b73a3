package wecom

import (
	"context"
	"iter"
	"net/url"
)

// ListExternalContacts returns the external_userids of the customers of
// member userID (externalcontact/list).
func (c *Client) ListExternalContacts(ctx context.Context, userID string) ([]string, error) {
	if err := checkRequired("externalcontact/list", "userid", userID); err != nil {
		return nil, err
	}
	var resp ListExternalContactsResponse
	if err := c.get(ctx, PathExternalContactList, url.Values{QueryUserID: {userID}}, &resp); err != nil {
		return nil, err
	}
	return resp.ExternalUserID, nil
}

// GetExternalContact returns a customer and the members who follow them
// (externalcontact/get). Pass the previous NextCursor to page through
// follow_user when more than 500 members follow the customer.
func (c *Client) GetExternalContact(ctx context.Context, externalUserID, cursor string) (*GetExternalContactResponse, error) {
	if err := checkRequired("externalcontact/get", "external_userid", externalUserID); err != nil {
		return nil, err
	}
	q := url.Values{QueryExternalUserID: {externalUserID}}
	if cursor != "" {
		q.Set(QueryCursor, cursor)
	}
	var resp GetExternalContactResponse
	if err := c.get(ctx, PathExternalContactGet, q, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}

// BatchGetByUser returns one page of the customers of up to 100 members
// (externalcontact/batch/get_by_user).
func (c *Client) BatchGetByUser(ctx context.Context, req BatchGetByUserRequest) (*BatchGetByUserResponse, error) {
	const api = "batch/get_by_user"
	if err := checkCount(api, "userid_list", len(req.UserIDList), 1, MaxBatchUserIDs); err != nil {
		return nil, err
	}
	if err := checkLimit(api, req.Limit, MaxBatchLimit); err != nil {
		return nil, err
	}
	var resp BatchGetByUserResponse
	if err := c.post(ctx, PathBatchGetByUser, req, &resp, true); err != nil {
		return nil, err
	}
	return &resp, nil
}

// ExternalContactsByUser walks every page of batch/get_by_user for the
// given members (at most 100) and yields each (customer, member) pair. It
// stops at the first error, which it yields.
func (c *Client) ExternalContactsByUser(ctx context.Context, userIDs []string, limit int) iter.Seq2[ExternalContactFollow, error] {
	return func(yield func(ExternalContactFollow, error) bool) {
		req := BatchGetByUserRequest{UserIDList: userIDs, Limit: limit}
		for {
			resp, err := c.BatchGetByUser(ctx, req)
			if err != nil {
				yield(ExternalContactFollow{}, err)
				return
			}
			for _, item := range resp.ExternalContactList {
				if !yield(item, nil) {
					return
				}
			}
			if resp.NextCursor == "" || resp.NextCursor == req.Cursor {
				return
			}
			req.Cursor = resp.NextCursor
		}
	}
}

// Remark sets a member's remark, description, company and phone numbers
// for a customer (externalcontact/remark).
func (c *Client) Remark(ctx context.Context, req RemarkRequest) error {
	const api = "externalcontact/remark"
	if err := checkRequired(api, "userid", req.UserID); err != nil {
		return err
	}
	if err := checkRequired(api, "external_userid", req.ExternalUserID); err != nil {
		return err
	}
	if err := checkMaxRunes(api, "remark", req.Remark, 20); err != nil {
		return err
	}
	if err := checkMaxRunes(api, "description", req.Description, 150); err != nil {
		return err
	}
	if err := checkMaxRunes(api, "remark_company", req.RemarkCompany, 20); err != nil {
		return err
	}
	return c.post(ctx, PathRemark, req, new(Response), true)
}

// GetFollowUserList returns the members with customer contact enabled
// (externalcontact/get_follow_user_list).
func (c *Client) GetFollowUserList(ctx context.Context) ([]string, error) {
	var resp GetFollowUserListResponse
	if err := c.get(ctx, PathGetFollowUserList, nil, &resp); err != nil {
		return nil, err
	}
	return resp.FollowUser, nil
}
