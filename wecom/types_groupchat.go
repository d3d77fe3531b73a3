package wecom

// Group chat status filters (GroupChatListRequest.StatusFilter and GroupChatRef.Status).
const (
	GroupStatusNormal          = 0 // list: all groups; item: normal
	GroupStatusResignedPending = 1 // owner resigned, waiting for transfer
	GroupStatusInheriting      = 2
	GroupStatusInherited       = 3
)

// Limits of groupchat/list.
const (
	MaxGroupChatListLimit = 1000
	MaxOwnerFilterUserIDs = 100
)

// GroupChatListRequest is the body of groupchat/list.
type GroupChatListRequest struct {
	StatusFilter int          `json:"status_filter,omitempty"`
	OwnerFilter  *OwnerFilter `json:"owner_filter,omitempty"`
	Cursor       string       `json:"cursor,omitempty"`
	Limit        int          `json:"limit"` // 1..MaxGroupChatListLimit, required
}

// OwnerFilter restricts groupchat/list to groups owned by these members.
type OwnerFilter struct {
	UserIDList []string `json:"userid_list"`
}

// GroupChatRef names a group chat in a list.
type GroupChatRef struct {
	ChatID string `json:"chat_id"`
	Status int    `json:"status"`
}

// GroupChatListResponse answers groupchat/list.
type GroupChatListResponse struct {
	Response
	GroupChatList []GroupChatRef `json:"group_chat_list"`
	NextCursor    string         `json:"next_cursor,omitempty"`
}

// GroupChatGetRequest is the body of groupchat/get.
type GroupChatGetRequest struct {
	ChatID   string `json:"chat_id"`
	NeedName int    `json:"need_name,omitempty"` // 1 to fill GroupChatMember.Name
}

// Group member types and join scenes of groupchat/get.
const (
	GroupMemberInternal = 1
	GroupMemberExternal = 2

	JoinSceneInvited = 1 // invited directly by a member
	JoinSceneLink    = 2 // invited by a link
	JoinSceneQRCode  = 3 // scanned the group QR code
)

// GroupChat is a customer group.
type GroupChat struct {
	ChatID        string            `json:"chat_id"`
	Name          string            `json:"name"`
	Owner         string            `json:"owner"`
	CreateTime    Timestamp         `json:"create_time"`
	Notice        string            `json:"notice,omitempty"`
	MemberList    []GroupChatMember `json:"member_list"`
	AdminList     []GroupChatAdmin  `json:"admin_list,omitempty"`
	MemberVersion string            `json:"member_version,omitempty"`
}

// GroupChatMember is one member of a customer group.
type GroupChatMember struct {
	UserID        string          `json:"userid"`
	Type          int             `json:"type"` // GroupMemberInternal or GroupMemberExternal
	UnionID       string          `json:"unionid,omitempty"`
	JoinTime      Timestamp       `json:"join_time"`
	JoinScene     int             `json:"join_scene"`
	Invitor       *GroupChatAdmin `json:"invitor,omitempty"` // set only when invited by a member
	GroupNickname string          `json:"group_nickname,omitempty"`
	Name          string          `json:"name,omitempty"`
}

// GroupChatAdmin names a member by userid (admins and invitors).
type GroupChatAdmin struct {
	UserID string `json:"userid"`
}

// GroupChatGetResponse answers groupchat/get.
type GroupChatGetResponse struct {
	Response
	GroupChat GroupChat `json:"group_chat"`
}

// AddJoinWayRequest is the body of groupchat/add_join_way (「加入群聊」).
type AddJoinWayRequest struct {
	Scene          int      `json:"scene"` // SceneMiniProgram or SceneQRCode
	Remark         string   `json:"remark,omitempty"`
	AutoCreateRoom *int     `json:"auto_create_room,omitempty"` // nil means 1
	RoomBaseName   string   `json:"room_base_name,omitempty"`
	RoomBaseID     int64    `json:"room_base_id,omitempty"`
	ChatIDList     []string `json:"chat_id_list"` // 1..MaxJoinWayChats
	State          string   `json:"state,omitempty"`
	MarkSource     *bool    `json:"mark_source,omitempty"`
}

// AddJoinWayResponse answers groupchat/add_join_way.
type AddJoinWayResponse struct {
	Response
	ConfigID string `json:"config_id"`
}

// JoinWay is a stored join way.
type JoinWay struct {
	ConfigID       string   `json:"config_id"`
	Scene          int      `json:"scene"`
	Remark         string   `json:"remark,omitempty"`
	AutoCreateRoom int      `json:"auto_create_room"`
	RoomBaseName   string   `json:"room_base_name,omitempty"`
	RoomBaseID     int64    `json:"room_base_id,omitempty"`
	ChatIDList     []string `json:"chat_id_list"`
	QRCode         string   `json:"qr_code,omitempty"`
	State          string   `json:"state,omitempty"`
}

// GetJoinWayResponse answers groupchat/get_join_way.
type GetJoinWayResponse struct {
	Response
	JoinWay JoinWay `json:"join_way"`
}

// UpdateJoinWayRequest is the body of groupchat/update_join_way.
type UpdateJoinWayRequest struct {
	ConfigID       string   `json:"config_id"`
	Scene          int      `json:"scene"`
	Remark         string   `json:"remark,omitempty"`
	AutoCreateRoom *int     `json:"auto_create_room,omitempty"`
	RoomBaseName   string   `json:"room_base_name,omitempty"`
	RoomBaseID     int64    `json:"room_base_id,omitempty"`
	ChatIDList     []string `json:"chat_id_list"`
	State          string   `json:"state,omitempty"`
	MarkSource     *bool    `json:"mark_source,omitempty"`
}
