package emulator

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/wecom"
)

func frozen() time.Time { return t0 }

func TestPopulationIsDeterministic(t *testing.T) {
	build := func(seed int64) *Emulator {
		e := New(Config{Seed: seed, Now: frozen})
		t.Cleanup(e.Close)
		return e
	}
	a, b, c := build(42), build(42), build(43)
	if !reflect.DeepEqual(a.Users(), b.Users()) {
		t.Fatal("same seed, different users")
	}
	if reflect.DeepEqual(a.Users(), c.Users()) {
		t.Fatal("different seeds, same users")
	}
	sa, sb := jsonOf(t, a.Snapshot()), jsonOf(t, b.Snapshot())
	if sa != sb {
		t.Fatal("same seed, different starting state")
	}

	// The simulated week is the same too: same adds, deletes, joins, orders.
	for _, e := range []*Emulator{a, b} {
		for range 7 * 24 {
			e.Step()
		}
	}
	if jsonOf(t, a.Snapshot()) != jsonOf(t, b.Snapshot()) {
		t.Error("same seed, different state after a week")
	}
	if !reflect.DeepEqual(a.Orders(), b.Orders()) || !reflect.DeepEqual(a.Events(), b.Events()) {
		t.Error("same seed, different orders or events after a week")
	}
	if a.Snapshot().Orders == 0 || len(a.Events()) == 0 {
		t.Error("nothing happened in a simulated week")
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestEmptyPopulation(t *testing.T) {
	pop := DefaultPopulation()
	pop.Users = 0
	e := New(Config{Now: frozen, Population: &pop})
	defer e.Close()
	e.Advance(7 * 24 * time.Hour)
	if len(e.Users()) != 0 || len(e.Orders()) != 0 {
		t.Error("an empty population did something")
	}
}

func TestPopulationShape(t *testing.T) {
	e := New(Config{Seed: 7, Now: frozen})
	defer e.Close()
	users := e.Users()
	if len(users) != 500 {
		t.Fatalf("%d users", len(users))
	}
	union, ext, phones := map[string]bool{}, map[string]bool{}, 0
	for i, u := range users {
		if u.Index != i || len([]rune(u.Name)) < 2 || u.Nickname == "" || len(u.UnionID) != 28 || u.UnionID[0] != 'o' {
			t.Errorf("user %+v", u)
		}
		if len(u.ExternalUserID) != 32 || u.ExternalUserID[:2] != "wm" {
			t.Errorf("external_userid %q", u.ExternalUserID)
		}
		if u.Phone != "" {
			phones++
			if _, err := siyu.NormalizePhone(u.Phone); err != nil {
				t.Errorf("phone %q: %v", u.Phone, err)
			}
		}
		union[u.UnionID], ext[u.ExternalUserID] = true, true
	}
	if len(union) != 500 || len(ext) != 500 {
		t.Error("unionids or external_userids repeat")
	}
	if phones < 300 || phones > 400 {
		t.Errorf("%d of 500 users have a phone, want about 70%%", phones)
	}
	snap := e.Snapshot()
	customers := 0
	for _, m := range snap.Members {
		customers += len(m.Contacts)
	}
	if customers < 80 || customers > 140 || len(snap.Groups) != 3 || len(snap.TagGroups) != 3 {
		t.Errorf("start: %d customers, %d groups, %d tag groups; want about 110, 3 and 3", customers, len(snap.Groups), len(snap.TagGroups))
	}
	if len(e.Events()) != 0 {
		t.Error("the starting state pushed events")
	}
}

// A simulated month of the default population: channel codes bring
// customers with their State, some never add, some delete, people buy, and
// their orders carry identifiers that lead back to their WeChat identity.
func TestPopulationMonth(t *testing.T) {
	v := newEnv(t, func(c *Config) {
		pop := DefaultPopulation()
		c.Population = &pop
		c.Policy.MomentPublishDelay = time.Hour
	})
	way := v.addContactWay("store_hz01", "parcel_card_hz")
	v.mustPost(wecom.PathAddMomentTask, wecom.AddMomentTaskRequest{Text: &wecom.TextContent{Content: "春日限定香氛上新"}}, nil)
	for range 30 {
		v.emu.Advance(24 * time.Hour)
	}
	kinds := map[string]int{}
	states := map[string]int{}
	for _, ev := range v.emu.Events() {
		kinds[ev.ChangeType+"/"+ev.UpdateDetail]++
		if ev.ChangeType == wecom.ChangeAddExternalContact {
			states[ev.State]++
		}
	}
	for _, k := range []string{"add_external_contact/", "add_half_external_contact/", "del_follow_user/", "update/add_member"} {
		if kinds[k] == 0 {
			t.Errorf("no %s in a month: %v", k, kinds)
		}
	}
	if states["parcel_card_hz"] < 150 || states[""] == 0 {
		t.Errorf("adds by state %v: want most through the code, some direct", states)
	}
	scans := 0
	for _, c := range v.emu.Snapshot().Members[1].Contacts {
		if c.State == "parcel_card_hz" {
			scans++
		}
	}
	if scans == 0 {
		t.Errorf("no customer of store_hz01 came through %s", way)
	}

	users := map[string]User{}
	for _, u := range v.emu.Users() {
		users[u.UnionID] = u
		users[u.Phone] = u
	}
	orders := v.emu.Orders()
	if len(orders) < 50 {
		t.Fatalf("%d orders in a month", len(orders))
	}
	linked := 0
	for i, o := range orders {
		if err := o.Prepare(); err != nil {
			t.Fatalf("order %d is not valid input: %v", i, err)
		}
		if o.PlacedAt.Before(t0.Add(-time.Hour)) || o.PlacedAt.After(t0.Add(31*24*time.Hour)) {
			t.Errorf("order %d placed at %v, outside the simulated month", i, o.PlacedAt)
		}
		for _, id := range o.Identifiers {
			if (id.Kind == siyu.KindUnionID || id.Kind == siyu.KindPhone) && users[id.Value].Name == o.Receiver {
				linked++
				break
			}
		}
	}
	if linked < len(orders)/3 {
		t.Errorf("%d of %d orders carry a unionid or phone of their buyer", linked, len(orders))
	}

	snap := v.emu.Snapshot()
	if len(snap.Moments) != 1 || !slices.ContainsFunc(snap.Moments[0].Tasks, func(m MomentTaskSnapshot) bool { return m.Likes > 0 }) {
		t.Errorf("moments %+v: want likes on the published moment", snap.Moments)
	}
}
