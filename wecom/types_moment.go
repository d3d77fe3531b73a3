package wecom

// Moment task states (GetMomentTaskResultResponse.Status).
const (
	MomentTaskStarted = 1
	MomentTaskRunning = 2
	MomentTaskDone    = 3
)

// AddMomentTaskRequest is the body of add_moment_task. Text and Attachments
// cannot both be empty. Attachments use MsgType image, video or link (link
// with MediaID as cover).
type AddMomentTaskRequest struct {
	Text         *TextContent        `json:"text,omitempty"`
	Attachments  []Attachment        `json:"attachments,omitempty"`
	VisibleRange *MomentVisibleRange `json:"visible_range,omitempty"`
}

// MomentVisibleRange says who posts the moment and which customers see it.
type MomentVisibleRange struct {
	SenderList          *MomentSenderList          `json:"sender_list,omitempty"`
	ExternalContactList *MomentExternalContactList `json:"external_contact_list,omitempty"`
}

// MomentSenderList is the members who post a moment.
type MomentSenderList struct {
	UserList       []string `json:"user_list,omitempty"`
	DepartmentList []int64  `json:"department_list,omitempty"`
}

// MomentExternalContactList restricts a moment to customers with corp tags.
type MomentExternalContactList struct {
	TagList []string `json:"tag_list,omitempty"`
}

// AddMomentTaskResponse answers add_moment_task. The job is asynchronous:
// poll GetMomentTaskResult with JobID (valid 24 h).
type AddMomentTaskResponse struct {
	Response
	JobID string `json:"jobid"`
}

// GetMomentTaskResultResponse answers GET get_moment_task_result?jobid=.
type GetMomentTaskResultResponse struct {
	Response
	Status int              `json:"status"`
	Type   string           `json:"type"` // "add_moment_task"
	Result MomentTaskResult `json:"result"`
}

// MomentTaskResult is the outcome of a finished moment task.
type MomentTaskResult struct {
	Response
	MomentID                   string                     `json:"moment_id,omitempty"`
	InvalidSenderList          *MomentSenderList          `json:"invalid_sender_list,omitempty"`
	InvalidExternalContactList *MomentExternalContactList `json:"invalid_external_contact_list,omitempty"`
}

// MomentIDRequest is the body of cancel_moment_task.
type MomentIDRequest struct {
	MomentID string `json:"moment_id"`
}

// GetMomentListRequest is the body of get_moment_list.
type GetMomentListRequest struct {
	StartTime  Timestamp `json:"start_time"`
	EndTime    Timestamp `json:"end_time"`
	Creator    string    `json:"creator,omitempty"`
	FilterType *int      `json:"filter_type,omitempty"` // nil means FilterTypeAll
	Cursor     string    `json:"cursor,omitempty"`
	Limit      int       `json:"limit,omitempty"` // at most 20
}

// Moment is one post to customers' moments.
type Moment struct {
	MomentID    string           `json:"moment_id"`
	Creator     string           `json:"creator,omitempty"`
	CreateTime  Timestamp        `json:"create_time"`
	CreateType  int              `json:"create_type"`  // 0 corp, 1 personal
	VisibleType int              `json:"visible_type"` // 0 partial, 1 public
	Text        *TextContent     `json:"text,omitempty"`
	Image       []MediaRef       `json:"image,omitempty"`
	Video       *MediaAttachment `json:"video,omitempty"`
	Link        *MomentLink      `json:"link,omitempty"`
	Location    *MomentLocation  `json:"location,omitempty"`
}

// MediaRef names an uploaded medium.
type MediaRef struct {
	MediaID string `json:"media_id"`
}

// MomentLink is the link of a moment.
type MomentLink struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// MomentLocation is the place of a moment. Coordinates are decimal strings.
type MomentLocation struct {
	Latitude  string `json:"latitude"`
	Longitude string `json:"longitude"`
	Name      string `json:"name"`
}

// GetMomentListResponse answers get_moment_list.
type GetMomentListResponse struct {
	Response
	NextCursor string   `json:"next_cursor"`
	MomentList []Moment `json:"moment_list"`
}

// GetMomentTaskRequest is the body of get_moment_task.
type GetMomentTaskRequest struct {
	MomentID string `json:"moment_id"`
	Cursor   string `json:"cursor,omitempty"`
	Limit    int    `json:"limit,omitempty"` // at most 1000, default 500
}

// MomentTask is one member's publishing state.
type MomentTask struct {
	UserID        string `json:"userid"`
	PublishStatus int    `json:"publish_status"` // 0 not published, 1 published
}

// GetMomentTaskResponse answers get_moment_task.
type GetMomentTaskResponse struct {
	Response
	NextCursor string       `json:"next_cursor"`
	TaskList   []MomentTask `json:"task_list"`
}

// GetMomentCustomerListRequest is the body of get_moment_customer_list and
// get_moment_send_result.
type GetMomentCustomerListRequest struct {
	MomentID string `json:"moment_id"`
	UserID   string `json:"userid"`
	Cursor   string `json:"cursor,omitempty"`
	Limit    int    `json:"limit,omitempty"` // customer list: ≤1000 (500); send result: ≤5000 (3000)
}

// MomentCustomer is a customer in a moment's chosen visible range.
type MomentCustomer struct {
	UserID         string `json:"userid"`
	ExternalUserID string `json:"external_userid"`
}

// GetMomentCustomerListResponse answers get_moment_customer_list.
type GetMomentCustomerListResponse struct {
	Response
	NextCursor   string           `json:"next_cursor"`
	CustomerList []MomentCustomer `json:"customer_list"`
}

// MomentSendCustomer is a customer a moment was delivered to.
type MomentSendCustomer struct {
	ExternalUserID string `json:"external_userid"`
}

// GetMomentSendResultResponse answers get_moment_send_result.
type GetMomentSendResultResponse struct {
	Response
	NextCursor   string               `json:"next_cursor"`
	CustomerList []MomentSendCustomer `json:"customer_list"`
}

// GetMomentCommentsRequest is the body of get_moment_comments.
type GetMomentCommentsRequest struct {
	MomentID string `json:"moment_id"`
	UserID   string `json:"userid"`
}

// MomentInteraction is a comment or a like: who and when, never the text.
// Exactly one of ExternalUserID and UserID is set.
type MomentInteraction struct {
	ExternalUserID string    `json:"external_userid,omitempty"`
	UserID         string    `json:"userid,omitempty"`
	CreateTime     Timestamp `json:"create_time"`
}

// GetMomentCommentsResponse answers get_moment_comments.
type GetMomentCommentsResponse struct {
	Response
	CommentList []MomentInteraction `json:"comment_list"`
	LikeList    []MomentInteraction `json:"like_list"`
}
