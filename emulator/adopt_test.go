package emulator_test

import (
	"testing"
	"time"

	"siyu.dev/siyu/emulator"
)

// Adopted relations look to the API like any other: the member is in the
// follow-user list and its customers are there, once however often adopted.
func TestAdoptContacts(t *testing.T) {
	emu := emulator.New(emulator.Config{Seed: 1, Population: ptr(emulator.Quiet(10))})
	defer emu.Close()
	adopted := []emulator.Adopted{
		{ExternalUserID: "wmDemoAAA", Nickname: "王小丫", AddedAt: time.Now().Add(-time.Hour)},
		{ExternalUserID: "wmDemoBBB", Nickname: "李四", AddedAt: time.Now().Add(-2 * time.Hour), State: "code_1"},
	}
	for range 2 {
		if err := emu.AdoptContacts(emulator.Member{UserID: "MuMianXiaoMian", Name: "木棉小棉"}, adopted); err != nil {
			t.Fatal(err)
		}
	}
	if err := emu.AdoptContacts(emulator.Member{UserID: "x"}, []emulator.Adopted{{}}); err == nil {
		t.Fatal("a contact without external_userid was adopted")
	}
	var got []string
	for _, m := range emu.Snapshot().Members {
		if m.UserID == "MuMianXiaoMian" {
			for _, c := range m.Contacts {
				got = append(got, c.ExternalUserID)
			}
		}
	}
	if len(got) != 2 || got[0] != "wmDemoAAA" || got[1] != "wmDemoBBB" {
		t.Fatalf("adopted member's contacts: %v", got)
	}
}

func ptr[T any](v T) *T { return &v }
