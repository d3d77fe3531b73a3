package emulator

import "testing"

func TestSeedContactsIsQuietAndIdempotent(t *testing.T) {
	pop := Quiet(10)
	e := New(Config{Population: &pop})
	defer e.Close()
	for range 2 {
		if err := e.SeedContacts("founder", []int{0, 1, 2, 3}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.SeedContacts("founder", []int{10}); err == nil {
		t.Fatal("seeded a user outside the population")
	}
	if err := e.SeedContacts("nobody", []int{0}); err == nil {
		t.Fatal("seeded contacts of an unknown member")
	}
	contacts := func() int {
		for _, m := range e.Snapshot().Members {
			if m.UserID == "founder" {
				return len(m.Contacts)
			}
		}
		return -1
	}
	if n := contacts(); n != 4 {
		t.Fatalf("founder has %d contacts, want 4", n)
	}
	gone := e.Users()[2].ExternalUserID
	if err := e.RemoveContactsQuietly("founder", []string{gone}); err != nil {
		t.Fatal(err)
	}
	if err := e.RemoveContactsQuietly("founder", []string{gone}); err == nil {
		t.Fatal("removed a contact twice")
	}
	if n := contacts(); n != 3 {
		t.Fatalf("founder has %d contacts after a removal, want 3", n)
	}
	if ev := e.Events(); len(ev) != 0 {
		t.Fatalf("seeding and quiet removal emitted %d events", len(ev))
	}
	if got := e.MassReceived(); len(got) != 0 {
		t.Fatalf("mass messages received before any was sent: %v", got)
	}
}
