package wecom

import "encoding/xml"

// Callback event names (Event.Event).
const (
	EventChangeExternalContact = "change_external_contact"
	EventChangeExternalChat    = "change_external_chat"
	EventChangeExternalTag     = "change_external_tag"
	EventCustomerAcquisition   = "customer_acquisition"
)

// ChangeType values of change_external_contact.
const (
	ChangeAddExternalContact     = "add_external_contact"
	ChangeAddHalfExternalContact = "add_half_external_contact"
	ChangeEditExternalContact    = "edit_external_contact"
	ChangeDelExternalContact     = "del_external_contact"
	ChangeDelFollowUser          = "del_follow_user"
	ChangeTransferFail           = "transfer_fail"
)

// ChangeType values of change_external_chat and change_external_tag.
const (
	ChangeCreate  = "create"
	ChangeUpdate  = "update"
	ChangeDismiss = "dismiss" // chat only
	ChangeDelete  = "delete"  // tag only
	ChangeShuffle = "shuffle" // tag only
)

// UpdateDetail values of change_external_chat/update.
const (
	UpdateAddMember    = "add_member"
	UpdateDelMember    = "del_member"
	UpdateChangeOwner  = "change_owner"
	UpdateChangeName   = "change_name"
	UpdateChangeNotice = "change_notice"
)

// Scenes in chat update events. These differ from groupchat/get's JoinScene.
const (
	EventJoinSceneByMember = 0 // invited by a member, directly or by link
	EventJoinSceneQRCode   = 3 // scanned the group QR code

	QuitSceneSelf    = 0 // left by themselves
	QuitSceneRemoved = 1 // removed by the owner or an admin
)

// TagType values of change_external_tag.
const (
	TagTypeTag      = "tag"
	TagTypeTagGroup = "tag_group"
)

// FailReason values of change_external_contact/transfer_fail.
const (
	FailCustomerRefused     = "customer_refused"
	FailCustomerLimitExceed = "customer_limit_exceed"
)

// Event is the decrypted XML of a customer-contact callback. Which fields
// are set depends on Event and ChangeType:
//
//   - change_external_contact: UserID, ExternalUserID; State and WelcomeCode
//     on add_external_contact and add_half_external_contact; Source on
//     del_external_contact; FailReason on transfer_fail.
//   - change_external_chat: ChatID; on update also UpdateDetail, JoinScene
//     (add_member), QuitScene (del_member), MemChangeCnt, MemChangeList.
//   - change_external_tag: ID, TagType, StrategyID.
type Event struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"` // the corpid
	FromUserName string   `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      string   `xml:"MsgType"` // "event"
	Event        string   `xml:"Event"`
	ChangeType   string   `xml:"ChangeType"`

	UserID         string `xml:"UserID,omitempty"`
	ExternalUserID string `xml:"ExternalUserID,omitempty"`
	State          string `xml:"State,omitempty"`
	WelcomeCode    string `xml:"WelcomeCode,omitempty"`
	FailReason     string `xml:"FailReason,omitempty"`
	Source         string `xml:"Source,omitempty"`

	ChatID        string   `xml:"ChatId,omitempty"`
	UpdateDetail  string   `xml:"UpdateDetail,omitempty"`
	JoinScene     int      `xml:"JoinScene,omitempty"`
	QuitScene     int      `xml:"QuitScene,omitempty"`
	MemChangeCnt  int      `xml:"MemChangeCnt,omitempty"`
	MemChangeList []string `xml:"MemChangeList>Item,omitempty"`
	LastMemVer    string   `xml:"LastMemVer,omitempty"`
	CurMemVer     string   `xml:"CurMemVer,omitempty"`

	ID         string `xml:"Id,omitempty"`
	TagType    string `xml:"TagType,omitempty"`
	StrategyID string `xml:"StrategyId,omitempty"`

	LinkID string `xml:"LinkId,omitempty"` // customer_acquisition
}

// ParseEvent decodes the decrypted XML of a callback.
func ParseEvent(b []byte) (Event, error) {
	var ev Event
	if err := xml.Unmarshal(b, &ev); err != nil {
		return Event{}, err
	}
	return ev, nil
}

// MarshalEvent encodes ev as the XML WeCom sends (before encryption).
func MarshalEvent(ev Event) ([]byte, error) {
	if ev.MsgType == "" {
		ev.MsgType = "event"
	}
	ev.XMLName = xml.Name{Local: "xml"}
	return xml.Marshal(ev)
}
