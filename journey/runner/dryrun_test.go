package runner_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/journey"
	"siyu.dev/siyu/journey/runner"
	"siyu.dev/siyu/store"
)

// seededPerson is one person of the generated history, as the generator
// knows them (the independent side of the comparison).
type seededPerson struct {
	ext      string
	addedAt  time.Time
	deleted  bool
	optedOut bool
	paidAt   []time.Time
	refunded []bool
	customer int64
}

// The dry run of the built-in welcome journey over a generated history
// equals what the generator's own records say should happen.
func TestDryRunOfWelcomeEqualsAnIndependentCount(t *testing.T) {
	f := newFixture(t)
	rng := rand.New(rand.NewPCG(6, 16))
	from := f.now.Add(-30 * 24 * time.Hour)
	to := f.now.Add(-2 * 24 * time.Hour)
	var people []*seededPerson
	for i := range 60 {
		p := &seededPerson{ext: fmt.Sprintf("wm-%02d", i)}
		// Some were added before the window, some after it.
		p.addedAt = from.Add(time.Duration(rng.Int64N(int64(34*24*time.Hour))) - 2*24*time.Hour).Truncate(time.Millisecond)
		p.deleted = rng.IntN(6) == 0
		p.optedOut = rng.IntN(7) == 0
		for range rng.IntN(3) {
			at := p.addedAt.Add(time.Duration(rng.Int64N(int64(5*24*time.Hour))) - 2*24*time.Hour).Truncate(time.Millisecond)
			p.paidAt = append(p.paidAt, at)
			p.refunded = append(p.refunded, rng.IntN(5) == 0)
		}
		in := store.ContactInput{AccountUserID: "founder", ExternalUserID: p.ext, Name: fmt.Sprintf("客户%d", i), AddedAt: p.addedAt}
		if p.deleted {
			d := p.addedAt.Add(time.Hour)
			in.DeletedAt, in.DeletedBy = &d, siyu.DeletedByCustomer
		}
		ids, err := f.st.UpsertContacts(ctx, f.ws, []store.ContactInput{in})
		if err != nil {
			t.Fatal(err)
		}
		p.customer = ids[0]
		if p.optedOut {
			if err := f.st.OptOut(ctx, f.ws, p.customer, "test", ""); err != nil {
				t.Fatal(err)
			}
		}
		for k, at := range p.paidAt {
			status := siyu.StatusCompleted
			if p.refunded[k] {
				status = siyu.StatusRefunded
			}
			if _, err := f.st.ImportOrders(ctx, f.ws, []siyu.OrderInput{{Channel: siyu.ChannelTmall, ExternalID: fmt.Sprintf("%s-%d", p.ext, k), Status: status,
				PlacedAt: at, PaidAt: &at, Amount: 5000, Identifiers: []siyu.Identifier{{Kind: siyu.KindExternalUser, Value: p.ext}}}}, "test"); err != nil {
				t.Fatal(err)
			}
		}
		people = append(people, p)
	}
	def, err := journey.NewFromBuiltin("contact_welcome", journey.BuiltinParams{})
	if err != nil {
		t.Fatal(err)
	}
	j := f.journey("欢迎", def)

	got, err := runner.DryRun(ctx, f.st, f.pol, f.ws, j.ID, 1, from, to)
	if err != nil {
		t.Fatal(err)
	}

	// The independent count, from the generator's records.
	want := runner.Report{JourneyID: j.ID, Version: 1, From: from, To: to, Exited: map[string]int{}}
	steps := map[string]*runner.StepReport{}
	for _, s := range def.Steps {
		want.Steps = append(want.Steps, runner.StepReport{ID: s.ID, Type: s.Type, Outcomes: map[string]int{}})
	}
	for i := range want.Steps {
		steps[want.Steps[i].ID] = &want.Steps[i]
	}
	sendOutcome := func(p *seededPerson) string {
		switch {
		case p.optedOut:
			return "skipped:opted_out"
		case p.deleted:
			return "skipped:not_contact"
		}
		return "queued"
	}
	hit := func(id, outcome string) {
		steps[id].Reached++
		steps[id].Outcomes[outcome]++
	}
	for _, p := range people {
		if p.addedAt.Before(from) || !p.addedAt.Before(to) {
			continue
		}
		want.Triggers++
		want.Entered++
		hit("tag_new", "done")
		hit("welcome", sendOutcome(p))
		hit("wait_1d", "waited")
		checkAt := p.addedAt.Add(24 * time.Hour)
		if !checkAt.Before(to) {
			want.Waiting++
			continue
		}
		bought := false
		for k, at := range p.paidAt {
			bought = bought || (!p.refunded[k] && !at.After(checkAt))
		}
		if bought {
			hit("has_bought", "yes")
		} else {
			hit("has_bought", "no")
			hit("first_order_offer", sendOutcome(p))
		}
		want.Completed++
	}
	if want.Entered < 20 || want.Waiting == 0 || steps["has_bought"].Outcomes["yes"] == 0 || steps["welcome"].Outcomes["skipped:opted_out"] == 0 {
		t.Fatalf("the generated history does not exercise every path: %+v", want)
	}
	for i := range got.Steps {
		if len(got.Steps[i].Outcomes) == 0 {
			got.Steps[i].Outcomes = map[string]int{}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("dry run:\n%+v\nindependent:\n%+v", got, want)
	}

	// Nothing was written: no enrollment, no send, no job of the journey.
	if n := f.count(`SELECT COUNT(*) FROM journey_enrollments`); n != 0 {
		t.Fatalf("%d enrollments after a dry run", n)
	}
	if n := f.count(`SELECT COUNT(*) FROM sends`); n != 0 {
		t.Fatalf("%d sends after a dry run", n)
	}
}

// Conversions end simulated walks the way they end live ones.
func TestDryRunCountsConversions(t *testing.T) {
	f := newFixture(t)
	from := f.now.Add(-20 * 24 * time.Hour)
	j := f.journey("加购未付", journey.Definition{
		Trigger: journey.Trigger{Kind: journey.TriggerEvent, Event: "cart.abandoned"},
		Reentry: journey.Reentry{Mode: journey.ReentryEvery},
		Exit:    journey.Exit{OnEvent: siyu.EventOrderPaid},
		Steps: []journey.Step{
			{ID: "wait", Type: journey.StepWait, Wait: "1d"},
			{ID: "nudge", Type: journey.StepSend, Message: &siyu.Message{Text: "还在等你"}},
		},
	})
	buyer, other := f.contact("买", "wm-b"), f.contact("不买", "wm-o")
	start := from.Add(24 * time.Hour)
	f.event(buyer, "cart.abandoned", start, nil)
	f.event(other, "cart.abandoned", start, nil)
	f.event(other, "cart.abandoned", start.Add(48*time.Hour), nil)
	paid := start.Add(2 * time.Hour)
	if _, err := f.st.ImportOrders(ctx, f.ws, []siyu.OrderInput{{Channel: siyu.ChannelJD, ExternalID: "J1", Status: siyu.StatusPaid,
		PlacedAt: paid, PaidAt: &paid, Amount: 100, Identifiers: []siyu.Identifier{{Kind: siyu.KindExternalUser, Value: "wm-b"}}}}, "test"); err != nil {
		t.Fatal(err)
	}
	rep, err := runner.DryRun(ctx, f.st, f.pol, f.ws, j.ID, 1, from, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Triggers != 3 || rep.Entered != 3 || rep.Exited["converted"] != 1 || rep.Completed != 2 ||
		rep.Steps[1].Outcomes["exited:converted"] != 1 || rep.Steps[1].Outcomes["queued"] != 2 {
		t.Fatalf("report: %+v", rep)
	}
	if _, err := runner.DryRun(ctx, f.st, f.pol, f.ws, j.ID, 1, f.now, from); err == nil {
		t.Fatal("a window that ends before it starts was accepted")
	}
}
