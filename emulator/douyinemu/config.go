package douyinemu

import (
	"context"
	"time"
)

// Config says which account the emulator plays and how its users behave.
// The same Config and the same calls give the same data.
type Config struct {
	ClientKey     string // default "awemulator0000001"
	ClientSecret  string // signs webhooks; default "emulator-client-secret"
	AccessToken   string // the only token accepted; default "act.emulator"
	AccountOpenID string // the business account; default "_000emulatorAccount"
	Seed          int64

	// Now is the base time source; the clock is Now() plus what Advance
	// added. nil means time.Now.
	Now func() time.Time

	// Users is the population; nil draws Population users from Seed. Pass
	// the people of another emulator (with Ref set) to follow them across.
	Users      []User
	Population int // users drawn when Users is nil; default 200
	Videos     int // the account's videos; default 5

	Policy *Policy // nil means DefaultPolicy()

	// OnChannelCode is called (outside the emulator's lock) when a user
	// scans a URL found in a private message from the account — in Siyu's
	// flow a WeCom channel code. An error is recorded, not retried.
	OnChannelCode func(ctx context.Context, url string, u User) error
}

// User is one Douyin user.
type User struct {
	Index    int    `json:"index"`
	OpenID   string `json:"open_id"`
	UnionID  string `json:"union_id"`
	Nickname string `json:"nickname"`
	Province string `json:"province"`
	City     string `json:"city"`
	Gender   int    `json:"gender"`
	// Ref is the index of the same person in another emulator (the WeCom
	// emulator's Users), or -1.
	Ref int `json:"ref"`
}

// Policy holds the platform's rules and the population's behaviour. The
// reply window and cap are unconfirmed (third-party notes: about 24 h and
// about 6 replies).
type Policy struct {
	ReplyWindow     time.Duration // how long after a user's message the account may reply; 24 h
	MaxReplies      int           // replies after one user message; 6
	FansListCap     int           // fans the list returns at most; 5000
	CallbackTimeout time.Duration // per delivery attempt; 5 s
	CallbackRetries int           // after the first attempt; 3

	OnlineFor      time.Duration // a user stays online this long after acting; 10 min
	ReactionDelay  time.Duration // how soon an online user reacts to a reply or message; 1 min
	OfflineDelay   time.Duration // how soon an offline user sees it; 3 h
	OfflineFactor  float64       // the reaction rates are multiplied by this when seen late; 0.3
	FollowRate     float64       // users who follow the account after seeing a reply; 0.35
	DMRate         float64       // users who then send the account a private message; 0.5
	ScanRate       float64       // users who scan a channel code received in a message; 0.6
	IntentShare    float64       // simulated comments that ask for something; 0.12
	CommentsPerDay float64       // simulated comments per user per day (Run); 0.5
}

// DefaultPolicy is the documented or assumed platform and a plausible
// population.
func DefaultPolicy() Policy {
	return Policy{
		ReplyWindow: 24 * time.Hour, MaxReplies: 6, FansListCap: 5000,
		CallbackTimeout: 5 * time.Second, CallbackRetries: 3,
		OnlineFor: 10 * time.Minute, ReactionDelay: time.Minute, OfflineDelay: 3 * time.Hour, OfflineFactor: 0.3,
		FollowRate: 0.35, DMRate: 0.5, ScanRate: 0.6, IntentShare: 0.12, CommentsPerDay: 0.5,
	}
}

func (c Config) withDefaults() Config {
	if c.ClientKey == "" {
		c.ClientKey = "awemulator0000001"
	}
	if c.ClientSecret == "" {
		c.ClientSecret = "emulator-client-secret"
	}
	if c.AccessToken == "" {
		c.AccessToken = "act.emulator"
	}
	if c.AccountOpenID == "" {
		c.AccountOpenID = "_000emulatorAccount"
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Population <= 0 {
		c.Population = 200
	}
	if c.Videos <= 0 {
		c.Videos = 5
	}
	if c.Policy == nil {
		p := DefaultPolicy()
		c.Policy = &p
	}
	return c
}
