// Package douyinemu is a local Douyin (抖音) business account that speaks
// the open platform's wire protocol: the comment, private-message and fans
// endpoints with the access-token header and the {data, extra} envelope, and
// webhooks signed with X-Douyin-Signature and numbered by Msg-Id, retried
// like the real service. Siyu's douyin client runs against it by changing
// only the base URL.
//
// Around the account lives a seeded population of Douyin users who comment
// on its videos in Chinese (mostly chatter, some with intent such as 求资料
// or 多少钱), are online in daily windows and for a while after they act,
// read replies, follow the account, open private messages, and — when a
// message carries a WeCom channel code — scan it, which the emulator reports
// through Config.OnChannelCode so that a WeCom emulator can carry the add
// through. Time is a clock that tests move with Advance.
//
// What the platform does not publish (the private-message reply window and
// cap, the message content schema) are Policy settings, not facts.
package douyinemu
