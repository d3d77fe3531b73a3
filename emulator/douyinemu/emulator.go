package douyinemu

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"sync"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/douyin"
)

// Emulator is a Douyin business account with its videos, comments,
// conversations and fans, and the users around it. It serves the API
// (Handler), pushes signed webhooks to the callback URL (SetCallback) and
// lets tests drive the users (Comment, SendMessage, Simulate, Advance). It
// is safe for concurrent use.
type Emulator struct {
	cfg Config
	pol Policy
	hc  *http.Client

	mu       sync.Mutex
	offset   time.Duration
	rnd      *rand.Rand // behaviour
	ids      *rand.Rand // identifiers handed out
	users    []*user
	userBy   map[string]*user
	videos   []string
	comments map[string]*comment // by comment_id
	byItem   map[string][]*comment
	convs    map[string]*conversation // by the user's open_id
	fans     []Fan
	fanSet   map[string]bool
	jobs     []job
	outbox   []outgoing
	callback string
	log      []Delivery
	scans    []Scan
}

type user struct {
	User
	lastActive time.Time
	windows    [][2]int // daily online windows, minutes from 00:00 Asia/Shanghai: start, length
}

type comment struct {
	douyin.Comment
	ItemID    string
	ParentID  string
	ByAccount bool
	replies   []*comment
}

type conversation struct {
	ShortID  string
	Messages []Message
}

// Message is one private message of a conversation.
type Message struct {
	ServerMessageID string    `json:"server_message_id"`
	FromOpenID      string    `json:"from_open_id"`
	Text            string    `json:"text"`
	At              time.Time `json:"at"`
	ByAccount       bool      `json:"by_account"`
}

// Fan is a user who follows the account.
type Fan struct {
	OpenID     string    `json:"open_id"`
	FollowedAt time.Time `json:"followed_at"`
}

// Scan is a user scanning a URL sent to them, and what OnChannelCode said.
type Scan struct {
	OpenID string    `json:"open_id"`
	URL    string    `json:"url"`
	At     time.Time `json:"at"`
	Err    string    `json:"err,omitempty"`
}

// job is something the users do later; it runs under mu and may append to
// the outbox.
type job struct {
	at  time.Time
	seq int
	run func(now time.Time)
}

// outgoing is what leaves the emulator once mu is released: a webhook or a
// scan handed to OnChannelCode.
type outgoing struct {
	event   string
	from    string
	to      string
	content any
	scan    *Scan
	user    User
}

// New builds the account and its users from cfg.
func New(cfg Config) *Emulator {
	cfg = cfg.withDefaults()
	e := &Emulator{
		cfg:      cfg,
		pol:      *cfg.Policy,
		hc:       &http.Client{},
		rnd:      rand.New(rand.NewPCG(uint64(cfg.Seed), 0x64796265)),
		ids:      rand.New(rand.NewPCG(uint64(cfg.Seed), 0x696473)),
		userBy:   map[string]*user{},
		comments: map[string]*comment{},
		byItem:   map[string][]*comment{},
		convs:    map[string]*conversation{},
		fanSet:   map[string]bool{},
	}
	pop := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x706f70))
	users := cfg.Users
	if users == nil {
		users = drawUsers(pop, cfg.Population)
	}
	for i, u := range users {
		u.Index = i
		if u.OpenID == "" {
			u.OpenID = e.newID("_000", 28)
		}
		uu := &user{User: u, windows: drawWindows(pop)}
		e.users = append(e.users, uu)
		e.userBy[u.OpenID] = uu
	}
	for range cfg.Videos {
		e.videos = append(e.videos, "@"+e.newID("", 26))
	}
	return e
}

func drawUsers(r *rand.Rand, n int) []User {
	out := make([]User, n)
	seen := map[string]bool{}
	for i := range out {
		nick := pick(r, nickHeads) + pick(r, nickTails)
		for seen[nick] {
			nick += fmt.Sprint(r.IntN(10))
		}
		seen[nick] = true
		pl := pick(r, places)
		out[i] = User{
			OpenID: "_000" + randomString(r, 28), UnionID: randomString(r, 36), Nickname: nick,
			Province: pl[0], City: pl[1], Gender: 1 + r.IntN(2), Ref: -1,
		}
	}
	return out
}

// drawWindows gives a user one or two daily online windows, most in the
// evening.
func drawWindows(r *rand.Rand) [][2]int {
	starts := []int{7 * 60, 12 * 60, 19 * 60, 20 * 60, 21 * 60, 22 * 60}
	n := 1 + r.IntN(2)
	w := make([][2]int, n)
	for i := range w {
		w[i] = [2]int{pick(r, starts) + r.IntN(60), 20 + r.IntN(90)}
	}
	return w
}

