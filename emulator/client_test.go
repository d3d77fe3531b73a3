package emulator

import (
	"context"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"siyu.dev/siyu/wecom"
	"siyu.dev/siyu/wecom/wxcrypt"
)

// The project's own WeCom client and callback receiver run against the
// emulator by changing only the base URL and the secrets: the whole loop of
// scan, callback, welcome message and sync.
func TestRealClientAgainstEmulator(t *testing.T) {
	v := newEnv(t, func(c *Config) {
		pop := Quiet(40)
		pop.ExistingContacts, pop.SeedTags = 0.5, true
		c.Population = &pop
		c.CorpID = "wwtestcorp0000001"
	})
	ctx := context.Background()
	client, err := wecom.NewClient(wecom.Config{
		BaseURL: v.srv.URL, CorpID: v.emu.CorpID(), Secret: v.emu.Secret(),
		Tokens: wecom.NewTokenCache(), Limiter: wecom.NewTokenBucket(wecom.TokenBucketConfig{}),
	})
	if err != nil {
		t.Fatal(err)
	}

	// The app's callback endpoint sends the welcome message on each add.
	key := "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	crypt, err := wxcrypt.New("app-token", key, v.emu.CorpID())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var states []string
	rec := wecom.NewReceiver(crypt, func(ctx context.Context, ev wecom.Event) error {
		if ev.ChangeType != wecom.ChangeAddExternalContact {
			return nil
		}
		mu.Lock()
		states = append(states, ev.State)
		mu.Unlock()
		return client.SendWelcomeMsg(ctx, wecom.SendWelcomeMsgRequest{WelcomeCode: ev.WelcomeCode, Text: &wecom.TextContent{Content: "欢迎关注知夏～"}})
	}, wecom.ReceiverOptions{})
	app := httptest.NewServer(rec)
	defer app.Close()
	if err := v.emu.SetCallback(ctx, &CallbackConfig{URL: app.URL, Token: "app-token", EncodingAESKey: key}); err != nil {
		t.Fatal(err)
	}

	way, err := client.AddContactWay(ctx, wecom.AddContactWayRequest{Type: wecom.ContactWayTypeSingle, Scene: wecom.SceneQRCode, User: []string{"store_hz01"}, State: "parcel_0312"})
	if err != nil {
		t.Fatal(err)
	}
	for u, added := 0, 0; added < 3; u++ {
		if _, err := v.emu.Scan(way.ConfigID, u); err == nil { // some are customers already
			added++
		}
	}
	v.flush()
	if len(states) != 3 || states[0] != "parcel_0312" {
		t.Errorf("app saw adds with states %v", states)
	}

	// A token that expires (early, or after two hours) is replaced on the fly.
	v.emu.ExpireTokens()
	v.emu.Advance(3 * time.Hour)

	// Sync every member's customers and compare with the emulator's state.
	members, err := client.GetFollowUserList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var synced []string
	for item, err := range client.ExternalContactsByUser(ctx, members, 7) {
		if err != nil {
			t.Fatal(err)
		}
		synced = append(synced, item.FollowInfo.UserID+"/"+item.ExternalContact.ExternalUserID+"/"+item.FollowInfo.State)
	}
	var want []string
	welcomed := 0
	for _, m := range v.emu.Snapshot().Members {
		for _, c := range m.Contacts {
			want = append(want, m.UserID+"/"+c.ExternalUserID+"/"+c.State)
			if c.Welcomed {
				welcomed++
			}
		}
	}
	sort.Strings(synced)
	sort.Strings(want)
	if len(want) < 20 || len(synced) != len(want) {
		t.Fatalf("synced %d relations, the emulator has %d", len(synced), len(want))
	}
	for i := range want {
		if synced[i] != want[i] {
			t.Fatalf("relation %d: synced %s, emulator %s", i, synced[i], want[i])
		}
	}
	if welcomed != 3 {
		t.Errorf("%d customers welcomed through the client, want 3", welcomed)
	}
}
