package server

import (
	"context"
	"log/slog"
	"testing"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

// A created WeCom mass-message task becomes one operator task to confirm
// it on the phone, however often the queue reports it.
func TestSubmittedMassSendBecomesOneConfirmTask(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	w, err := st.CreateWorkspace(ctx, "shop", "店")
	if err != nil {
		t.Fatal(err)
	}
	acc, err := st.UpsertAccount(ctx, w.ID, siyu.Account{WeComUserID: "founder", Name: "创始人号"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Store: st, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		s.confirmOnPhone(ctx, w.ID, acc.ID, "founder", "msgAAA", 1234)
	}
	tasks, total, err := st.Tasks(ctx, w.ID, store.TaskFilter{Status: "open"})
	if err != nil {
		t.Fatal(err)
	}
	if total != 1 || len(tasks) != 1 {
		t.Fatalf("%d tasks, want 1: %+v", total, tasks)
	}
	task := tasks[0]
	if task.Kind != siyu.TaskConfirmMassSend || task.AccountID != acc.ID || task.DueAt.IsZero() {
		t.Fatalf("task %+v", task)
	}
}