const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func randomString(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

func (e *Emulator) newID(prefix string, n int) string { return prefix + randomString(e.ids, n) }

func (e *Emulator) newNumericID() string { return fmt.Sprintf("7%018d", e.ids.Int64N(1e18)) }

// Close stops nothing today; it is here so that callers can defer it like
// the WeCom emulator's.
func (e *Emulator) Close() {}

// ClientKey, ClientSecret, AccessToken and AccountOpenID are what Siyu
// must be configured with.
func (e *Emulator) ClientKey() string     { return e.cfg.ClientKey }
func (e *Emulator) ClientSecret() string  { return e.cfg.ClientSecret }
func (e *Emulator) AccessToken() string   { return e.cfg.AccessToken }
func (e *Emulator) AccountOpenID() string { return e.cfg.AccountOpenID }

// Videos are the item_ids of the account's videos.
func (e *Emulator) Videos() []string { return append([]string(nil), e.videos...) }

// Users returns the population.
func (e *Emulator) Users() []User {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]User, len(e.users))
	for i, u := range e.users {
		out[i] = u.User
	}
	return out
}

// Policy returns the rules in force; SetPolicy replaces them.
func (e *Emulator) Policy() Policy {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.pol
}

// SetPolicy replaces the rules, e.g. to make every user react in a test.
func (e *Emulator) SetPolicy(p Policy) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.pol = p
}

// Now is the emulator's time.
func (e *Emulator) Now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now()
}

func (e *Emulator) now() time.Time { return e.cfg.Now().Add(e.offset) }

// Advance moves the clock by d, lets the users do what is due and pushes
// the webhooks that follows.
func (e *Emulator) Advance(ctx context.Context, d time.Duration) {
	e.mu.Lock()
	if d > 0 {
		e.offset += d
	}
	e.runDue(e.now())
	e.mu.Unlock()
	e.flush(ctx)
}

// Run advances with the wall clock every interval and has online users
// comment at Policy.CommentsPerDay, until ctx ends.
func (e *Emulator) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			e.Advance(ctx, 0)
			e.mu.Lock()
			now := e.now()
			rate := e.pol.CommentsPerDay * float64(len(e.users)) * interval.Hours() / 24
			n := int(rate)
			if e.rnd.Float64() < rate-float64(n) {
				n++
			}
			for range n {
				if u := e.onlineUser(now); u != nil {
					e.comment(u, pick(e.rnd, e.videos), e.drawText(), now)
				}
			}
			e.mu.Unlock()
			e.flush(ctx)
		}
	}
}

// onlineUser picks a user who is online now, or nil after a few tries.
func (e *Emulator) onlineUser(now time.Time) *user {
	for range 20 {
		u := pick(e.rnd, e.users)
		if e.online(u, now) {
			return u
		}
	}
	return nil
}

func (e *Emulator) drawText() string {
	if e.rnd.Float64() < e.pol.IntentShare {
		return pick(e.rnd, intentComments)
	}
	return pick(e.rnd, chatter)
}

// online: within OnlineFor of the user's last action or in a daily window.
func (e *Emulator) online(u *user, now time.Time) bool {
	if !u.lastActive.IsZero() && now.Sub(u.lastActive) <= e.pol.OnlineFor {
		return true
	}
	local := now.In(siyu.Shanghai)
	m := local.Hour()*60 + local.Minute()
	for _, w := range u.windows {
		if d := (m - w[0] + 1440) % 1440; d < w[1] {
			return true
		}
	}
	return false
}

// Online reports whether the user with openID is online now.
func (e *Emulator) Online(openID string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.userBy[openID]
	return u != nil && e.online(u, e.now())
}

func (e *Emulator) schedule(at time.Time, run func(now time.Time)) {
	e.jobs = append(e.jobs, job{at: at, seq: len(e.jobs), run: run})
}

// runDue runs the jobs due at now in time order; jobs may add jobs.
// Callers hold mu.
func (e *Emulator) runDue(now time.Time) {
	for {
		sort.SliceStable(e.jobs, func(i, j int) bool { return e.jobs[i].at.Before(e.jobs[j].at) })
		if len(e.jobs) == 0 || e.jobs[0].at.After(now) {
			return
		}
		j := e.jobs[0]
		e.jobs = e.jobs[1:]
		j.run(j.at)
	}
}

// Pending is how many user reactions are scheduled.
func (e *Emulator) Pending() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.jobs)
}

func (e *Emulator) user(i int) (*user, error) {
	if i < 0 || i >= len(e.users) {
		return nil, fmt.Errorf("douyinemu: no user %d (the population has %d)", i, len(e.users))
	}
	return e.users[i], nil
}

// roll reports whether a reaction with rate p happens; late reactions are
// rarer.
func (e *Emulator) roll(p float64, seen bool) bool {
	if !seen {
		p *= e.pol.OfflineFactor
	}
	return e.rnd.Float64() < p
}
