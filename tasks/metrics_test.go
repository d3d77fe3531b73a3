package tasks_test

import (
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/tasks"
)

func TestQuantile(t *testing.T) {
	d := func(xs ...int) []time.Duration {
		var out []time.Duration
		for _, x := range xs {
			out = append(out, time.Duration(x)*time.Minute)
		}
		return out
	}
	tests := []struct {
		in   []time.Duration
		q    float64
		want time.Duration
	}{
		{nil, 0.5, 0},
		{d(7), 0.9, 7 * time.Minute},
		{d(1, 2), 0.5, time.Minute},
		{d(1, 2, 3), 0.5, 2 * time.Minute},
		{d(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 0.9, 9 * time.Minute},
		{d(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), 0.9, 10 * time.Minute},
	}
	for _, tt := range tests {
		if got := tasks.Quantile(tt.in, tt.q); got != tt.want {
			t.Errorf("Quantile(%v, %v) = %v, want %v", tt.in, tt.q, got, tt.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	now := time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)
	c := now.Add(-10 * time.Hour)
	recs := []tasks.Record{
		{Kind: siyu.TaskFollowUp, Status: tasks.StatusDone, DoneBy: 1, CreatedAt: c, DueAt: c.Add(time.Hour), DoneAt: c.Add(30 * time.Minute)},
		{Kind: siyu.TaskFollowUp, Status: tasks.StatusDone, DoneBy: 1, CreatedAt: c, DueAt: c.Add(time.Hour), DoneAt: c.Add(3 * time.Hour)},
		{Kind: siyu.TaskReplyComment, Status: tasks.StatusDone, DoneBy: 2, CreatedAt: c, DueAt: c.Add(time.Hour), DoneAt: c.Add(time.Hour)},
		{Kind: siyu.TaskReplyComment, Status: tasks.StatusOpen, AssigneeID: 2, CreatedAt: c, DueAt: c.Add(time.Hour)},
		{Kind: siyu.TaskReplyComment, Status: tasks.StatusOpen, CreatedAt: c, DueAt: now.Add(time.Hour)},
		{Kind: siyu.TaskConfirmMassSend, Status: tasks.StatusCancelled, CreatedAt: c, DueAt: c},
	}
	r := tasks.Summarize(recs, now)
	if r.Total.Done != 3 || r.Total.Open != 2 || r.Total.Overdue != 1 || r.Total.Cancelled != 1 {
		t.Errorf("total = %+v", r.Total)
	}
	if r.Total.Median != time.Hour || r.Total.P90 != 3*time.Hour {
		t.Errorf("total durations = %v / %v", r.Total.Median, r.Total.P90)
	}
	if r.Total.WithinSLA < 0.66 || r.Total.WithinSLA > 0.67 {
		t.Errorf("total within SLA = %v, want 2/3 (done exactly at due counts)", r.Total.WithinSLA)
	}
	if op := r.ByOperator[1]; op.Done != 2 || op.WithinSLA != 0.5 || op.Median != 30*time.Minute {
		t.Errorf("operator 1 = %+v", op)
	}
	if op := r.ByOperator[2]; op.Done != 1 || op.Open != 1 || op.Overdue != 1 {
		t.Errorf("operator 2 = %+v", op)
	}
	if pool := r.ByOperator[0]; pool.Open != 1 || pool.Overdue != 0 {
		t.Errorf("pool = %+v", pool)
	}
	if k := r.ByKind[siyu.TaskConfirmMassSend]; k.Cancelled != 1 || k.Done != 0 {
		t.Errorf("mass send = %+v", k)
	}
	if got := r.Operators(); len(got) != 3 || got[0] != 1 {
		t.Errorf("operators = %v", got)
	}
	if got := r.Kinds(); len(got) != 3 || got[0] != siyu.TaskConfirmMassSend {
		t.Errorf("kinds = %v", got)
	}
}
