package store_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

func TestAuditLogFiltersAndOrder(t *testing.T) {
	s := storetest.Open(t)
	ws := workspace(t, s, "audit")
	other := workspace(t, s, "audit-other")
	at := t0
	add := func(w int64, e store.AuditEntry) {
		t.Helper()
		at = at.Add(time.Minute)
		e.At = at
		if err := s.Audit(ctx, w, e); err != nil {
			t.Fatal(err)
		}
	}
	add(ws, store.AuditEntry{UserID: 1, Actor: "小王", Persona: "创始人号", Action: "task.complete", Target: "task:1"})
	add(ws, store.AuditEntry{UserID: 2, Actor: "小李", Action: "task.reassign", Target: "task:1", Detail: "to 小王"})
	add(ws, store.AuditEntry{UserID: 1, Actor: "小王", Action: "campaign.send", Target: "campaign:9"})
	add(other, store.AuditEntry{UserID: 1, Actor: "小王", Action: "task.complete", Target: "task:1"})

	all, err := s.AuditLog(ctx, ws, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Fatalf("entries = %d, want 3 (another workspace's entry must not show)", len(all))
	}
	if all[0].Action != "campaign.send" || all[2].Action != "task.complete" {
		t.Errorf("not newest first: %v, %v", all[0].Action, all[2].Action)
	}
	if all[2].Persona != "创始人号" || all[2].UserID != 1 || !all[2].At.Equal(t0.Add(time.Minute)) {
		t.Errorf("entry = %+v", all[2])
	}

	tests := []struct {
		name string
		f    store.AuditFilter
		want int
	}{
		{"by user", store.AuditFilter{UserID: 1}, 2},
		{"by action prefix", store.AuditFilter{Action: "task."}, 2},
		{"by exact action", store.AuditFilter{Action: "task.reassign"}, 1},
		{"prefix is not a substring", store.AuditFilter{Action: "task"}, 0},
		{"by target", store.AuditFilter{Target: "task:1"}, 2},
		{"by persona", store.AuditFilter{Persona: "创始人号"}, 1},
		{"since", store.AuditFilter{Since: t0.Add(2 * time.Minute)}, 2},
		{"until", store.AuditFilter{Until: t0.Add(2 * time.Minute)}, 1},
		{"limit", store.AuditFilter{Limit: 1}, 1},
		{"before id", store.AuditFilter{BeforeID: all[0].ID}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.AuditLog(ctx, ws, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Errorf("got %d entries, want %d: %+v", len(got), tt.want, got)
			}
		})
	}
}

func TestAuditRejectsEmptyAction(t *testing.T) {
	s := storetest.Open(t)
	ws := workspace(t, s, "audit")
	if err := s.Audit(ctx, ws, store.AuditEntry{Actor: "x"}); !errors.Is(err, siyu.ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
}

func TestAuditNeverStoresPhonesOrSecrets(t *testing.T) {
	s := storetest.Open(t)
	ws := workspace(t, s, "audit")
	secrets := []string{"13800138000", "13912345678", "15000000001", "s3cr3t-pass", "siyu_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abc", "eyJhbGciOiJIUzI1NiJ9.payload"}
	e := store.AuditEntry{
		UserID:  7,
		Actor:   "运营 13800138000",
		Persona: "创始人号",
		Action:  "customer.update",
		Target:  "phone:+86 139-1234-5678",
		Detail:  "password=s3cr3t-pass token: siyu_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abc Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload; 新手机１５０００００００００１",
	}
	if err := s.Audit(ctx, ws, e); err != nil {
		t.Fatal(err)
	}
	got, err := s.AuditLog(ctx, ws, store.AuditFilter{})
	if err != nil || len(got) != 1 {
		t.Fatalf("got %v, %v", got, err)
	}
	row := strings.Join([]string{got[0].Actor, got[0].Persona, got[0].Action, got[0].Target, got[0].Detail}, " | ")
	for _, sec := range secrets {
		if strings.Contains(row, sec) {
			t.Errorf("audit row contains %q: %s", sec, row)
		}
	}
	// No 11-digit mobile survives in any spelling.
	digitsOnly := regexp.MustCompile(`[^0-9]`).ReplaceAllString(row, "")
	for _, p := range []string{"13800138000", "13912345678", "15000000001"} {
		if strings.Contains(digitsOnly, p) {
			t.Errorf("phone %s recoverable from %s", p, row)
		}
	}
	// What is left still says what happened.
	if !strings.Contains(row, "138****8000") || !strings.Contains(row, "password=[redacted]") || got[0].Persona != "创始人号" {
		t.Errorf("redaction lost too much: %s", row)
	}
}

func TestRedactAudit(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"order 202503011234567890", "order 202503011234567890"}, // long ids are not phones
		{"call 13800138000", "call 138****8000"},
		{"13800138000,13912345678", "138****8000,139****5678"},
		{"+8613800138000", "138****8000"},
		{"0086 138 0013 8000", "138****8000"},
		{"user 12345678901", "user 12345678901"}, // 12… is not a mobile prefix
		{"secret: abc", "secret: [redacted]"},
		{`{"api_key":"k-123"}`, `{"api_key":"[redacted]"}`},
		{"no secrets here", "no secrets here"},
	}
	for _, tt := range tests {
		if got := store.RedactAudit(tt.in); got != tt.want {
			t.Errorf("RedactAudit(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzRedactAudit(f *testing.F) {
	f.Add("call 13800138000 password=x")
	f.Add("+86 139-1234-5678")
	f.Fuzz(func(t *testing.T, in string) {
		out := store.RedactAudit(in)
		if store.RedactAudit(out) != out {
			t.Errorf("not stable: %q -> %q -> %q", in, out, store.RedactAudit(out))
		}
		for _, m := range regexp.MustCompile(`(^|[^0-9])1[3-9][0-9]{9}([^0-9]|$)`).FindAllString(out, -1) {
			t.Errorf("phone left in %q: %q", out, m)
		}
	})
}
