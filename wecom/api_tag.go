package wecom

import (
	"context"
	"strconv"
)

// GetCorpTagList returns corp tag groups; an empty request returns them all.
func (c *Client) GetCorpTagList(ctx context.Context, req GetCorpTagListRequest) ([]CorpTagGroup, error) {
	var resp GetCorpTagListResponse
	if err := c.post(ctx, PathGetCorpTagList, req, &resp, true); err != nil {
		return nil, err
	}
	return resp.TagGroup, nil
}

// AddCorpTag adds tags to a group, creating the group when it is named by
// GroupName and does not exist.
func (c *Client) AddCorpTag(ctx context.Context, req AddCorpTagRequest) (*CorpTagGroup, error) {
	const api = "add_corp_tag"
	if req.GroupID == "" && req.GroupName == "" {
		return nil, invalid(api, "group_id or group_name is required")
	}
	if err := checkMaxRunes(api, "group_name", req.GroupName, MaxTagNameLen); err != nil {
		return nil, err
	}
	if len(req.Tag) == 0 {
		return nil, invalid(api, "tag is empty")
	}
	for i, t := range req.Tag {
		field := "tag[" + strconv.Itoa(i) + "].name"
		if err := checkRequired(api, field, t.Name); err != nil {
			return nil, err
		}
		if err := checkMaxRunes(api, field, t.Name, MaxTagNameLen); err != nil {
			return nil, err
		}
	}
	var resp AddCorpTagResponse
	if err := c.post(ctx, PathAddCorpTag, req, &resp, false); err != nil {
		return nil, err
	}
	return &resp.TagGroup, nil
}

// EditCorpTag renames or reorders a tag or a tag group.
func (c *Client) EditCorpTag(ctx context.Context, req EditCorpTagRequest) error {
	const api = "edit_corp_tag"
	if err := checkRequired(api, "id", req.ID); err != nil {
		return err
	}
	if err := checkMaxRunes(api, "name", req.Name, MaxTagNameLen); err != nil {
		return err
	}
	return c.post(ctx, PathEditCorpTag, req, new(Response), true)
}

// DelCorpTag deletes tags and tag groups.
func (c *Client) DelCorpTag(ctx context.Context, req DelCorpTagRequest) error {
	if len(req.TagID) == 0 && len(req.GroupID) == 0 {
		return invalid("del_corp_tag", "tag_id and group_id are both empty")
	}
	return c.post(ctx, PathDelCorpTag, req, new(Response), true)
}

// MarkTag adds and removes corp tags on a customer, as seen by a member.
func (c *Client) MarkTag(ctx context.Context, req MarkTagRequest) error {
	const api = "mark_tag"
	if err := checkRequired(api, "userid", req.UserID); err != nil {
		return err
	}
	if err := checkRequired(api, "external_userid", req.ExternalUserID); err != nil {
		return err
	}
	if len(req.AddTag) == 0 && len(req.RemoveTag) == 0 {
		return invalid(api, "add_tag and remove_tag are both empty")
	}
	return c.post(ctx, PathMarkTag, req, new(Response), true)
}
