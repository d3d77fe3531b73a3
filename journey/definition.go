package journey

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"siyu.dev/siyu"
	"siyu.dev/siyu/segment"
)

// Definition is one version of a journey: what enrols people, what happens
// to them, and what ends it early.
type Definition struct {
	Trigger Trigger `json:"trigger"`
	Reentry Reentry `json:"reentry"`
	Exit    Exit    `json:"exit,omitzero"`
	Steps   []Step  `json:"steps"`
}

// TriggerKind is what enrols people.
type TriggerKind string

// Trigger kinds.
const (
	TriggerEvent    TriggerKind = "event"    // an event of a type happens to the person
	TriggerSegment  TriggerKind = "segment"  // the person enters a saved segment
	TriggerSchedule TriggerKind = "schedule" // at a time, everyone in a saved segment
)

// Trigger says who is enrolled and when.
type Trigger struct {
	Kind TriggerKind `json:"kind"`
	// Event is the event type for TriggerEvent: any recorded type, and
	// order.paid (a paid order) and contact.added (a new WeCom contact),
	// which come from the orders and contacts themselves.
	Event string `json:"event,omitempty"`
	// Condition is an optional segment rule the person must match at that
	// moment (evaluated in Go, on the person's facts).
	Condition string `json:"condition,omitempty"`
	// SegmentID is the saved segment of TriggerSegment and TriggerSchedule.
	SegmentID int64 `json:"segment_id,omitempty"`
	// Every is "daily" or "weekly" for TriggerSchedule, at At ("09:30",
	// Asia/Shanghai) and, weekly, on Weekday (0 Sunday … 6 Saturday).
	Every   string `json:"every,omitempty"`
	At      string `json:"at,omitempty"`
	Weekday int    `json:"weekday,omitempty"`
}

// Re-entry modes.
const (
	ReentryOnce    = "once"     // a person walks the journey once, ever
	ReentryEvery   = "every"    // every trigger enrols (one walk per trigger, e.g. per order)
	ReentryOncePer = "once_per" // at most once per Days days
)

// Reentry says whether a person who walked the journey may walk it again.
// Whatever the mode, a person walks one version at a time: while enrolled,
// a new trigger does not enrol them again (except with every, where each
// trigger is its own walk).
type Reentry struct {
	Mode string `json:"mode"`           // once (default), every, once_per
	Days int    `json:"days,omitempty"` // for once_per
}

// Exit ends a walk early, checked before every step.
type Exit struct {
	// OnEvent is a conversion: when an event of this type (order.paid for
	// a paid order) happens to the person after they entered, they leave.
	OnEvent string `json:"on_event,omitempty"`
	// Rule is a segment rule: a person who matches it leaves.
	Rule string `json:"rule,omitempty"`
}

// StepType is what a step does.
type StepType string

// Step types.
const (
	StepWait      StepType = "wait"         // wait a duration, or until a time of day
	StepCondition StepType = "condition"    // branch on a segment rule
	StepSend      StepType = "send"         // a 1:1 message through dispatch and the reach policy
	StepTag       StepType = "tag"          // add and remove tags
	StepTask      StepType = "task"         // an operator task
	StepCode      StepType = "channel_code" // a channel code for this person (order/parcel code)
	StepGroup     StepType = "group"        // invite the person to a customer group (its join QR)
	StepWebhook   StepType = "webhook"      // POST the enrollment to a URL
	StepExit      StepType = "exit"         // end here
)

// StepTypes lists the step types.
var StepTypes = []StepType{StepWait, StepCondition, StepSend, StepTag, StepTask, StepCode, StepGroup, StepWebhook, StepExit}

