package wecom

import (
	"context"
	"iter"
)

// GroupChatList returns one page of customer groups (groupchat/list).
// Without an owner filter, a corp whose app sees more than 1000 members
// gets errcode 81017.
func (c *Client) GroupChatList(ctx context.Context, req GroupChatListRequest) (*GroupChatListResponse, error) {
	const api = "groupchat/list"
	if req.Limit < 1 || req.Limit > MaxGroupChatListLimit {
		return nil, invalid(api, "limit %d is out of range 1 to %d", req.Limit, MaxGroupChatListLimit)
	}
	if req.StatusFilter < 0 || req.StatusFilter > GroupStatusInherited {
		return nil, invalid(api, "status_filter %d is out of range 0 to 3", req.StatusFilter)
	}
	if req.OwnerFilter != nil {
		if err := checkCount(api, "owner_filter.userid_list", len(req.OwnerFilter.UserIDList), 1, MaxOwnerFilterUserIDs); err != nil {
			return nil, err
		}
	}
	var resp GroupChatListResponse
	if err := c.post(ctx, PathGroupChatList, req, &resp, true); err != nil {
		return nil, err
	}
	return &resp, nil
}

// GroupChats walks every page of groupchat/list starting at req.Cursor and
// yields each group. A zero req.Limit means the maximum page size. It stops
// at the first error, which it yields.
func (c *Client) GroupChats(ctx context.Context, req GroupChatListRequest) iter.Seq2[GroupChatRef, error] {
	if req.Limit == 0 {
		req.Limit = MaxGroupChatListLimit
	}
	return func(yield func(GroupChatRef, error) bool) {
		for {
			resp, err := c.GroupChatList(ctx, req)
			if err != nil {
				yield(GroupChatRef{}, err)
				return
			}
			for _, g := range resp.GroupChatList {
				if !yield(g, nil) {
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

// GroupChatGet returns a customer group with its members; needName fills
// the members' names.
func (c *Client) GroupChatGet(ctx context.Context, chatID string, needName bool) (*GroupChat, error) {
	if err := checkRequired("groupchat/get", "chat_id", chatID); err != nil {
		return nil, err
	}
	req := GroupChatGetRequest{ChatID: chatID}
	if needName {
		req.NeedName = 1
	}
	var resp GroupChatGetResponse
	if err := c.post(ctx, PathGroupChatGet, req, &resp, true); err != nil {
		return nil, err
	}
	return &resp.GroupChat, nil
}

func checkJoinWay(api string, scene int, remark, state, roomBaseName string, chatIDs []string) error {
	if scene != SceneMiniProgram && scene != SceneQRCode {
		return invalid(api, "scene %d is not 1 (mini program) or 2 (QR code)", scene)
	}
	if err := checkCount(api, "chat_id_list", len(chatIDs), 1, MaxJoinWayChats); err != nil {
		return err
	}
	if err := checkMaxRunes(api, "remark", remark, MaxRemarkLen); err != nil {
		return err
	}
	if err := checkMaxRunes(api, "state", state, MaxStateLen); err != nil {
		return err
	}
	return checkMaxRunes(api, "room_base_name", roomBaseName, MaxRoomBaseName)
}

// AddJoinWay creates a 「加入群聊」 way for up to 5 groups and returns its
// config_id; GetJoinWay returns its QR code.
func (c *Client) AddJoinWay(ctx context.Context, req AddJoinWayRequest) (string, error) {
	if err := checkJoinWay("groupchat/add_join_way", req.Scene, req.Remark, req.State, req.RoomBaseName, req.ChatIDList); err != nil {
		return "", err
	}
	var resp AddJoinWayResponse
	if err := c.post(ctx, PathAddJoinWay, req, &resp, false); err != nil {
		return "", err
	}
	return resp.ConfigID, nil
}

// GetJoinWay returns a join way and its QR code.
func (c *Client) GetJoinWay(ctx context.Context, configID string) (*JoinWay, error) {
	if err := checkRequired("groupchat/get_join_way", "config_id", configID); err != nil {
		return nil, err
	}
	var resp GetJoinWayResponse
	if err := c.post(ctx, PathGetJoinWay, ConfigIDRequest{ConfigID: configID}, &resp, true); err != nil {
		return nil, err
	}
	return &resp.JoinWay, nil
}

// UpdateJoinWay replaces the settings of a join way.
func (c *Client) UpdateJoinWay(ctx context.Context, req UpdateJoinWayRequest) error {
	const api = "groupchat/update_join_way"
	if err := checkRequired(api, "config_id", req.ConfigID); err != nil {
		return err
	}
	if err := checkJoinWay(api, req.Scene, req.Remark, req.State, req.RoomBaseName, req.ChatIDList); err != nil {
		return err
	}
	return c.post(ctx, PathUpdateJoinWay, req, new(Response), true)
}

// DelJoinWay deletes a join way.
func (c *Client) DelJoinWay(ctx context.Context, configID string) error {
	if err := checkRequired("groupchat/del_join_way", "config_id", configID); err != nil {
		return err
	}
	return c.post(ctx, PathDelJoinWay, ConfigIDRequest{ConfigID: configID}, new(Response), true)
}
