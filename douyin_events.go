package siyu

// Events of the Douyin (抖音) comment-mining pipeline. Each names the
// customer of a Douyin user (identity KindDouyinOpenID); props carry the
// rule, the comment or message ids and, for replies, the latency in ms.
const (
	EventDouyinCommented = "douyin.commented" // any comment on the brand's videos
	EventDouyinIntent    = "douyin.intent"    // a comment or message matched an intent rule
	EventDouyinReplied   = "douyin.replied"   // the brand replied to the comment
	EventDouyinDMSent    = "douyin.dm_sent"   // a private message with a channel code went out
	EventDouyinFollowed  = "douyin.followed"  // the user appeared among the account's fans
	EventDouyinConverted = "douyin.converted" // the user added a WeCom account through that code
)
