package demo

import (
	"math/bits"
	"strconv"
	"time"

	"siyu.dev/siyu"
)

const (
	base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	base36 = "0123456789abcdefghijklmnopqrstuvwxyz"
)

// maxOrdersPerCustomer bounds one customer's orders; order ids reserve three
// decimal digits for the order's number within its customer.
const maxOrdersPerCustomer = 999

// MaxCustomers is the largest Config.Customers for which every generated
// identifier and order id is guaranteed unique.
const MaxCustomers = 100_000_000

// Kinds of derived identifier, each keyed differently so that equal indexes
// give unrelated-looking values.
const (
	keyPhone uint64 = iota + 1
	keyNick
	keyJD
	keyDouyin
	keyOpenID
	keyUnionID
	keyExternal
	keyMember
	keyYouzan
	keyOrder
	keyChat
	keyTag
)

// permute maps x in [0, n) to a distinct value in [0, n): a keyed bijection
// (cycle-walking a bijective mix on the enclosing power of two), so that
// identifiers derived from a customer's index are unique by construction yet
// look random.
func permute(x, n, key uint64) uint64 {
	if n <= 1 {
		return 0
	}
	w := uint(bits.Len64(n - 1))
	mask := ^uint64(0) >> (64 - w)
	half := (w + 1) / 2
	for {
		x = (x + key) & mask
		x = (x * 0x9E3779B97F4A7C15) & mask
		x ^= x >> half
		x = (x * 0xBF58476D1CE4E5B9) & mask
		x ^= x >> half
		x = (x + key>>21) & mask
		x = (x * 0x94D049BB133111EB) & mask
		x ^= x >> half
		if x < n {
			return x
		}
	}
}

// appendDigits appends v as exactly n decimal digits (zero-padded).
func appendDigits(b []byte, v uint64, n int) []byte {
	start := len(b)
	for range n {
		b = append(b, 0)
	}
	for i := len(b) - 1; i >= start; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return b
}

// appendBase appends v as exactly n digits in the alphabet's base.
func appendBase(b []byte, v uint64, n int, alphabet string) []byte {
	base := uint64(len(alphabet))
	start := len(b)
	for range n {
		b = append(b, 0)
	}
	for i := len(b) - 1; i >= start; i-- {
		b[i] = alphabet[v%base]
		v /= base
	}
	return b
}

// appendFill appends n characters of the alphabet that depend only on seed.
func appendFill(b []byte, seed uint64, n int, alphabet string) []byte {
	base := uint64(len(alphabet))
	h := splitmix(seed)
	left := 10 // a 64-bit hash gives ten base-62 characters
	for range n {
		if left == 0 {
			seed = splitmix(seed ^ 0x5851F42D4C957F2D)
			h, left = splitmix(seed), 10
		}
		b = append(b, alphabet[h%base])
		h /= base
		left--
	}
	return b
}

// ids derives a customer's identifiers from the dataset key and the
// customer's index. Everything is a pure function of (key, index), so the
// same customer gets the same identifiers in orders, contacts and events.
type ids struct {
	key       uint64
	nickSpace uint64 // numbers appended to nicknames come from [0, nickSpace)
	appID     string // the brand's WeChat shop mini program
	unionPre  string // unionids of one open platform account share a prefix
	openPre   string
}

func newIDs(seed int64, customers int) ids {
	key := splitmix(uint64(seed) ^ 0x6d756d69616e)
	space := uint64(100_000)
	for space < uint64(customers)*20 {
		space *= 10
	}
	d := ids{key: key, nickSpace: space}
	d.appID = string(appendFill([]byte("wx"), key^0xa11, 16, "0123456789abcdef"))
	d.unionPre = string(appendFill([]byte("o"), key^0xb22, 5, base62))
	d.openPre = string(appendFill([]byte("o"), key^0xc33, 5, base62))
	return d
}

func (d ids) k(kind uint64) uint64 { return splitmix(d.key ^ kind*0x9E3779B97F4A7C15) }

