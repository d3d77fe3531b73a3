package wecom

// MaxTagNameLen is the longest corp tag or tag group name, in characters.
const MaxTagNameLen = 30

// GetCorpTagListRequest is the body of get_corp_tag_list. Both lists empty
// means every tag.
type GetCorpTagListRequest struct {
	TagID   []string `json:"tag_id,omitempty"`
	GroupID []string `json:"group_id,omitempty"`
}

// CorpTagGroup is a group of corp tags.
type CorpTagGroup struct {
	GroupID    string    `json:"group_id"`
	GroupName  string    `json:"group_name"`
	CreateTime Timestamp `json:"create_time"`
	Order      uint32    `json:"order"` // bigger sorts first
	Deleted    bool      `json:"deleted,omitempty"`
	Tag        []CorpTag `json:"tag"`
}

// CorpTag is one corp tag.
type CorpTag struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	CreateTime Timestamp `json:"create_time"`
	Order      uint32    `json:"order"`
	Deleted    bool      `json:"deleted,omitempty"`
}

// GetCorpTagListResponse answers get_corp_tag_list.
type GetCorpTagListResponse struct {
	Response
	TagGroup []CorpTagGroup `json:"tag_group"`
}

// AddCorpTagRequest is the body of add_corp_tag: tags are added to GroupID,
// or to a group named GroupName (created when it does not exist).
type AddCorpTagRequest struct {
	GroupID   string       `json:"group_id,omitempty"`
	GroupName string       `json:"group_name,omitempty"`
	Order     uint32       `json:"order,omitempty"`
	Tag       []NewCorpTag `json:"tag"`
	AgentID   int64        `json:"agentid,omitempty"`
}

// NewCorpTag is a tag to create.
type NewCorpTag struct {
	Name  string `json:"name"`
	Order uint32 `json:"order,omitempty"`
}

// AddCorpTagResponse answers add_corp_tag.
type AddCorpTagResponse struct {
	Response
	TagGroup CorpTagGroup `json:"tag_group"`
}

// EditCorpTagRequest is the body of edit_corp_tag. ID is a tag id or a
// group id.
type EditCorpTagRequest struct {
	ID      string  `json:"id"`
	Name    string  `json:"name,omitempty"`
	Order   *uint32 `json:"order,omitempty"`
	AgentID int64   `json:"agentid,omitempty"`
}

// DelCorpTagRequest is the body of del_corp_tag. Deleting a group deletes
// its tags.
type DelCorpTagRequest struct {
	TagID   []string `json:"tag_id,omitempty"`
	GroupID []string `json:"group_id,omitempty"`
	AgentID int64    `json:"agentid,omitempty"`
}

// MarkTagRequest is the body of mark_tag.
type MarkTagRequest struct {
	UserID         string   `json:"userid"`
	ExternalUserID string   `json:"external_userid"`
	AddTag         []string `json:"add_tag,omitempty"`
	RemoveTag      []string `json:"remove_tag,omitempty"`
}
