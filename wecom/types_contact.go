package wecom

// GetTokenResponse answers GET /cgi-bin/gettoken.
type GetTokenResponse struct {
	Response
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"` // seconds, normally 7200
}

// External contact types (ExternalContact.Type).
const (
	ExternalTypeWeChat = 1 // a WeChat user
	ExternalTypeWeCom  = 2 // a WeCom user of another corp
)

// Follow-user tag types (FollowUserTag.Type).
const (
	TagTypeCorp      = 1
	TagTypePersonal  = 2
	TagTypeRuleGroup = 3
)

// How the customer was added (FollowUser.AddWay).
const (
	AddWayUnknown       = 0
	AddWayQRCode        = 1
	AddWayPhoneSearch   = 2
	AddWayBusinessCard  = 3
	AddWayGroupChat     = 4
	AddWayPhoneContacts = 5
	AddWayWeChatContact = 6
	AddWayFriendRequest = 7
	AddWayServiceStaff  = 8
	AddWayEmailSearch   = 9
	AddWayChannels      = 10
	AddWaySharedByUser  = 201
	AddWayAssignedAdmin = 202
)

// ExternalContact is a customer as WeCom describes them.
type ExternalContact struct {
	ExternalUserID  string           `json:"external_userid"`
	Name            string           `json:"name"`
	Position        string           `json:"position,omitempty"`
	Avatar          string           `json:"avatar,omitempty"`
	CorpName        string           `json:"corp_name,omitempty"`
	CorpFullName    string           `json:"corp_full_name,omitempty"`
	Type            int              `json:"type"`   // ExternalTypeWeChat or ExternalTypeWeCom
	Gender          int              `json:"gender"` // 0 unknown, 1 male, 2 female
	UnionID         string           `json:"unionid,omitempty"`
	ExternalProfile *ExternalProfile `json:"external_profile,omitempty"`
}

// ExternalProfile is the public profile of a WeCom-user customer.
type ExternalProfile struct {
	ExternalAttr []ExternalAttr `json:"external_attr,omitempty"`
}

// ExternalAttr is one profile attribute: Type 0 text, 1 web page, 2 mini program.
type ExternalAttr struct {
	Type        int                      `json:"type"`
	Name        string                   `json:"name"`
	Text        *ExternalAttrText        `json:"text,omitempty"`
	Web         *ExternalAttrWeb         `json:"web,omitempty"`
	MiniProgram *ExternalAttrMiniProgram `json:"miniprogram,omitempty"`
}

// ExternalAttrText is a text profile attribute.
type ExternalAttrText struct {
	Value string `json:"value"`
}

// ExternalAttrWeb is a web page profile attribute.
type ExternalAttrWeb struct {
	URL   string `json:"url"`
	Title string `json:"title"`
}

// ExternalAttrMiniProgram is a mini-program profile attribute.
type ExternalAttrMiniProgram struct {
	AppID    string `json:"appid"`
	PagePath string `json:"pagepath"`
	Title    string `json:"title"`
}

// FollowUser is one member who has the customer as a contact, as returned by
// externalcontact/get.
type FollowUser struct {
	UserID         string          `json:"userid"`
	Remark         string          `json:"remark"`
	Description    string          `json:"description"`
	CreateTime     Timestamp       `json:"createtime"`
	Tags           []FollowUserTag `json:"tags,omitempty"`
	RemarkCorpName string          `json:"remark_corp_name,omitempty"`
	RemarkMobiles  []string        `json:"remark_mobiles,omitempty"`
	AddWay         int             `json:"add_way"`
	OperUserID     string          `json:"oper_userid"`
	State          string          `json:"state,omitempty"` // the contact way's state: the channel key
}

// FollowUserTag is a tag the member put on the customer.
type FollowUserTag struct {
	GroupName string `json:"group_name"`
	TagName   string `json:"tag_name"`
	TagID     string `json:"tag_id,omitempty"` // absent for personal tags
	Type      int    `json:"type"`             // TagTypeCorp, TagTypePersonal or TagTypeRuleGroup
}

// FollowInfo is the follow_info of batch/get_by_user: like FollowUser, but
// with tag ids (corp and rule-group tags only) instead of tags.
type FollowInfo struct {
	UserID         string    `json:"userid"`
	Remark         string    `json:"remark"`
	Description    string    `json:"description"`
	CreateTime     Timestamp `json:"createtime"`
	TagID          []string  `json:"tag_id,omitempty"`
	RemarkCorpName string    `json:"remark_corp_name,omitempty"`
	RemarkMobiles  []string  `json:"remark_mobiles,omitempty"`
	AddWay         int       `json:"add_way"`
	OperUserID     string    `json:"oper_userid"`
	State          string    `json:"state,omitempty"`
}

// ListExternalContactsResponse answers GET externalcontact/list?userid=.
type ListExternalContactsResponse struct {
	Response
	ExternalUserID []string `json:"external_userid"`
}

// GetExternalContactResponse answers GET externalcontact/get?external_userid=&cursor=.
// FollowUser is paged (NextCursor) when more than 500 members follow the customer.
type GetExternalContactResponse struct {
	Response
	ExternalContact ExternalContact `json:"external_contact"`
	FollowUser      []FollowUser    `json:"follow_user"`
	NextCursor      string          `json:"next_cursor,omitempty"`
}

// Limits of batch/get_by_user.
const (
	MaxBatchUserIDs   = 100
	MaxBatchLimit     = 100
	DefaultBatchLimit = 50
)

// BatchGetByUserRequest is the body of batch/get_by_user.
type BatchGetByUserRequest struct {
	UserIDList []string `json:"userid_list"`      // at most MaxBatchUserIDs
	Cursor     string   `json:"cursor,omitempty"` //
	Limit      int      `json:"limit,omitempty"`  // at most MaxBatchLimit, default DefaultBatchLimit
}

// BatchGetByUserResponse answers batch/get_by_user. NextCursor is empty on the
// last page.
type BatchGetByUserResponse struct {
	Response
	ExternalContactList []ExternalContactFollow `json:"external_contact_list"`
	NextCursor          string                  `json:"next_cursor"`
}

// ExternalContactFollow is one (customer, member) pair of batch/get_by_user.
type ExternalContactFollow struct {
	ExternalContact ExternalContact `json:"external_contact"`
	FollowInfo      FollowInfo      `json:"follow_info"`
}

// RemarkRequest is the body of externalcontact/remark. Absent fields are not
// changed.
type RemarkRequest struct {
	UserID           string   `json:"userid"`
	ExternalUserID   string   `json:"external_userid"`
	Remark           string   `json:"remark,omitempty"`         // at most 20 chars
	Description      string   `json:"description,omitempty"`    // at most 150 chars
	RemarkCompany    string   `json:"remark_company,omitempty"` // at most 20 chars
	RemarkMobiles    []string `json:"remark_mobiles,omitempty"` // replaces the old list
	RemarkPicMediaID string   `json:"remark_pic_mediaid,omitempty"`
}

// GetFollowUserListResponse answers GET externalcontact/get_follow_user_list.
type GetFollowUserListResponse struct {
	Response
	FollowUser []string `json:"follow_user"`
}
