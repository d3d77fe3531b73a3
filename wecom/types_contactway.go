package wecom

// Contact way types and scenes.
const (
	ContactWayTypeSingle = 1 // one member
	ContactWayTypeMulti  = 2 // several members or departments

	SceneMiniProgram = 1 // a button in a mini program
	SceneQRCode      = 2 // a QR code
)

// Limits of contact ways and join ways.
const (
	MaxStateLen     = 30 // state, in characters
	MaxRemarkLen    = 30 // contact way / join way remark, in characters
	MaxJoinWayChats = 5
	MaxRoomBaseName = 40
)

// Conclusions is the closing message of a temporary contact way.
type Conclusions struct {
	Text        *TextContent           `json:"text,omitempty"`
	Image       *ImageAttachment       `json:"image,omitempty"`
	Link        *LinkAttachment        `json:"link,omitempty"`
	MiniProgram *MiniProgramAttachment `json:"miniprogram,omitempty"`
}

// AddContactWayRequest is the body of add_contact_way (「联系我」).
type AddContactWayRequest struct {
	Type          int          `json:"type"`  // ContactWayTypeSingle or ContactWayTypeMulti
	Scene         int          `json:"scene"` // SceneMiniProgram or SceneQRCode
	Style         int          `json:"style,omitempty"`
	Remark        string       `json:"remark,omitempty"`
	SkipVerify    *bool        `json:"skip_verify,omitempty"` // nil means true
	State         string       `json:"state,omitempty"`       // at most MaxStateLen chars; comes back in the add event
	User          []string     `json:"user,omitempty"`
	Party         []int64      `json:"party,omitempty"`
	IsTemp        bool         `json:"is_temp,omitempty"`
	ExpiresIn     int          `json:"expires_in,omitempty"`      // seconds
	ChatExpiresIn int          `json:"chat_expires_in,omitempty"` // seconds
	UnionID       string       `json:"unionid,omitempty"`
	IsExclusive   bool         `json:"is_exclusive,omitempty"`
	MarkSource    *bool        `json:"mark_source,omitempty"`
	Conclusions   *Conclusions `json:"conclusions,omitempty"`
}

// AddContactWayResponse answers add_contact_way. QRCode is set for
// SceneQRCode only.
type AddContactWayResponse struct {
	Response
	ConfigID string `json:"config_id"`
	QRCode   string `json:"qr_code,omitempty"`
}

// ConfigIDRequest is the body of get/del_contact_way and get/del_join_way.
type ConfigIDRequest struct {
	ConfigID string `json:"config_id"`
}

// ContactWay is a stored contact way.
type ContactWay struct {
	ConfigID      string       `json:"config_id"`
	Type          int          `json:"type"`
	Scene         int          `json:"scene"`
	Style         int          `json:"style,omitempty"`
	Remark        string       `json:"remark,omitempty"`
	SkipVerify    bool         `json:"skip_verify"`
	State         string       `json:"state,omitempty"`
	QRCode        string       `json:"qr_code,omitempty"`
	User          []string     `json:"user,omitempty"`
	Party         []int64      `json:"party,omitempty"`
	IsTemp        bool         `json:"is_temp"`
	ExpiresIn     int          `json:"expires_in,omitempty"`
	ChatExpiresIn int          `json:"chat_expires_in,omitempty"`
	UnionID       string       `json:"unionid,omitempty"`
	IsExclusive   bool         `json:"is_exclusive,omitempty"`
	Conclusions   *Conclusions `json:"conclusions,omitempty"`
}

// GetContactWayResponse answers get_contact_way.
type GetContactWayResponse struct {
	Response
	ContactWay ContactWay `json:"contact_way"`
}

// ListContactWayRequest is the body of list_contact_way.
type ListContactWayRequest struct {
	StartTime Timestamp `json:"start_time,omitempty"`
	EndTime   Timestamp `json:"end_time,omitempty"`
	Cursor    string    `json:"cursor,omitempty"`
	Limit     int       `json:"limit,omitempty"` // at most 1000, default 100
}

// ContactWayRef names a contact way in a list.
type ContactWayRef struct {
	ConfigID string `json:"config_id"`
}

// ListContactWayResponse answers list_contact_way.
type ListContactWayResponse struct {
	Response
	ContactWay []ContactWayRef `json:"contact_way"`
	NextCursor string          `json:"next_cursor"`
}

// UpdateContactWayRequest is the body of update_contact_way. User and Party,
// when given, replace the old lists.
type UpdateContactWayRequest struct {
	ConfigID      string       `json:"config_id"`
	Remark        string       `json:"remark,omitempty"`
	SkipVerify    *bool        `json:"skip_verify,omitempty"`
	Style         int          `json:"style,omitempty"`
	State         string       `json:"state,omitempty"`
	User          []string     `json:"user,omitempty"`
	Party         []int64      `json:"party,omitempty"`
	ExpiresIn     int          `json:"expires_in,omitempty"`
	ChatExpiresIn int          `json:"chat_expires_in,omitempty"`
	UnionID       string       `json:"unionid,omitempty"`
	MarkSource    *bool        `json:"mark_source,omitempty"`
	Conclusions   *Conclusions `json:"conclusions,omitempty"`
}

// CloseTempChatRequest is the body of close_temp_chat.
type CloseTempChatRequest struct {
	UserID         string `json:"userid"`
	ExternalUserID string `json:"external_userid"`
}
