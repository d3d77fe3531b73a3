package tasks_test

import (
	"errors"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/tasks"
)

func TestParseSettings(t *testing.T) {
	tests := []struct {
		in      string
		kind    string
		want    time.Duration
		wantErr bool
	}{
		{``, siyu.TaskConfirmMassSend, 2 * time.Hour, false},
		{`{}`, siyu.TaskReplyComment, 30 * time.Minute, false},
		{`{"sla":{"follow_up":"12h"}}`, siyu.TaskFollowUp, 12 * time.Hour, false},
		{`{"sla":{"follow_up":"12h"}}`, siyu.TaskConfirmMassSend, 2 * time.Hour, false},
		{`{"sla":{"call_back":"45m"}}`, "call_back", 45 * time.Minute, false},
		{`{}`, "call_back", tasks.FallbackSLA, false},
		{`{"sla":{"follow_up":"tomorrow"}}`, "", 0, true},
		{`{"sla":{"follow_up":"10s"}}`, "", 0, true},
		{`{"sla":{"follow_up":"3000h"}}`, "", 0, true},
		{`{"sla":{"Follow Up":"1h"}}`, "", 0, true},
		{`{"slas":{}}`, "", 0, true},
		{`[`, "", 0, true},
	}
	for _, tt := range tests {
		s, err := tasks.ParseSettings([]byte(tt.in))
		if tt.wantErr {
			if !errors.Is(err, siyu.ErrInvalid) {
				t.Errorf("ParseSettings(%s): err = %v, want ErrInvalid", tt.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseSettings(%s): %v", tt.in, err)
			continue
		}
		if got := s.SLAFor(tt.kind); got != tt.want {
			t.Errorf("ParseSettings(%s).SLAFor(%s) = %v, want %v", tt.in, tt.kind, got, tt.want)
		}
		back, err := tasks.ParseSettings(s.Marshal())
		if err != nil || back.SLAFor(tt.kind) != tt.want {
			t.Errorf("round trip of %s: %v, %v", tt.in, back, err)
		}
	}
}

func FuzzParseSettings(f *testing.F) {
	f.Add([]byte(`{"sla":{"follow_up":"12h"}}`))
	f.Add([]byte(`{"sla":{"x":"1m"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := tasks.ParseSettings(b)
		if err != nil {
			return
		}
		for _, k := range s.Kinds() {
			if k.SLA <= 0 || k.SLA > tasks.MaxSLA {
				t.Errorf("kind %s has SLA %v", k.Kind, k.SLA)
			}
		}
	})
}

func TestPick(t *testing.T) {
	tests := []struct {
		name    string
		cands   []tasks.Candidate
		exclude int64
		want    int64
	}{
		{"nobody", nil, 0, 0},
		{"only the leaver", []tasks.Candidate{{UserID: 3}}, 3, 0},
		{"fewest open", []tasks.Candidate{{UserID: 1, Open: 5}, {UserID: 2, Open: 1}, {UserID: 3, Open: 2}}, 0, 2},
		{"tie to lower id", []tasks.Candidate{{UserID: 9, Open: 1}, {UserID: 4, Open: 1}}, 0, 4},
		{"leaver left out", []tasks.Candidate{{UserID: 1, Open: 0}, {UserID: 2, Open: 3}}, 1, 2},
	}
	for _, tt := range tests {
		if got := tasks.Pick(tt.cands, tt.exclude); got != tt.want {
			t.Errorf("%s: Pick = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestCanSeeAndAct(t *testing.T) {
	ann := tasks.Actor{UserID: 1, Role: siyu.RoleOperator, Operates: map[int64]bool{10: true}}
	ana := tasks.Actor{UserID: 2, Role: siyu.RoleAnalyst, Operates: map[int64]bool{10: true}}
	admin := tasks.Actor{UserID: 3, Role: siyu.RoleAdmin}
	token := tasks.Actor{Role: siyu.RoleOperator}
	tests := []struct {
		name     string
		a        tasks.Actor
		task     siyu.Task
		see, act bool
	}{
		{"own task", ann, siyu.Task{AssigneeID: 1}, true, true},
		{"someone else's", ann, siyu.Task{AssigneeID: 5, AccountID: 10}, false, false},
		{"persona's open work", ann, siyu.Task{AccountID: 10}, true, true},
		{"other persona", ann, siyu.Task{AccountID: 11}, false, false},
		{"pool", ann, siyu.Task{}, true, true},
		{"analyst sees but cannot act", ana, siyu.Task{AccountID: 10}, true, false},
		{"admin everything", admin, siyu.Task{AssigneeID: 5, AccountID: 11}, true, true},
		{"api token acts", token, siyu.Task{AssigneeID: 5}, false, true},
	}
	for _, tt := range tests {
		if got := tasks.CanSee(tt.a, tt.task); got != tt.see {
			t.Errorf("%s: CanSee = %v", tt.name, got)
		}
		if got := tasks.CanAct(tt.a, tt.task); got != tt.act {
			t.Errorf("%s: CanAct = %v", tt.name, got)
		}
	}
}

func TestOverdue(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	due := now.Add(-time.Minute)
	if !tasks.Overdue(siyu.Task{Status: tasks.StatusOpen, DueAt: due}, now) {
		t.Error("open past due is not overdue")
	}
	if tasks.Overdue(siyu.Task{Status: tasks.StatusDone, DueAt: due}, now) {
		t.Error("done task is overdue")
	}
	if tasks.Overdue(siyu.Task{Status: tasks.StatusOpen, DueAt: now}, now) {
		t.Error("due exactly now is overdue")
	}
}