// hash is a per-customer, per-kind hash for choices that must not consume
// the customer's random stream.
func (d ids) hash(kind uint64, i int) uint64 {
	return splitmix(d.k(kind) ^ uint64(i)*0xD1B54A32D192ED03)
}

// phonePrefixes are real mainland mobile number blocks, weighted roughly by
// how many subscribers each carrier block has.
var phonePrefixes = newWeighted([]struct {
	p string
	w float64
}{
	{"138", 6}, {"139", 6}, {"137", 5}, {"136", 5}, {"135", 5}, {"134", 3},
	{"150", 4}, {"151", 4}, {"152", 3}, {"157", 2}, {"158", 4}, {"159", 4},
	{"187", 4}, {"188", 3}, {"182", 3}, {"183", 3}, {"184", 1}, {"178", 2},
	{"130", 3}, {"131", 3}, {"132", 3}, {"155", 3}, {"156", 3}, {"185", 3}, {"186", 4}, {"176", 2}, {"175", 1},
	{"133", 2}, {"153", 2}, {"180", 2}, {"181", 2}, {"189", 3}, {"177", 2}, {"173", 2}, {"199", 2},
	{"191", 1}, {"195", 1}, {"198", 1}, {"193", 1},
}, func(x struct {
	p string
	w float64
}) float64 {
	return x.w
})

// phone is the customer's 11-digit mobile. The last eight digits are a
// permutation of the index, so no two customers share a number.
func (d ids) phone(i int) string {
	b := make([]byte, 0, 11)
	b = append(b, phonePrefixes.at(unit(d.hash(keyPhone, i))).p...)
	b = appendDigits(b, permute(uint64(i), 100_000_000, d.k(keyPhone)), 8)
	return string(b)
}

// nickStems are the kind of names people choose on Taobao.
var nickStems = []string{
	"小鱼儿", "静静的夏天", "木木", "爱吃鱼的猫", "橙子不酸", "一颗柚子", "懒懒的猫", "夏天的风",
	"安安", "糖糖", "伊人", "阿狸", "小确幸", "花开半夏", "芒果布丁", "岁月静好", "茉莉花开",
	"lily", "cici", "momo", "coco", "sunny", "vivian", "amy", "cherry", "grace", "luna", "echo",
	"小兔子乖乖", "大白兔", "喵小姐", "七七", "豆豆", "甜心", "浅浅", "十一", "微微一笑", "晴天",
}

// taobaoNick is the buyer's 会员名: either the default "tb" + digits or a
// chosen nickname with digits, unique either way.
func (d ids) taobaoNick(i int) string {
	h := d.hash(keyNick, i)
	b := make([]byte, 0, 32)
	switch {
	case h%100 < 40:
		b = append(b, "tb"...)
		b = strconv.AppendUint(b, 1_000_000_000+permute(uint64(i), 9_000_000_000, d.k(keyNick)), 10)
	case h%100 < 48:
		b = append(b, "tb_"...)
		b = strconv.AppendUint(b, 10_000_000_000+permute(uint64(i), 90_000_000_000, d.k(keyNick)), 10)
	default:
		b = append(b, nickStems[(h>>8)%uint64(len(nickStems))]...)
		if h>>40&1 == 0 {
			b = append(b, '_')
		}
		b = strconv.AppendUint(b, permute(uint64(i), d.nickSpace, d.k(keyNick)^1), 10)
	}
	return string(b)
}

// jdBuyerID looks like a JD pin: "jd_" and ten lower-case characters.
func (d ids) jdBuyerID(i int) string {
	b := append(make([]byte, 0, 13), "jd_"...)
	return string(appendBase(b, permute(uint64(i), 1<<48, d.k(keyJD)), 10, base36))
}

// douyinOpenID looks like an open_id of the Douyin open platform.
func (d ids) douyinOpenID(i int) string {
	b := append(make([]byte, 0, 36), "_000"...)
	b = appendBase(b, permute(uint64(i), 1<<62, d.k(keyDouyin)), 11, base62)
	return string(appendFill(b, d.hash(keyDouyin, i), 21, base62))
}

