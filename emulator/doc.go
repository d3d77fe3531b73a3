// Package emulator is a local WeCom (企业微信) corp that speaks the real
// customer-contact (客户联系) wire protocol: the same paths, JSON bodies,
// errcodes, access tokens and signed, AES-encrypted callbacks as
// qyapi.weixin.qq.com. Siyu's WeCom client runs against it by changing only
// the base URL and the secrets, so tests and the demo run the whole loop
// offline.
//
// Around the corp lives a seeded population of WeChat users who scan
// channel codes, add and delete members, join and leave groups, like and
// comment on moments and buy in the brand's shops (Orders). Time is a
// simulated clock that tests freeze and move with Advance; the rules WeCom
// enforces (welcome codes, frequency caps, rate limits, group caps) are
// settings in Policy.
//
// Request and response bodies are the types of package wecom, so the client
// and the emulator cannot drift apart; callbacks are sealed with
// package wecom/wxcrypt.
package emulator
