package emulator

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/wecom"
)

// Emulator is a WeCom corp: its members, their customers, groups, tags,
// channel codes, mass messages and moments, and the WeChat users around it.
// It serves the real customer-contact API (Handler), pushes the real signed
// and encrypted callbacks, and lets tests and the demo drive the people
// (Scan, JoinGroup, ConfirmMassMessage, Advance, ...). It is safe for
// concurrent use.
type Emulator struct {
	cfg   Config
	pop   Population
	clock clock
	cb    *callbacks
	lim   *limiter

	mu       sync.Mutex
	pol      Policy
	st       state
	sched    schedule
	people   []*person
	personBy map[string]*person // by external_userid
	sim      *rand.Rand         // the population's behaviour
	id       ids                // identifiers handed out
	faults   *rand.Rand
	orders   []siyu.OrderInput
	events   []wecom.Event
	errors   int64 // numbers the hints of error answers
}

// Error is a WeCom business error: what an API call answers with in errcode
// and errmsg. Control methods return it too when WeCom would refuse.
type Error struct {
	Code int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("wecom errcode %d: %s", e.Code, e.Msg) }

func errorf(code int, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// maxLog bounds the event and delivery logs kept for inspection.
const maxLog = 10000

// Random streams, one per concern, so that adding an API call does not
// change what the population does and vice versa.
const (
	streamPopulation uint64 = 0x706f70 + iota
	streamSimulation
	streamIDs
	streamFaults
)

func stream(seed int64, s uint64) *rand.Rand { return rand.New(rand.NewPCG(uint64(seed), s)) }

// New builds the corp and its population from cfg. The emulator's clock
// starts at cfg.Now().
func New(cfg Config) *Emulator {
	cfg = cfg.withDefaults()
	e := &Emulator{
		cfg:    cfg,
		pop:    *cfg.Population,
		pol:    *cfg.Policy,
		st:     newState(),
		sim:    stream(cfg.Seed, streamSimulation),
		id:     ids{stream(cfg.Seed, streamIDs)},
		faults: stream(cfg.Seed, streamFaults),
		lim:    newLimiter(),
	}
	e.clock.base = cfg.Now
	e.cb = newCallbacks(e, cfg.Callback)
	now := e.clock.now()
	popRand := stream(cfg.Seed, streamPopulation)
	e.people = newPeople(popRand, cfg.CorpID, e.pop)
	e.personBy = make(map[string]*person, len(e.people))
	for _, p := range e.people {
		e.personBy[p.ExternalUserID] = p
	}
	for _, m := range e.pop.Members {
		ms := &memberState{Member: m}
		e.st.members = append(e.st.members, ms)
		e.st.memberBy[m.UserID] = ms
	}
	e.seedWorld(popRand, now)
	e.startBehaviour(now)
	return e
}

// Close stops the callback sender. Events not yet delivered are dropped.
func (e *Emulator) Close() { e.cb.close() }

// Now is the emulator's current time.
func (e *Emulator) Now() time.Time { return e.clock.now() }

// Advance moves the clock forward by d and lets everything due happen:
// the population acts, members confirm messages and publish moments,
// transfers complete. Callbacks are pushed asynchronously; Flush waits for
// them.
func (e *Emulator) Advance(d time.Duration) {
	if d < 0 {
		return
	}
	e.clock.advance(d)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.catchUp(e.clock.now())
}

// Run lets what is due happen every interval until ctx ends, for an
// emulator that lives on the wall clock (Config.Now nil) rather than being
// advanced by a test. API calls catch up on their own as well.
func (e *Emulator) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			e.Advance(0)
		}
	}
}

// StepSize is how far Step moves the clock.
const StepSize = time.Hour

// Step advances the clock by StepSize.
func (e *Emulator) Step() { e.Advance(StepSize) }

// Policy returns the rules in force.
func (e *Emulator) Policy() Policy {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.pol
}

// SetPolicy replaces the rules, for example to inject faults mid-test.
func (e *Emulator) SetPolicy(p Policy) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.pol = p
}

// catchUp runs every job due at or before now, in time order. Callers hold mu.
func (e *Emulator) catchUp(now time.Time) {
	for {
		j, ok := e.sched.next(now)
		if !ok {
			return
		}
		j.run(j.at)
	}
}

// lockedNow locks the state, runs what is due and returns the time. The
// caller unlocks.
func (e *Emulator) lockedNow() time.Time {
	e.mu.Lock()
	now := e.clock.now()
	e.catchUp(now)
	return now
}

// emit records an event and pushes it to the callback URL. Only changes made
// by people (the population, the control API standing in for the client or
// the admin console) emit: changes made through the API never do, as in
// WeCom. Callers hold mu.
func (e *Emulator) emit(ev wecom.Event, at time.Time) {
	ev.ToUserName = e.cfg.CorpID
	ev.FromUserName = "sys"
	ev.MsgType = "event"
	ev.CreateTime = at.Unix()
	if len(e.events) >= maxLog {
		e.events = e.events[len(e.events)-maxLog/2:]
	}
	e.events = append(e.events, ev)
	e.cb.enqueue(ev)
}

// Events returns every event emitted so far (the most recent 10,000 at
// most), whether or not a callback URL was set.
func (e *Emulator) Events() []wecom.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]wecom.Event(nil), e.events...)
}

// member returns an active member or a 60111 error.
func (e *Emulator) member(userID string) (*memberState, *Error) {
	if userID == "" {
		return nil, errorf(41009, "missing userid")
	}
	m := e.st.memberBy[userID]
	if m == nil || m.resigned {
		return nil, errorf(60111, "userid not found: %s", userID)
	}
	return m, nil
}

// anyMember returns a member, resigned or not.
func (e *Emulator) anyMember(userID string) (*memberState, *Error) {
	m := e.st.memberBy[userID]
	if m == nil {
		return nil, errorf(60111, "userid not found: %s", userID)
	}
	return m, nil
}

// activeMembers lists members who have not resigned, in setup order.
func (e *Emulator) activeMembers() []*memberState {
	var out []*memberState
	for _, m := range e.st.members {
		if !m.resigned {
			out = append(out, m)
		}
	}
	return out
}

// user returns population member i.
func (e *Emulator) user(i int) (*person, error) {
	if i < 0 || i >= len(e.people) {
		return nil, fmt.Errorf("emulator: no user %d (the population has %d)", i, len(e.people))
	}
	return e.people[i], nil
}

// Users returns the simulated WeChat users.
func (e *Emulator) Users() []User {
	out := make([]User, len(e.people))
	for i, p := range e.people {
		out[i] = p.User
	}
	return out
}

// Members returns the corp's members.
func (e *Emulator) Members() []Member {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Member, len(e.st.members))
	for i, m := range e.st.members {
		out[i] = m.Member
	}
	return out
}

// CorpID is the corp the emulator plays.
func (e *Emulator) CorpID() string { return e.cfg.CorpID }

// Secret is the secret gettoken accepts.
func (e *Emulator) Secret() string { return e.cfg.Secret }
