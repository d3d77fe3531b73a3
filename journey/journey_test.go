package journey

import (
	"errors"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
)

func TestParseNamesTheField(t *testing.T) {
	base := `{"trigger":{"kind":"event","event":"order.paid"},"steps":[%s]}`
	cases := []struct {
		name, steps, trigger, want string
	}{
		{"no steps", ``, "", "steps: a journey needs at least one step"},
		{"missing id", `{"type":"exit"}`, "", "steps[0].id: required"},
		{"bad id", `{"id":"1a","type":"exit"}`, "", `steps[0].id: "1a"`},
		{"reserved id", `{"id":"end","type":"exit"}`, "", `steps[0].id: "end" is reserved`},
		{"dup id", `{"id":"a","type":"exit"},{"id":"a","type":"exit"}`, "", `steps[1].id: "a" is used by two steps`},
		{"unknown type", `{"id":"a","type":"sms"}`, "", `steps[0] (a).type: "sms"`},
		{"wait without time", `{"id":"w","type":"wait"}`, "", "steps[0] (w).wait: required"},
		{"bad wait", `{"id":"w","type":"wait","wait":"3x"}`, "", `steps[0] (w).wait: "3x": unit`},
		{"bad until", `{"id":"w","type":"wait","until":"25:00"}`, "", `steps[0] (w).until: "25:00"`},
		{"both", `{"id":"w","type":"wait","wait":"1d","until":"10:00"}`, "", `steps[0] (w).until: give wait or until`},
		{"bad rule", `{"id":"c","type":"condition","rule":"stag == \"new\""}`, "", `steps[0] (c).rule: 1:1: unknown field "stag"`},
		{"missing branch target", `{"id":"c","type":"condition","rule":"is_contact","yes":"nope"}`, "", `steps[0] (c).yes: no step "nope"`},
		{"empty message", `{"id":"s","type":"send","message":{}}`, "", "steps[0] (s).message: empty"},
		{"unknown variable", `{"id":"s","type":"send","message":{"text":"hi {{nick}}"}}`, "", "steps[0] (s).message.text: unknown variable {{nick}}"},
		{"stray field", `{"id":"s","type":"tag","add_tags":["x"],"wait":"1d"}`, "", "steps[0] (s).wait: not used by a tag step"},
		{"empty tag", `{"id":"s","type":"tag","add_tags":[" "]}`, "", "steps[0] (s).add_tags[0]: a tag name"},
		{"task title", `{"id":"t","type":"task","task":{"title":""}}`, "", "steps[0] (t).task.title: required"},
		{"code accounts", `{"id":"k","type":"channel_code","code":{"kind":"order"}}`, "", "steps[0] (k).code.accounts: at least one"},
		{"group qr", `{"id":"g","type":"group","group":{"chat_id":"wr1"}}`, "", "steps[0] (g).group.qr_url: required"},
		{"webhook secret", `{"id":"h","type":"webhook","webhook":{"url":"https://x.test/h","secret":"short"}}`, "", "steps[0] (h).webhook.secret"},
		{"self loop", `{"id":"a","type":"tag","add_tags":["x"],"next":"a"}`, "", "steps[0] (a).next: a step cannot lead to itself"},
		{"loop", `{"id":"a","type":"tag","add_tags":["x"]},{"id":"b","type":"condition","rule":"is_contact","yes":"a","no":"end"}`, "", "steps: the steps loop: a → b → a"},
		{"unknown field", `{"id":"a","type":"exit","colour":"red"}`, "", `unknown field "colour"`},
		{"trigger kind", `{"id":"a","type":"exit"}`, `{"kind":"webhook"}`, `trigger.kind: "webhook"`},
		{"segment id", `{"id":"a","type":"exit"}`, `{"kind":"segment"}`, "trigger.segment_id: required"},
		{"schedule at", `{"id":"a","type":"exit"}`, `{"kind":"schedule","segment_id":1,"every":"daily","at":"9"}`, `trigger.at: "9"`},
		{"trigger condition", `{"id":"a","type":"exit"}`, `{"kind":"event","event":"moment.liked","condition":"count(\"x\") >"}`, "trigger.condition: 1:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(base, "%s", c.steps, 1)
			if c.trigger != "" {
				src = strings.Replace(src, `{"kind":"event","event":"order.paid"}`, c.trigger, 1)
			}
			_, err := Parse([]byte(src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
			if !errors.Is(err, siyu.ErrInvalid) {
				t.Fatalf("%v is not ErrInvalid", err)
			}
		})
	}
}

func TestReentryDefaultsAndChecks(t *testing.T) {
	d, err := Parse([]byte(`{"trigger":{"kind":"event","event":"contact.added"},"steps":[{"id":"a","type":"exit"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if d.Reentry.Mode != ReentryOnce {
		t.Fatalf("default re-entry %q", d.Reentry.Mode)
	}
	_, err = Parse([]byte(`{"trigger":{"kind":"event","event":"contact.added"},"reentry":{"mode":"once_per"},"steps":[{"id":"a","type":"exit"}]}`))
	if err == nil || !strings.Contains(err.Error(), "reentry.days") {
		t.Fatalf("got %v", err)
	}
}

func TestAdvanceWalksTheGraph(t *testing.T) {
	d := Definition{
		Trigger: Trigger{Kind: TriggerEvent, Event: "order.paid"},
		Steps: []Step{
			{ID: "w", Type: StepWait, Wait: "2d"},
			{ID: "c", Type: StepCondition, Rule: "is_contact", Yes: "s", No: "t"},
			{ID: "s", Type: StepSend, Message: &siyu.Message{Text: "hi"}, Next: End},
			{ID: "t", Type: StepTag, AddTags: []string{"x"}},
			{ID: "x", Type: StepExit},
		},
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	steps := []struct {
		id   string
		o    Outcome
		next string
		at   time.Time
	}{
		{"w", Outcome{}, "c", now.Add(48 * time.Hour)},
		{"c", Outcome{Matched: true}, "s", now},
		{"c", Outcome{Matched: false}, "t", now},
		{"s", Outcome{}, "", now},
		{"t", Outcome{}, "x", now},
		{"x", Outcome{}, "", now},
	}
	for _, s := range steps {
		tr, err := d.Advance(s.id, s.o, now)
		if err != nil {
			t.Fatal(err)
		}
		if tr.Next != s.next || !tr.At.Equal(s.at) {
			t.Errorf("after %s %+v: got %q at %v, want %q at %v", s.id, s.o, tr.Next, tr.At, s.next, s.at)
		}
	}
	if _, err := d.Advance("nope", Outcome{}, now); err == nil {
		t.Fatal("an unknown step advanced")
	}
	if d.Start() != "w" {
		t.Fatalf("start %q", d.Start())
	}
}

func sh(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, siyu.Shanghai)
}

func TestWaitUntilAndSchedules(t *testing.T) {
	until := Step{ID: "w", Type: StepWait, Until: "10:00"}
	for _, c := range []struct{ now, want time.Time }{
		{sh(2026, 3, 2, 9, 0), sh(2026, 3, 2, 10, 0)},
		{sh(2026, 3, 2, 10, 0), sh(2026, 3, 2, 10, 0)},
		{sh(2026, 3, 2, 10, 1), sh(2026, 3, 3, 10, 0)},
		{sh(2026, 3, 31, 23, 0), sh(2026, 4, 1, 10, 0)},
	} {
		got, err := until.WaitEnd(c.now)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("until 10:00 from %v: got %v %v, want %v", c.now, got, err, c.want)
		}
	}
	weekly := Trigger{Kind: TriggerSchedule, Every: "weekly", Weekday: 1, At: "09:30", SegmentID: 1}
	// 2026-03-04 is a Wednesday: the next Monday is 03-09.
	if got := weekly.NextRun(sh(2026, 3, 4, 12, 0)); !got.Equal(sh(2026, 3, 9, 9, 30)) {
		t.Errorf("weekly: %v", got.In(siyu.Shanghai))
	}
	if got := weekly.NextRun(sh(2026, 3, 9, 9, 30)); !got.Equal(sh(2026, 3, 9, 9, 30)) {
		t.Errorf("weekly at the moment: %v", got.In(siyu.Shanghai))
	}
	daily := Trigger{Kind: TriggerSchedule, Every: "daily", At: "21:00", SegmentID: 1}
	if got := daily.NextRun(sh(2026, 3, 4, 21, 1)); !got.Equal(sh(2026, 3, 5, 21, 0)) {
		t.Errorf("daily: %v", got.In(siyu.Shanghai))
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"30m": 30 * time.Minute, "2h": 2 * time.Hour, "3d": 72 * time.Hour, "1w": 168 * time.Hour, "1d12h": 36 * time.Hour} {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "d", "3", "0d", "-1d", "1.5d", "3x", "99999999999d"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestRender(t *testing.T) {
	m := siyu.Message{Text: "{{name|亲}}，订单 {{order_id}}：{{code_url}}", Link: &siyu.LinkContent{Title: "{{city}}门店", URL: "https://x.test/{{order_id}}"}}
	got, err := Render(m, Vars{"order_id": "T1", "code_url": "https://qr.test/1", "city": "上海"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != "亲，订单 T1：https://qr.test/1" || got.Link.Title != "上海门店" || got.Link.URL != "https://x.test/T1" {
		t.Fatalf("%+v %+v", got, got.Link)
	}
	if m.Link.Title != "{{city}}门店" {
		t.Fatal("Render changed its input")
	}
	if _, err := RenderText("{{name", nil); err == nil {
		t.Fatal("unclosed variable rendered")
	}
}

func TestBuiltinsAreValid(t *testing.T) {
	p := BuiltinParams{Account: "founder", Topic: "护肤", SegmentID: 3}
	for _, b := range Builtins {
		d, err := NewFromBuiltin(b.Key, p)
		if err != nil {
			t.Fatalf("%s: %v", b.Key, err)
		}
		if len(d.Steps) == 0 {
			t.Fatalf("%s has no steps", b.Key)
		}
	}
	if _, err := NewFromBuiltin("order_service", BuiltinParams{}); err == nil || !strings.Contains(err.Error(), "account") {
		t.Fatalf("got %v", err)
	}
	if _, err := NewFromBuiltin("moment_interest", BuiltinParams{Topic: `a"b`}); err == nil {
		t.Fatal("a quote in the topic was accepted")
	}
	d, _ := NewFromBuiltin("moment_interest", p)
	if d.Trigger.Condition != `count("moment.liked", 30d, "topic", "护肤") >= 3` {
		t.Fatalf("condition %q", d.Trigger.Condition)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"trigger":{"kind":"event","event":"order.paid"},"steps":[{"id":"a","type":"wait","wait":"1d"},{"id":"b","type":"condition","rule":"is_contact","yes":"a","no":"end"}]}`))
	f.Add([]byte(`{"trigger":{"kind":"schedule","segment_id":1,"every":"weekly","weekday":2,"at":"10:00"},"steps":[{"id":"s","type":"send","message":{"text":"{{name|x}}"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data)
		if err != nil {
			return
		}
		// A valid definition walks to its end from every step without
		// coming back (the machine never loops).
		for _, s := range d.Steps {
			seen := map[string]bool{}
			id := s.ID
			for id != "" {
				if seen[id] {
					t.Fatalf("loop through %q", id)
				}
				seen[id] = true
				tr, err := d.Advance(id, Outcome{Matched: len(seen)%2 == 0}, time.Unix(0, 0))
				if err != nil {
					t.Fatal(err)
				}
				id = tr.Next
			}
		}
	})
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"30m", "1d12h", "", "9999999w"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err == nil && (d <= 0 || d > 10*365*24*time.Hour) {
			t.Fatalf("%q gave %v", s, d)
		}
	})
}

func FuzzRenderText(f *testing.F) {
	for _, s := range []string{"{{name|亲}}好", "{{", "}}{{code_url}}", "{{ name }}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := RenderText(s, Vars{"name": "王"})
		if err == nil && !strings.Contains(s, "{{") && out != s {
			t.Fatalf("plain text %q rendered as %q", s, out)
		}
	})
}