// Step is one step. Which fields apply depends on Type.
type Step struct {
	ID   string   `json:"id"`
	Type StepType `json:"type"`
	// Next is the step after this one; empty means the step that follows
	// in the list (the end after the last). "end" ends the walk.
	Next string `json:"next,omitempty"`

	Wait  string `json:"wait,omitempty"`  // wait: a duration such as 30m, 2h, 3d, 1w
	Until string `json:"until,omitempty"` // wait: the next HH:MM in Asia/Shanghai

	Rule string `json:"rule,omitempty"` // condition: a segment rule
	Yes  string `json:"yes,omitempty"`  // condition: the step when it matches ("end" ends)
	No   string `json:"no,omitempty"`   // condition: the step when it does not

	Message *siyu.Message `json:"message,omitempty"` // send: personalised, see Variables
	Account string        `json:"account,omitempty"` // send, group: the sender's WeCom userid; empty: the person's latest contact

	AddTags    []string `json:"add_tags,omitempty"`    // tag
	RemoveTags []string `json:"remove_tags,omitempty"` // tag

	Task    *TaskSpec    `json:"task,omitempty"`
	Code    *CodeSpec    `json:"code,omitempty"`
	Group   *GroupSpec   `json:"group,omitempty"`
	Webhook *WebhookSpec `json:"webhook,omitempty"`
}

// TaskSpec is the operator task a task step creates.
type TaskSpec struct {
	Kind   string `json:"kind,omitempty"` // default follow_up
	Title  string `json:"title"`          // personalised
	Detail string `json:"detail,omitempty"`
	Due    string `json:"due,omitempty"` // a duration; empty: the kind's SLA
}

// CodeSpec is the channel code a channel_code step makes for the person:
// with an order trigger it is the order's code (printed on the parcel card,
// sent in the after-sale message), and its QR is {{code_url}} afterwards.
type CodeSpec struct {
	Kind     string   `json:"kind,omitempty"` // order (default) or parcel
	Accounts []string `json:"accounts"`       // WeCom userids the scan adds
	Tags     []string `json:"tags,omitempty"` // put on whoever adds through it
	Welcome  string   `json:"welcome,omitempty"`
}

// GroupSpec is a customer group to invite the person to. WeCom has no API
// that puts an external contact into a group: the person joins through the
// group's join QR (or a member invites them by hand), so the step sends the
// QR and records the invitation.
type GroupSpec struct {
	ChatID string `json:"chat_id"`
	Name   string `json:"name,omitempty"`
	QRURL  string `json:"qr_url"`         // the group's join QR (a join_way), {{group_qr}} in Text
	Text   string `json:"text,omitempty"` // the invitation; default a short one with the QR
}

// WebhookSpec is an outgoing webhook.
type WebhookSpec struct {
	URL    string `json:"url"`
	Secret string `json:"secret"` // keys the X-Siyu-Signature HMAC-SHA256
}

// End is the Next value that ends a walk.
const End = "end"

// Limits of a definition.
const (
	MaxSteps    = 50
	maxIDLen    = 40
	maxWait     = 365 * 24 * time.Hour
	MaxTextLen  = 2000
	maxTagName  = 100
	maxTagsStep = 20
)

var stepIDPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

// Parse reads a definition from JSON (unknown fields are refused, so a typo
// is not silently ignored) and validates it.
func Parse(data []byte) (Definition, error) {
	var d Definition
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return d, fmt.Errorf("%w: definition: %v", siyu.ErrInvalid, err)
	}
	if dec.More() {
		return d, fmt.Errorf("%w: definition: data after the JSON object", siyu.ErrInvalid)
	}
	return d, d.Validate()
}

// Error is a validation error naming where: "steps[2] (send1).message.text".
type Error struct {
	Field string
	Msg   string
}

func (e *Error) Error() string { return e.Field + ": " + e.Msg }