// openID is "appid:openid" for the brand's WeChat shop mini program.
func (d ids) openID(i int) string {
	b := make([]byte, 0, 48)
	b = append(b, d.appID...)
	b = append(b, ':')
	b = append(b, d.openPre...)
	b = appendBase(b, permute(uint64(i), 1<<62, d.k(keyOpenID)), 11, base62)
	return string(appendFill(b, d.hash(keyOpenID, i), 11, base62))
}

// unionID is the customer's WeChat unionid: the same in every app of the brand.
func (d ids) unionID(i int) string {
	b := append(make([]byte, 0, 28), d.unionPre...)
	b = appendBase(b, permute(uint64(i), 1<<62, d.k(keyUnionID)), 11, base62)
	return string(appendFill(b, d.hash(keyUnionID, i), 11, base62))
}

// externalUserID is the customer's WeCom external_userid (32 characters), the
// same for every account of the corp.
func (d ids) externalUserID(i int) string {
	h := d.hash(keyExternal, i)
	b := append(make([]byte, 0, 32), "wm"...)
	b = appendFill(b, h, 6, base62)
	b = append(b, "AA"...)
	b = appendBase(b, permute(uint64(i), 1<<62, d.k(keyExternal)), 11, base62)
	b = appendFill(b, h^0xff, 8, base62)
	return string(append(b, "AAA"...))
}

// memberNo is the brand's membership card number.
func (d ids) memberNo(i int) string {
	b := append(make([]byte, 0, 10), "MM"...)
	return string(appendDigits(b, permute(uint64(i), 100_000_000, d.k(keyMember)), 8))
}

// youzanBuyerID is a Youzan buyer id (digits).
func (d ids) youzanBuyerID(i int) string {
	return strconv.FormatUint(1_000_000_000+permute(uint64(i), 9_000_000_000, d.k(keyYouzan)), 10)
}

// orderID builds the channel's order number for order j of customer i. The
// unique part is a permutation of (i, j); the rest imitates each platform's
// format. local is the order time in Shanghai.
func (d ids) orderID(buf []byte, ch siyu.Channel, i, j int, local time.Time, storeCode string) string {
	k := uint64(i)*1000 + uint64(j)
	h := splitmix(d.k(keyOrder) ^ k)
	b := buf[:0]
	switch ch {
	case siyu.ChannelTaobao, siyu.ChannelTmall:
		// 19 digits nowadays, 18 for some.
		if h%4 == 0 {
			b = append(b, byte('1'+h>>8%9))
			b = appendDigits(b, h>>16%100_000, 5)
		} else {
			b = append(b, byte('1'+h>>8%4))
			b = appendDigits(b, h>>16%1_000_000, 6)
		}
		b = appendDigits(b, permute(k, 1_000_000_000_000, d.k(keyOrder)^1), 12)
	case siyu.ChannelJD:
		b = append(b, byte('2'+h>>8%2))
		if h%3 == 0 {
			b = append(b, byte('0'+h>>16%10))
		}
		b = appendDigits(b, permute(k, 100_000_000_000, d.k(keyOrder)^2), 11)
	case siyu.ChannelDouyin:
		b = append(b, []string{"69", "49", "50"}[h>>8%3]...)
		b = appendDigits(b, h>>16%100_000, 5)
		b = appendDigits(b, permute(k, 1_000_000_000_000, d.k(keyOrder)^3), 12)
	case siyu.ChannelWeChat:
		b = append(b, "WX"...)
		b = local.AppendFormat(b, "060102")
		b = append(b, byte('0'+h>>8%10))
		b = appendDigits(b, permute(k, 1_000_000_000_000, d.k(keyOrder)^4), 12)
	case siyu.ChannelYouzan:
		b = append(b, 'E')
		b = local.AppendFormat(b, "20060102150405")
		b = appendDigits(b, permute(k, 1_000_000_000_000, d.k(keyOrder)^5), 12)
	default:
		b = append(b, "POS"...)
		b = append(b, storeCode...)
		b = local.AppendFormat(b, "060102")
		b = appendDigits(b, permute(k, 1_000_000_000_000, d.k(keyOrder)^6), 12)
	}
	return string(b)
}
