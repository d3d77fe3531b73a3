package policy

import (
	"context"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
)

// checker applies one workspace's settings at one moment. It carries the
// accounts' daily counts from batch to batch.
type checker struct {
	set                  Settings
	at                   time.Time
	quietStart, quietEnd time.Duration
	freqAfter            time.Time // the frequency window reaches back to freqAfter (and as far forward)
	capFrom, capTo       time.Time // WeCom's calendar period holding at
	capLimit             int
	dayFrom, dayTo       time.Time
	accountUsed          map[int64]int
	accountLoaded        map[int64]bool
}

func newChecker(set Settings, at time.Time) (*checker, error) {
	qs, err := clock(set.QuietStart)
	if err != nil {
		return nil, err
	}
	qe, err := clock(set.QuietEnd)
	if err != nil {
		return nil, err
	}
	c := &checker{set: set, at: at.UTC(), quietStart: qs, quietEnd: qe, accountUsed: map[int64]int{}, accountLoaded: map[int64]bool{}}
	c.freqAfter = c.at.AddDate(0, 0, -set.FrequencyWindowDays)
	c.capFrom, c.capTo, c.capLimit = wecomWindow(set.WeComCap, c.at)
	c.dayFrom, c.dayTo = shanghaiDay(c.at)
	return c, nil
}

// since is the oldest reach_log time any check looks at.
func (c *checker) since() time.Time {
	if c.freqAfter.Before(c.capFrom) {
		return c.freqAfter
	}
	return c.capFrom
}

// decide decides a batch in order. With take, what is admitted counts for
// the deliveries after it (same person, same account), and the entries to
// record in reach_log are returned: keys not recorded before.
func (c *checker) decide(ctx context.Context, r store.ReachReader, ds []siyu.Delivery, take bool) ([]Decision, []store.ReachEntry, error) {
	var people []int64
	keys := make([]string, 0, len(ds))
	for _, d := range ds {
		if d.CustomerID != 0 {
			people = append(people, d.CustomerID)
		}
		keys = append(keys, d.Key)
	}
	facts, err := r.People(ctx, people, c.since())
	if err != nil {
		return nil, nil, err
	}
	known, err := r.KnownKeys(ctx, keys)
	if err != nil {
		return nil, nil, err
	}
	out := make([]Decision, len(ds))
	var accounts []int64
	for i, d := range ds {
		out[i] = Decision{Delivery: d}
		if d.Channel == siyu.ReachSingle {
			if lc, ok := pickContact(facts[d.CustomerID].Contacts, d.AccountID); ok {
				out[i].Delivery.AccountID, out[i].Delivery.Sender, out[i].Delivery.ExternalUserID = lc.AccountID, lc.Sender, lc.ExternalUserID
			} else {
				out[i].Reason = siyu.SkipNotContact
			}
		}
		if a := out[i].Delivery.AccountID; a != 0 && !c.accountLoaded[a] {
			accounts = append(accounts, a)
			c.accountLoaded[a] = true
		}
	}
	if len(accounts) > 0 && c.set.AccountDailyQuota > 0 {
		counts, err := r.AccountCounts(ctx, accounts, c.dayFrom, c.dayTo)
		if err != nil {
			return nil, nil, err
		}
		for a, n := range counts {
			c.accountUsed[a] += n
		}
	}
	var record []store.ReachEntry
	for i := range out {
		d := &out[i]
		pr := facts[d.Delivery.CustomerID]
		if pr == nil {
			pr = &store.PersonReach{}
		}
		wasKnown := known[d.Delivery.Key]
		c.check(d, pr, wasKnown)
		if !d.Admitted() || !take || wasKnown {
			continue
		}
		e := store.ReachEntry{Key: d.Delivery.Key, CustomerID: d.Delivery.CustomerID, AccountID: d.Delivery.AccountID, Channel: d.Delivery.Channel, At: c.at}
		pr.Reaches = append(pr.Reaches, e)
		if e.AccountID != 0 {
			c.accountUsed[e.AccountID]++
		}
		known[e.Key] = true // the same key again in this batch is a retry
		record = append(record, e)
	}
	return out, record, nil
}

// check applies the limits in order, the permanent reasons first; quiet
// hours come last, so that a delivery skipped for them would go once they
// end. A known key (a retry of an admitted delivery) is counted already:
// only opt-out, contact and quiet hours apply to it.
func (c *checker) check(d *Decision, pr *store.PersonReach, known bool) {
	if d.Delivery.CustomerID != 0 && pr.OptedOut {
		d.Reason = siyu.SkipOptedOut
		return
	}
	if d.Reason != "" { // not a contact, found while choosing the account
		return
	}
	if !known {
		if d.Delivery.Channel == siyu.ReachSingle && c.wecomCount(pr) >= c.capLimit {
			d.Reason = siyu.SkipWeComCap
			return
		}
		if d.Delivery.CustomerID != 0 && c.set.FrequencyCap > 0 && c.frequencyCount(pr) >= c.set.FrequencyCap {
			d.Reason = siyu.SkipFrequencyCap
			return
		}
		if a := d.Delivery.AccountID; a != 0 && c.set.AccountDailyQuota > 0 && c.accountUsed[a] >= c.set.AccountDailyQuota {
			d.Reason = siyu.SkipAccountQuota
			return
		}
	}
	if quiet, until := quietUntil(c.at, c.quietStart, c.quietEnd); quiet {
		d.Reason, d.RetryAt = siyu.SkipQuietHours, until
	}
}

func (c *checker) wecomCount(pr *store.PersonReach) int {
	n := 0
	for _, e := range pr.Reaches {
		if e.Channel == siyu.ReachSingle && !e.At.Before(c.capFrom) && e.At.Before(c.capTo) {
			n++
		}
	}
	return n
}

// frequencyCount counts the reaches within the window on either side of
// at: a reach admitted a moment later (on another node, or by a caller that
// took its time before the store's lock) is as close to this one as one a
// moment earlier, and must count, or two concurrent admissions could both
// take the last unit of the cap.
func (c *checker) frequencyCount(pr *store.PersonReach) int {
	n := 0
	before := c.at.Sub(c.freqAfter)
	for _, e := range pr.Reaches {
		if e.At.After(c.freqAfter) && e.At.Before(c.at.Add(before)) {
			n++
		}
	}
	return n
}

// pickContact returns the live contact through account, or with account 0
// the most recently added one (contacts come newest first).
func pickContact(cs []store.LiveContact, account int64) (store.LiveContact, bool) {
	for _, lc := range cs {
		if account == 0 || lc.AccountID == account {
			return lc, true
		}
	}
	return store.LiveContact{}, false
}
