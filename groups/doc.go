// Package groups runs campaign groups (活动群): an activity creates WeCom
// customer groups from a template, puts one 「加入群聊」 QR code (join_way)
// in front of them that rolls over to a new group when one is full, sends
// scheduled group messages through dispatch, and at the end guides members
// to add the owner account, reports who did, and has the groups dissolved.
// A later activity can be rebuilt from the past members by inviting them 1:1
// with the new QR code.
//
// WeCom has no API to create, configure or dismiss a customer group: the
// owner does that in the client. Siyu therefore turns those steps into
// operator tasks and adopts the groups it sees appear (through the
// change_external_chat callbacks that wecomsync stores). The join way, the
// group messages and the 1:1 invitations are API calls.
//
// Health (members over time, active members, messages, lifetime, join and
// quit rates) and attendance of layered activities are computed from
// group_members and from events that name their group in props.chat_id.
package groups
