// Package demo generates the data of a believable brand for demos, tests and
// load tests: 木棉集 (Mumian), a direct-to-consumer womenswear and skincare
// brand selling on Tmall, Taobao, JD, Douyin, its WeChat shop, Youzan and in
// four shops of its own.
//
// The data is a simulation, not noise. Each person has a name drawn from real
// surname frequencies, a phone in a real carrier block, an address weighted by
// where online shoppers live, and a purchase process of the Pareto/NBD kind:
// a purchase rate drawn from a gamma distribution and a dropout time, so most
// people buy once and a few buy dozens of times. Purchases follow the Chinese
// retail calendar (双11, 618, 女王节 peaks; the 春节 lull), baskets come from a
// seasonal catalogue, and every channel shows its buyers the way its exports
// do: Taobao nicknames and masked phones, JD pins, Douyin open_ids, WeChat
// openids and unionids, membership numbers in the shops. About a tenth of the
// buyers use two platforms with the same phone, so identity resolution has
// real merges to make; no identifier is ever shared by two people, so every
// merge is a true one.
//
// Around the orders: the brand's WeCom accounts (the founder persona
// 「木棉·小棉」, run by the operations team together, the shop associates,
// customer service), the contacts that added them and where they came from,
// campaign groups that live a few days, VIP and shop groups, interaction
// events and tags.
//
// Everything is a function of Config: the same seed, size and Now give the
// same data. Stream produces orders one customer at a time in constant memory
// for large sizes; Generate builds the whole Dataset.
package demo
