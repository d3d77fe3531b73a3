package siyu

import "time"

// ReachChannel is how automation reaches a person.
type ReachChannel string

const (
	ReachSingle  ReachChannel = "single"  // 1:1, a WeCom mass-message task of one account
	ReachGroup   ReachChannel = "group"   // a customer group's mass message
	ReachMoment  ReachChannel = "moment"  // a customer-moments post
	ReachWelcome ReachChannel = "welcome" // the welcome message on a new contact
)

// Message is what a campaign, journey or person sends: text plus at most a
// few attachments, already personalised.
type Message struct {
	Text        string              `json:"text,omitempty"`
	Image       *ImageContent       `json:"image,omitempty"`
	Link        *LinkContent        `json:"link,omitempty"`
	MiniProgram *MiniProgramContent `json:"miniprogram,omitempty"`
}

// ImageContent is an image attachment: an uploaded media id or a URL.
type ImageContent struct {
	MediaID string `json:"media_id,omitempty"`
	PicURL  string `json:"pic_url,omitempty"`
}

// LinkContent is a link card.
type LinkContent struct {
	Title  string `json:"title"`
	Desc   string `json:"desc,omitempty"`
	URL    string `json:"url"`
	PicURL string `json:"pic_url,omitempty"`
}

// MiniProgramContent is a mini-program card.
type MiniProgramContent struct {
	Title      string `json:"title"`
	AppID      string `json:"appid"`
	Page       string `json:"page"`
	PicMediaID string `json:"pic_media_id"`
}

// Delivery is one message to one person (or one group) through one account:
// the unit that policies admit, queues carry and idempotency keys name.
type Delivery struct {
	// Key is unique in the workspace and the same on every retry, e.g.
	// "campaign:12:customer:345". A key is delivered at most once.
	Key            string       `json:"key"`
	WorkspaceID    int64        `json:"workspace_id"`
	CampaignID     int64        `json:"campaign_id,omitempty"`
	CustomerID     int64        `json:"customer_id,omitempty"`
	AccountID      int64        `json:"account_id"`
	Sender         string       `json:"sender"` // the account's WeCom userid
	ExternalUserID string       `json:"external_userid,omitempty"`
	ChatID         string       `json:"chat_id,omitempty"`
	Channel        ReachChannel `json:"channel"`
	Variant        string       `json:"variant,omitempty"`
	Message        Message      `json:"message"`
}

// SkipReason says why a person is not reached.
type SkipReason string

const (
	SkipOptedOut     SkipReason = "opted_out"     // said 退订 or was marked opted out
	SkipFrequencyCap SkipReason = "frequency_cap" // our own cap per person
	SkipQuietHours   SkipReason = "quiet_hours"   // would arrive at night
	SkipNotContact   SkipReason = "not_contact"   // no live WeCom contact any more
	SkipAccountQuota SkipReason = "account_quota" // the account's daily quota is used up
	SkipWeComCap     SkipReason = "wecom_cap"     // WeCom's mass-message cap per customer
	SkipHoldout      SkipReason = "holdout"       // in the campaign's control group
	SkipNotFriend    SkipReason = "not_friend"    // WeCom said the person deleted the account
)

// Skip is a delivery that was not admitted. A non-zero RetryAt means not
// yet rather than never (quiet hours end then).
type Skip struct {
	Key     string     `json:"key"`
	Reason  SkipReason `json:"reason"`
	RetryAt time.Time  `json:"retry_at,omitzero"`
}

// Task is work for a person rather than a machine (人工增强): confirm a mass
// send on the phone, follow up a customer who showed interest, reply to a
// hot comment.
type Task struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"workspace_id"`
	Kind        string    `json:"kind"`
	Title       string    `json:"title"`
	Detail      string    `json:"detail,omitempty"`
	CustomerID  int64     `json:"customer_id,omitempty"`
	AccountID   int64     `json:"account_id,omitempty"`  // the WeCom account (persona) the work is done as
	AssigneeID  int64     `json:"assignee_id,omitempty"` // a user; 0 = the account's operators
	DueAt       time.Time `json:"due_at"`
	Status      string    `json:"status"`        // open, done, cancelled
	Ref         string    `json:"ref,omitempty"` // unique in the workspace: the same work is one task
	CreatedAt   time.Time `json:"created_at"`
	DoneAt      time.Time `json:"done_at,omitzero"`
	DoneBy      int64     `json:"done_by,omitempty"`
}

// Task kinds created by the system.
const (
	TaskConfirmMassSend = "confirm_mass_send"
	TaskFollowUp        = "follow_up"
	TaskReplyComment    = "reply_comment"
)

// Events recorded by the reach engine.
const (
	EventReachSent    = "reach.sent"
	EventReachFailed  = "reach.failed"
	EventOptedOut     = "consent.opted_out"
	EventSegmentEnter = "segment.entered"
	EventSegmentExit  = "segment.exited"
)
