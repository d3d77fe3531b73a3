package journey

import (
	"fmt"
	"strings"

	"siyu.dev/siyu"
)

// Builtin is a journey template a user creates with one click.
type Builtin struct {
	Key         string   `json:"key"`
	Name        string   `json:"name"` // the journey's default name
	Description string   `json:"description"`
	Needs       []string `json:"needs"` // parameters: account, topic, segment_id
}

// Builtins are the templates, from the playbooks Siyu was designed on.
var Builtins = []Builtin{
	{Key: "order_service", Name: "下单后服务触达（包裹码）",
		Description: "Order paid → an order channel code for the parcel card and the after-sale message (服务触点营销化) → 7 days later, repeat buyers are tagged.",
		Needs:       []string{"account"}},
	{Key: "contact_welcome", Name: "新好友欢迎与打标",
		Description: "Contact added → tag 新好友 and a welcome → a day later, people who have not bought get a first-order offer.",
		Needs:       nil},
	{Key: "silent_reactivation", Name: "沉默 30 天唤醒",
		Description: "Entering the segment of buyers silent for 30 days → a reactivation message under the reach caps → leaves on the next paid order.",
		Needs:       []string{"segment_id"}},
	{Key: "moment_interest", Name: "朋友圈兴趣打标与跟进",
		Description: "Liked 3+ moments about a topic in 30 days → interest tag → a 1:1 follow-up task for the account's operators.",
		Needs:       []string{"topic"}},
}

// SilentRule is the rule of the segment the reactivation template enrols
// from (made with the journey when none is given): buyers whose last paid
// order is more than 30 days old, or whom the analytics call silent.
const SilentRule = `order_count >= 1 and (last_order_at < ago(30d) or stage == "silent")`

// BuiltinParams fill a template.
type BuiltinParams struct {
	Account   string `json:"account,omitempty"` // WeCom userid of the account codes add
	Topic     string `json:"topic,omitempty"`   // the moments' topic (props "topic")
	SegmentID int64  `json:"segment_id,omitempty"`
}

// FindBuiltin returns the template with that key.
func FindBuiltin(key string) (Builtin, bool) {
	for _, b := range Builtins {
		if b.Key == key {
			return b, true
		}
	}
	return Builtin{}, false
}

// NewFromBuiltin makes the definition of a template. Missing parameters are
// named.
func NewFromBuiltin(key string, p BuiltinParams) (Definition, error) {
	var d Definition
	switch key {
	case "order_service":
		if strings.TrimSpace(p.Account) == "" {
			return d, invalid("account", "required: the WeCom userid that the order code adds")
		}
		d = Definition{
			Trigger: Trigger{Kind: TriggerEvent, Event: siyu.EventOrderPaid},
			Reentry: Reentry{Mode: ReentryEvery},
			Steps: []Step{
				{ID: "order_code", Type: StepCode, Code: &CodeSpec{Kind: siyu.CodeOrder, Accounts: []string{p.Account}, Tags: []string{"包裹码"},
					Welcome: "感谢购买！这里是你的专属售后顾问，使用问题随时找我。"}},
				{ID: "service_content", Type: StepSend, Message: &siyu.Message{
					Text: "{{name|亲}}，你的订单 {{order_id}} 已在路上。使用指南和售后服务请扫码添加专属顾问：{{code_url}}"}},
				{ID: "wait_7d", Type: StepWait, Wait: "7d"},
				{ID: "repeat_buyer", Type: StepCondition, Rule: "order_count >= 2", Yes: "tag_repeat", No: End},
				{ID: "tag_repeat", Type: StepTag, AddTags: []string{"复购客户"}},
			},
		}
	case "contact_welcome":
		d = Definition{
			Trigger: Trigger{Kind: TriggerEvent, Event: siyu.EventContactAdded},
			Reentry: Reentry{Mode: ReentryOnce},
			Steps: []Step{
				{ID: "tag_new", Type: StepTag, AddTags: []string{"新好友"}},
				{ID: "welcome", Type: StepSend, Message: &siyu.Message{Text: "{{name|你好}}，欢迎加入！新品、福利和使用小技巧都会第一时间在这里分享。"}},
				{ID: "wait_1d", Type: StepWait, Wait: "1d"},
				{ID: "has_bought", Type: StepCondition, Rule: "order_count >= 1", Yes: End, No: "first_order_offer"},
				{ID: "first_order_offer", Type: StepSend, Message: &siyu.Message{Text: "送你一张新人专享券，首单立减 20 元，7 天内有效。"}},
			},
		}
	case "silent_reactivation":
		if p.SegmentID <= 0 {
			return d, invalid("segment_id", "required: the saved segment of silent customers")
		}
		d = Definition{
			Trigger: Trigger{Kind: TriggerSegment, SegmentID: p.SegmentID},
			Reentry: Reentry{Mode: ReentryOncePer, Days: 90},
			Exit:    Exit{OnEvent: siyu.EventOrderPaid},
			Steps: []Step{
				{ID: "reactivate", Type: StepSend, Message: &siyu.Message{Text: "{{name|亲}}，好久不见！老朋友专属回归礼已放入你的账户，本周内下单享 85 折。"}},
				{ID: "wait_3d", Type: StepWait, Wait: "3d"},
				{ID: "tag_unresponsive", Type: StepTag, AddTags: []string{"唤醒未响应"}},
			},
		}
	case "moment_interest":
		topic := strings.TrimSpace(p.Topic)
		if topic == "" {
			return d, invalid("topic", "required: the moments' topic, e.g. 护肤")
		}
		if strings.ContainsAny(topic, `"\`) {
			return d, invalid("topic", "no quotes or backslashes")
		}
		d = Definition{
			Trigger: Trigger{Kind: TriggerEvent, Event: siyu.EventMomentLiked,
				Condition: fmt.Sprintf(`count("moment.liked", 30d, "topic", "%s") >= 3`, topic)},
			Reentry: Reentry{Mode: ReentryOncePer, Days: 30},
			Steps: []Step{
				{ID: "interest_tag", Type: StepTag, AddTags: []string{"兴趣:" + topic}},
				{ID: "follow_up", Type: StepTask, Task: &TaskSpec{Kind: siyu.TaskFollowUp,
					Title:  "1:1 跟进：{{name|客户}} 30 天内点赞了 3 条以上「" + topic + "」朋友圈",
					Detail: "客户对「" + topic + "」表现出兴趣，请以人设账号私聊推荐相关内容或产品。", Due: "24h"}},
			},
		}
	default:
		return d, invalid("template", "no built-in journey %q", key)
	}
	return d, d.Validate()
}