// Unwrap makes every validation error a siyu.ErrInvalid.
func (e *Error) Unwrap() error { return siyu.ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &Error{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Validate checks the whole definition: trigger, re-entry, exit, every
// step's fields, that every step named exists and that no walk can loop.
func (d *Definition) Validate() error {
	if err := d.Trigger.validate(); err != nil {
		return err
	}
	switch d.Reentry.Mode {
	case "":
		d.Reentry.Mode = ReentryOnce
	case ReentryOnce, ReentryEvery:
	case ReentryOncePer:
		if d.Reentry.Days < 1 || d.Reentry.Days > 3650 {
			return invalid("reentry.days", "1..3650 days for once_per, not %d", d.Reentry.Days)
		}
	default:
		return invalid("reentry.mode", "%q: use once, every or once_per", d.Reentry.Mode)
	}
	if d.Exit.OnEvent != "" {
		if err := checkEventType(d.Exit.OnEvent); err != nil {
			return invalid("exit.on_event", "%v", err)
		}
	}
	if err := checkRule("exit.rule", d.Exit.Rule); err != nil {
		return err
	}
	if len(d.Steps) == 0 {
		return invalid("steps", "a journey needs at least one step")
	}
	if len(d.Steps) > MaxSteps {
		return invalid("steps", "at most %d steps, not %d", MaxSteps, len(d.Steps))
	}
	index := map[string]int{}
	for i, s := range d.Steps {
		f := fmt.Sprintf("steps[%d]", i)
		switch {
		case s.ID == "":
			return invalid(f+".id", "required")
		case len(s.ID) > maxIDLen || !stepIDPattern.MatchString(s.ID):
			return invalid(f+".id", "%q: letters, digits, _ and -, starting with a letter, at most %d", s.ID, maxIDLen)
		case s.ID == End:
			return invalid(f+".id", "%q is reserved for the end", End)
		}
		if _, dup := index[s.ID]; dup {
			return invalid(f+".id", "%q is used by two steps", s.ID)
		}
		index[s.ID] = i
	}
	for i := range d.Steps {
		if err := d.Steps[i].validate(fmt.Sprintf("steps[%d] (%s)", i, d.Steps[i].ID), index); err != nil {
			return err
		}
	}
	return d.checkAcyclic()
}

func (t *Trigger) validate() error {
	switch t.Kind {
	case TriggerEvent:
		if err := checkEventType(t.Event); err != nil {
			return invalid("trigger.event", "%v", err)
		}
		if t.SegmentID != 0 || t.Every != "" {
			return invalid("trigger", "an event trigger has no segment_id or every")
		}
	case TriggerSegment:
		if t.SegmentID <= 0 {
			return invalid("trigger.segment_id", "required: the saved segment whose entries enrol")
		}
		if t.Event != "" || t.Every != "" {
			return invalid("trigger", "a segment trigger has no event or every")
		}
	case TriggerSchedule:
		if t.SegmentID <= 0 {
			return invalid("trigger.segment_id", "required: the saved segment enrolled at each time")
		}
		if t.Event != "" {
			return invalid("trigger.event", "a schedule trigger has no event")
		}
		switch t.Every {
		case "daily":
		case "weekly":
			if t.Weekday < 0 || t.Weekday > 6 {
				return invalid("trigger.weekday", "0 (Sunday) … 6 (Saturday), not %d", t.Weekday)
			}
		default:
			return invalid("trigger.every", "%q: use daily or weekly", t.Every)
		}
		if _, err := ParseClock(t.At); err != nil {
			return invalid("trigger.at", "%v", err)
		}
	case "":
		return invalid("trigger.kind", "required: event, segment or schedule")
	default:
		return invalid("trigger.kind", "%q: use event, segment or schedule", t.Kind)
	}
	return checkRule("trigger.condition", t.Condition)
}

var eventTypePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$`)

func checkEventType(s string) error {
	if s == "" {
		return errors.New("required, e.g. order.paid")
	}
	if len(s) > 64 || !eventTypePattern.MatchString(s) {
		return fmt.Errorf("%q is not an event type (lower case words joined by dots)", s)
	}
	return nil
}

func checkRule(field, src string) error {
	if strings.TrimSpace(src) == "" {
		return nil
	}
	if _, err := segment.Parse(src); err != nil {
		return invalid(field, "%v", err)
	}
	return nil
}

func (s *Step) validate(f string, index map[string]int) error {
	target := func(field, id string) error {
		if id == "" || id == End {
			return nil
		}
		if _, ok := index[id]; !ok {
			return invalid(f+"."+field, "no step %q", id)
		}
		if id == s.ID {
			return invalid(f+"."+field, "a step cannot lead to itself")
		}
		return nil
	}
	if err := target("next", s.Next); err != nil {
		return err
	}
	// A field that does not belong to the type is a mistake worth naming.
	stray := func(field string, set bool) error {
		if set {
			return invalid(f+"."+field, "not used by a %s step", s.Type)
		}
		return nil
	}
	for _, c := range []struct {
		field string
		set   bool
		types []StepType
	}{
		{"wait", s.Wait != "", []StepType{StepWait}},
		{"until", s.Until != "", []StepType{StepWait}},
		{"rule", s.Rule != "", []StepType{StepCondition}},
		{"yes", s.Yes != "", []StepType{StepCondition}},
		{"no", s.No != "", []StepType{StepCondition}},
		{"message", s.Message != nil, []StepType{StepSend}},
		{"account", s.Account != "", []StepType{StepSend, StepGroup}},
		{"add_tags", len(s.AddTags) > 0, []StepType{StepTag}},
		{"remove_tags", len(s.RemoveTags) > 0, []StepType{StepTag}},
		{"task", s.Task != nil, []StepType{StepTask}},
		{"code", s.Code != nil, []StepType{StepCode}},
		{"group", s.Group != nil, []StepType{StepGroup}},
		{"webhook", s.Webhook != nil, []StepType{StepWebhook}},
	} {
		ok := false
		for _, t := range c.types {
			ok = ok || t == s.Type
		}
		if !ok {
			if err := stray(c.field, c.set); err != nil {
				return err
			}
		}
	}
	switch s.Type {
	case StepWait:
		switch {
		case s.Wait != "" && s.Until != "":
			return invalid(f+".until", "give wait or until, not both")
		case s.Wait != "":
			d, err := ParseDuration(s.Wait)
			if err != nil {
				return invalid(f+".wait", "%v", err)
			}
			if d > maxWait {
				return invalid(f+".wait", "at most a year")
			}
		case s.Until != "":
			if _, err := ParseClock(s.Until); err != nil {
				return invalid(f+".until", "%v", err)
			}
		default:
			return invalid(f+".wait", "required: a duration (30m, 2h, 3d, 1w) or until (HH:MM)")
		}
	case StepCondition:
		if strings.TrimSpace(s.Rule) == "" {
			return invalid(f+".rule", "required: a segment rule")
		}
		if err := checkRule(f+".rule", s.Rule); err != nil {
			return err
		}
		if s.Next != "" {
			return invalid(f+".next", "a condition goes on by yes and no")
		}
		if err := target("yes", s.Yes); err != nil {
			return err
		}
		if err := target("no", s.No); err != nil {
			return err
		}
	case StepSend:
		if s.Message == nil {
			return invalid(f+".message", "required")
		}
		if err := checkMessage(f+".message", *s.Message); err != nil {
			return err
		}
	case StepTag:
		if len(s.AddTags)+len(s.RemoveTags) == 0 {
			return invalid(f+".add_tags", "a tag step adds or removes at least one tag")
		}
		for field, tags := range map[string][]string{"add_tags": s.AddTags, "remove_tags": s.RemoveTags} {
			if len(tags) > maxTagsStep {
				return invalid(f+"."+field, "at most %d tags", maxTagsStep)
			}
			for i, t := range tags {
				if t = strings.TrimSpace(t); t == "" || utf8.RuneCountInString(t) > maxTagName {
					return invalid(fmt.Sprintf("%s.%s[%d]", f, field, i), "a tag name is 1..%d characters", maxTagName)
				}
			}
		}
	case StepTask:
		if s.Task == nil {
			return invalid(f+".task", "required")
		}
		if strings.TrimSpace(s.Task.Title) == "" {
			return invalid(f+".task.title", "required")
		}
		for field, text := range map[string]string{"title": s.Task.Title, "detail": s.Task.Detail} {
			if err := checkText(f+".task."+field, text); err != nil {
				return err
			}
		}
		if s.Task.Kind != "" && !taskKindPattern.MatchString(s.Task.Kind) {
			return invalid(f+".task.kind", "%q: use a-z, 0-9 and _, starting with a letter", s.Task.Kind)
		}
		if s.Task.Due != "" {
			if _, err := ParseDuration(s.Task.Due); err != nil {
				return invalid(f+".task.due", "%v", err)
			}
		}
	case StepCode:
		if s.Code == nil {
			return invalid(f+".code", "required")
		}
		switch s.Code.Kind {
		case "", siyu.CodeOrder, siyu.CodeParcel:
		default:
			return invalid(f+".code.kind", "%q: use order or parcel", s.Code.Kind)
		}
		if len(s.Code.Accounts) == 0 {
			return invalid(f+".code.accounts", "at least one WeCom userid")
		}
		for i, a := range s.Code.Accounts {
			if strings.TrimSpace(a) == "" {
				return invalid(fmt.Sprintf("%s.code.accounts[%d]", f, i), "empty")
			}
		}
	case StepGroup:
		g := s.Group
		switch {
		case g == nil:
			return invalid(f+".group", "required")
		case strings.TrimSpace(g.ChatID) == "":
			return invalid(f+".group.chat_id", "required")
		case !strings.HasPrefix(g.QRURL, "https://") && !strings.HasPrefix(g.QRURL, "http://"):
			return invalid(f+".group.qr_url", "required: the group's join QR link (http or https)")
		}
		if err := checkText(f+".group.text", g.Text); err != nil {
			return err
		}
	case StepWebhook:
		w := s.Webhook
		switch {
		case w == nil:
			return invalid(f+".webhook", "required")
		case !strings.HasPrefix(w.URL, "https://") && !strings.HasPrefix(w.URL, "http://"):
			return invalid(f+".webhook.url", "%q: an http or https URL", w.URL)
		case len(w.Secret) < 16:
			return invalid(f+".webhook.secret", "at least 16 characters")
		}
	case StepExit:
		if s.Next != "" {
			return invalid(f+".next", "an exit step ends the walk")
		}
	case "":
		return invalid(f+".type", "required: one of %s", typeList())
	default:
		return invalid(f+".type", "%q: use one of %s", s.Type, typeList())
	}
	return nil
}

var taskKindPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

func typeList() string {
	var names []string
	for _, t := range StepTypes {
		names = append(names, string(t))
	}
	return strings.Join(names, ", ")
}

func checkMessage(f string, m siyu.Message) error {
	if m.Text == "" && m.Image == nil && m.Link == nil && m.MiniProgram == nil {
		return invalid(f, "empty: give text or an attachment")
	}
	if err := checkText(f+".text", m.Text); err != nil {
		return err
	}
	if m.Link != nil {
		if m.Link.Title == "" || m.Link.URL == "" {
			return invalid(f+".link", "a link needs a title and a url")
		}
		if err := checkText(f+".link.title", m.Link.Title); err != nil {
			return err
		}
		if err := checkText(f+".link.desc", m.Link.Desc); err != nil {
			return err
		}
		if err := checkText(f+".link.url", m.Link.URL); err != nil {
			return err
		}
	}
	if m.MiniProgram != nil && (m.MiniProgram.AppID == "" || m.MiniProgram.Page == "" || m.MiniProgram.Title == "") {
		return invalid(f+".miniprogram", "a mini-program card needs a title, an appid and a page")
	}
	return nil
}

func checkText(f, text string) error {
	if utf8.RuneCountInString(text) > MaxTextLen {
		return invalid(f, "at most %d characters", MaxTextLen)
	}
	if _, err := parseTemplate(text); err != nil {
		return invalid(f, "%v", err)
	}
	return nil
}

// checkAcyclic refuses a graph in which a walk could come back to a step:
// every step runs at most once per enrollment, which is what makes a step's
// idempotency key (enrollment, step) unique.
func (d *Definition) checkAcyclic() error {
	const (
		unseen = iota
		onPath
		done
	)
	state := make(map[string]int, len(d.Steps))
	var visit func(id string, path []string) error
	visit = func(id string, path []string) error {
		if id == "" {
			return nil
		}
		switch state[id] {
		case onPath:
			return invalid("steps", "the steps loop: %s → %s", strings.Join(path, " → "), id)
		case done:
			return nil
		}
		state[id] = onPath
		for _, n := range d.Successors(id) {
			if err := visit(n, append(path, id)); err != nil {
				return err
			}
		}
		state[id] = done
		return nil
	}
	for _, s := range d.Steps {
		if err := visit(s.ID, nil); err != nil {
			return err
		}
	}
	return nil
}
