package emulator

import (
	"time"
)

// Config says which corp the emulator plays and how it behaves. The same
// Config (and the same sequence of calls) always gives the same data.
type Config struct {
	CorpID  string // default "wwemulator0000001"
	Secret  string // the customer-contact secret; default "emulator-secret"
	AgentID string // the app's AgentID in callback envelopes; default "1000002"
	Seed    int64

	// Now is the base time source; the emulator's clock is Now() plus
	// everything Advance added. Tests pass a frozen time to control expiry;
	// nil means time.Now.
	Now func() time.Time

	// Callback, when set, is where events are pushed. New does not call the
	// URL (the receiver may not be up yet) but panics if the settings are
	// malformed; settings typed in by people go through SetCallback, which
	// returns the error and verifies the URL as the admin console does.
	Callback *CallbackConfig

	// QRBaseURL prefixes the qr_code URLs of contact ways and join ways;
	// default "https://wework.qpic.cn/wwpic".
	QRBaseURL string

	Policy     *Policy     // nil means DefaultPolicy()
	Population *Population // nil means DefaultPopulation()
}

// CallbackConfig is the callback setting of the customer-contact app: the URL
// events are posted to, the Token that signs them and the EncodingAESKey
// that encrypts them. The receiveid is the corpid.
type CallbackConfig struct {
	URL            string `json:"url"`
	Token          string `json:"token"`
	EncodingAESKey string `json:"encoding_aes_key"`
}

// Policy holds the rules WeCom enforces. DefaultPolicy gives the documented
// values; tests lower them to reach the limits quickly. A zero limit turns
// that limit off unless its comment says otherwise.
type Policy struct {
	TokenTTL       time.Duration // access_token lifetime; 2 h
	WelcomeCodeTTL time.Duration // welcome_code lifetime from the push; 20 s

	// MassMessageCap is how many mass messages one customer or group can
	// receive per period; over it the send result is status 3.
	MassMessageCap        FrequencyCap
	MaxTemplateRecipients int           // external_userid per add_msg_template; 10,000
	MassConfirmDelay      time.Duration // members confirm a mass message this long after it is created; 0 = only ConfirmMassMessage does
	MassDispatchDelay     time.Duration // get_groupmsg_* answer 41063 for this long after creation; 0 = never
	MaxRemindsPerDay      int           // remind_groupmsg_send per message per 24 h; 3

	GroupMemberCap int // members of a customer group, owner included; 500
	// JoinWayRoomThreshold is the member count at which a join way with
	// auto_create_room makes a new group; 0 means GroupMemberCap.
	JoinWayRoomThreshold int

	MomentJobDelay     time.Duration // add_moment_task jobs finish after this; 0 = at once
	MomentPublishDelay time.Duration // members publish a corp moment this long after it is created; 0 = only PublishMoment does

	TransferDelay      time.Duration // takeover happens this long after transfer_customer; 24 h
	TransferRefuseRate float64       // share of customers who refuse a transfer; 0.05
	MemberCustomerCap  int           // customers one member can have; 50,000
	ContactWayQuota    int           // non-temporary contact ways per corp; 500,000

	RateLimitPerMinute int // calls per corp per API per minute; 10,000
	RateLimitPerHour   int // calls per corp per API per hour; 150,000
	DebugRatePerMinute int // calls per minute of a URL with debug=1; 5
	MaxConcurrent      int // requests in flight per corp per API; 300
	BadSecretBlock     int // failed gettoken calls from one IP in an hour before it is blocked for the hour; 2000

	// EmptyListIs84061 makes externalcontact/list answer 84061 (no external
	// contact relation) for a member without customers instead of an empty
	// list, as SDK users report the real service does; true.
	EmptyListIs84061 bool

	CallbackTimeout  time.Duration // per attempt; 5 s
	CallbackAttempts int           // tries per event; 3
	CallbackBackoff  time.Duration // wait before the second try, doubled before each next; 1 s

	Faults Faults
}

// Faults are failures injected into /cgi-bin calls for fault-tolerance tests.
// They are drawn from a seeded generator.
type Faults struct {
	ServerErrorRate float64       // share of calls answered with HTTP 503 and no JSON
	BusyRate        float64       // share of calls answered with errcode -1 (系统繁忙)
	Latency         time.Duration // added to every call
	LatencyJitter   time.Duration // plus a uniform random part up to this
}

// CapPeriod is the window of a FrequencyCap.
type CapPeriod string

// Cap periods, in Asia/Shanghai calendar terms.
const (
	PerMonth CapPeriod = "month"
	PerWeek  CapPeriod = "week" // Monday to Sunday
	PerDay   CapPeriod = "day"
)

// FrequencyCap limits how many mass messages one recipient gets per Period.
// Limit 0 with PerMonth means the number of days in the month (the current
// WeCom rule); an empty Period turns the cap off.
type FrequencyCap struct {
	Period CapPeriod `json:"period"`
	Limit  int       `json:"limit"`
}

// Common caps: the current rule and the older ones admins can still pick.
var (
	CapDaysInMonth = FrequencyCap{Period: PerMonth}
	CapFourAMonth  = FrequencyCap{Period: PerMonth, Limit: 4}
	CapSevenAWeek  = FrequencyCap{Period: PerWeek, Limit: 7}
	CapOneADay     = FrequencyCap{Period: PerDay, Limit: 1}
)

