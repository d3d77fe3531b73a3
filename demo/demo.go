package demo

import (
	"fmt"
	"time"

	"siyu.dev/siyu"
)

// Config says what to generate. The same Config always gives the same data.
type Config struct {
	Seed      int64
	Customers int       // people; 0 means 3000
	Now       time.Time // the end of the simulated period; zero means time.Now()
	Years     int       // length of the period; 0 means 2

	// OrdersPerCustomer, when positive, scales every buyer's purchase rate so
	// that the mean number of orders per customer is about this; the skew
	// (most buy once, a few buy a lot) stays. 0 keeps the natural rate,
	// about 1.7.
	OrdersPerCustomer float64

	// Channels, when set, limits sales to these channels, keeping their
	// relative shares: {tmall, taobao} gives a Taobao-only brand.
	Channels []siyu.Channel
}

func (c Config) withDefaults() Config {
	if c.Customers <= 0 {
		c.Customers = 3000
	}
	if c.Now.IsZero() {
		c.Now = time.Now()
	}
	if c.Years <= 0 {
		c.Years = 2
	}
	c.Now = c.Now.Truncate(time.Second)
	return c
}

func (c Config) check() error {
	if c.Customers > MaxCustomers {
		return fmt.Errorf("demo: %d customers is more than the %d whose identifiers are guaranteed unique", c.Customers, MaxCustomers)
	}
	for _, ch := range c.Channels {
		if shareOf(ch) == 0 {
			return fmt.Errorf("demo: channel %q is not one the demo brand sells on", ch)
		}
	}
	return nil
}

// Dataset is everything the demo brand has: orders from every channel,
// interaction events, its WeCom accounts, contacts, groups and tags.
type Dataset struct {
	Orders   []siyu.OrderInput
	Events   []siyu.EventInput
	Accounts []siyu.Account
	Contacts []ContactInput
	Groups   []GroupInput
	Tags     []TagInput
}

// ContactInput is a customer adding one of the brand's accounts on WeChat,
// before identity resolution. Identifiers always start with the
// external_userid; they often carry the WeChat unionid (which also appears on
// the customer's WeChat shop orders) and, when a shop associate noted it, the
// phone number.
type ContactInput struct {
	AccountUserID  string // siyu.Account.WeComUserID
	ExternalUserID string
	Identifiers    []siyu.Identifier
	Name           string // WeChat nickname
	Remark         string
	State          string // where they came from: parcel_insert_2024Q3, douyin_live_0618, store_hz01 ...
	AddedAt        time.Time
	DeletedAt      *time.Time
	DeletedBy      string // siyu.DeletedByCustomer or siyu.DeletedByAccount
}

// GroupInput is a WeCom customer group with its members.
type GroupInput struct {
	ChatID      string
	Name        string
	OwnerUserID string // siyu.Account.WeComUserID
	Kind        string // "campaign" (lives a few days), "vip" or "store"
	CreatedAt   time.Time
	DismissedAt *time.Time
	Members     []GroupMemberInput
}

// GroupMemberInput is one customer in a group, named by external_userid and,
// when known, unionid.
type GroupMemberInput struct {
	Identifiers []siyu.Identifier
	JoinedAt    time.Time
	LeftAt      *time.Time
}

// TagInput is a tag and the customers who carry it.
type TagInput struct {
	Name       string
	GroupName  string
	WeComTagID string
	Customers  []TaggedCustomer
}

// TaggedCustomer names a tagged customer by the identifiers the brand knows
// them by, and says since when the tag applies.
type TaggedCustomer struct {
	Identifiers []siyu.Identifier
	At          time.Time
}

// Stream generates the orders of cfg customer by customer, each customer's in
// time order, and hands them to fn without keeping them: memory stays flat
// whatever the size. It gives the same orders as Generate. fn may keep the
// orders it is given. An error from fn stops the stream and is returned.
func Stream(cfg Config, fn func(siyu.OrderInput) error) error {
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		return err
	}
	g := newGenerator(cfg)
	var batch []siyu.OrderInput
	for i := range cfg.Customers {
		g.seed(streamOrders, i)
		p := g.person(g.r, i, g.days)
		g.days = p.days
		batch = g.orders(&p, batch[:0], nil)
		for _, o := range batch {
			if err := fn(o); err != nil {
				return err
			}
		}
	}
	return nil
}

// Generate builds the whole dataset in memory. Orders come customer by
// customer, as from Stream. For millions of customers use Stream.
func Generate(cfg Config) Dataset {
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		panic(err)
	}
	g := newGenerator(cfg)
	var ds Dataset
	for _, a := range g.accounts {
		ds.Accounts = append(ds.Accounts, a.domain())
	}
	sums := make([]*summary, 0, cfg.Customers)
	var facts []orderFacts
	for i := range cfg.Customers {
		g.seed(streamOrders, i)
		p := g.person(g.r, i, g.days)
		g.days = p.days
		facts = facts[:0]
		ds.Orders = g.orders(&p, ds.Orders, &facts)
		sums = append(sums, g.social(&p, facts, &ds))
	}
	ds.Groups = g.groups(sums)
	ds.Tags = g.tags(sums)
	return ds
}