// DefaultPolicy returns WeCom's documented rules.
func DefaultPolicy() Policy {
	return Policy{
		TokenTTL:              7200 * time.Second,
		WelcomeCodeTTL:        20 * time.Second,
		MassMessageCap:        CapDaysInMonth,
		MaxTemplateRecipients: 10000,
		MassConfirmDelay:      30 * time.Minute,
		MaxRemindsPerDay:      3,
		GroupMemberCap:        500,
		MomentJobDelay:        2 * time.Second,
		MomentPublishDelay:    2 * time.Hour,
		TransferDelay:         24 * time.Hour,
		TransferRefuseRate:    0.05,
		MemberCustomerCap:     50000,
		ContactWayQuota:       500000,
		RateLimitPerMinute:    10000,
		RateLimitPerHour:      150000,
		DebugRatePerMinute:    5,
		MaxConcurrent:         300,
		BadSecretBlock:        2000,
		EmptyListIs84061:      true,
		CallbackTimeout:       5 * time.Second,
		CallbackAttempts:      3,
		CallbackBackoff:       time.Second,
	}
}

// Population describes the simulated people: the WeChat users who may
// become customers, the corp's members they add, and how they behave. Rates
// are scaled by Activity; with Activity 0 nobody acts unless told to through
// the control API.
type Population struct {
	Users      int      // WeChat users; 500
	Members    []Member // the corp's members with customer contact; DefaultMembers()
	PhoneShare float64  // share of users whose phone number the shops know; 0.7

	ExistingContacts float64 // share of users who are already customers when the emulator starts; 0.2
	ExistingGroups   int     // customer groups that exist at start; 3
	SeedTags         bool    // start with a few corp tag groups; true

	Activity         float64       // multiplier of every rate below; 1
	ScansPerDay      float64       // channel-code scans per day; 20
	IgnoreShare      float64       // share of scans that end without an add; 0.15
	HalfAddShare     float64       // share of skip-verify adds pushed first as add_half_external_contact; 0.1
	AcceptDelay      time.Duration // members accept a friend request (skip_verify false) after this; 20 min
	DeleteShare      float64       // share of new customers who later delete the member; 0.12
	DeleteAfter      time.Duration // mean time before they do; 10 days
	GroupJoinsPerDay float64       // customers joining groups per day; 10
	GroupLeaveShare  float64       // share of joiners who later leave; 0.25
	GroupLeaveAfter  time.Duration // mean time before they do; 6 days
	LikeShare        float64       // share of a published moment's viewers who like it; 0.2
	CommentShare     float64       // share who comment; 0.06
	OrdersPerYear    float64       // mean purchase rate of a user who is not a customer; 1.2
	CustomerBoost    float64       // purchase rate multiplier while a customer; 2.5
	MassMessageBuy   float64       // chance that a delivered mass message leads to an order within 3 days; 0.03
}

// Member is one of the corp's members (成员) set up for customer contact.
type Member struct {
	UserID   string `json:"userid"`
	Name     string `json:"name"`
	Position string `json:"position,omitempty"`
}

// DefaultMembers is the demo brand's team: the founder's persona account,
// store associates and the online service desk.
func DefaultMembers() []Member {
	return []Member{
		{UserID: "founder", Name: "林知夏", Position: "创始人"},
		{UserID: "store_hz01", Name: "周晓雯", Position: "杭州西湖店店长"},
		{UserID: "store_hz02", Name: "陈佳怡", Position: "杭州滨江店导购"},
		{UserID: "store_sh01", Name: "王思远", Position: "上海静安店店长"},
		{UserID: "sales_01", Name: "赵敏", Position: "线上客服"},
		{UserID: "service_01", Name: "刘芳", Position: "售后专员"},
	}
}

// DefaultPopulation returns the population the demo uses.
func DefaultPopulation() Population {
	return Population{
		Users:            500,
		Members:          DefaultMembers(),
		PhoneShare:       0.7,
		ExistingContacts: 0.2,
		ExistingGroups:   3,
		SeedTags:         true,
		Activity:         1,
		ScansPerDay:      20,
		IgnoreShare:      0.15,
		HalfAddShare:     0.1,
		AcceptDelay:      20 * time.Minute,
		DeleteShare:      0.12,
		DeleteAfter:      10 * 24 * time.Hour,
		GroupJoinsPerDay: 10,
		GroupLeaveShare:  0.25,
		GroupLeaveAfter:  6 * 24 * time.Hour,
		LikeShare:        0.2,
		CommentShare:     0.06,
		OrdersPerYear:    1.2,
		CustomerBoost:    2.5,
		MassMessageBuy:   0.03,
	}
}

// Quiet returns a population of n users and the default members that does
// nothing on its own and starts with no customers, groups or tags: the
// state tests start from.
func Quiet(n int) Population {
	p := DefaultPopulation()
	p.Users = n
	p.ExistingContacts = 0
	p.ExistingGroups = 0
	p.SeedTags = false
	p.Activity = 0
	return p
}

func (c Config) withDefaults() Config {
	if c.CorpID == "" {
		c.CorpID = "wwemulator0000001"
	}
	if c.Secret == "" {
		c.Secret = "emulator-secret"
	}
	if c.AgentID == "" {
		c.AgentID = "1000002"
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.QRBaseURL == "" {
		c.QRBaseURL = "https://wework.qpic.cn/wwpic"
	}
	if c.Policy == nil {
		p := DefaultPolicy()
		c.Policy = &p
	}
	if c.Population == nil {
		p := DefaultPopulation()
		c.Population = &p
	}
	if len(c.Population.Members) == 0 {
		pop := *c.Population
		pop.Members = DefaultMembers()
		c.Population = &pop
	}
	return c
}
