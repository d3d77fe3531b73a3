package emulator

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"siyu.dev/siyu/wecom"
)

func TestGetTokenCredentials(t *testing.T) {
	v := newEnv(t, nil)
	tests := []struct {
		name         string
		corp, secret string
		want         int
	}{
		{"ok", v.emu.CorpID(), v.emu.Secret(), 0},
		{"wrong corpid", "wwnotthecorp", v.emu.Secret(), wecom.ErrCodeInvalidCorpID},
		{"wrong secret", v.emu.CorpID(), "nope", wecom.ErrCodeInvalidSecret},
		{"missing corpid", "", v.emu.Secret(), 41002},
		{"missing secret", v.emu.CorpID(), "", 41004},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resp wecom.GetTokenResponse
			q := url.Values{"corpid": {tt.corp}, "corpsecret": {tt.secret}}
			if got := v.call(http.MethodGet, wecom.PathGetToken, q, nil, &resp); got != tt.want {
				t.Fatalf("errcode %d, want %d (%s)", got, tt.want, resp.ErrMsg)
			}
			if tt.want == 0 && (resp.AccessToken == "" || resp.ExpiresIn != 7200) {
				t.Errorf("token %q expires_in %d, want a token valid 7200 s", resp.AccessToken, resp.ExpiresIn)
			}
		})
	}
}

func TestTokenLifecycle(t *testing.T) {
	v := newEnv(t, func(c *Config) { c.Policy.TokenTTL = time.Hour })
	q := url.Values{"corpid": {v.emu.CorpID()}, "corpsecret": {v.emu.Secret()}}
	gettoken := func() wecom.GetTokenResponse {
		t.Helper()
		var resp wecom.GetTokenResponse
		if code := v.call(http.MethodGet, wecom.PathGetToken, q, nil, &resp); code != 0 {
			t.Fatalf("gettoken: %d", code)
		}
		return resp
	}
	followUsers := func(token string) int {
		t.Helper()
		q := url.Values{}
		if token != "" {
			q.Set("access_token", token)
		}
		return v.call(http.MethodGet, wecom.PathGetFollowUserList, q, nil, nil)
	}

	first := gettoken()
	if code := followUsers(first.AccessToken); code != 0 {
		t.Fatalf("fresh token: errcode %d", code)
	}
	if code := followUsers(""); code != wecom.ErrCodeMissingAccessToken {
		t.Errorf("no token: errcode %d, want 41001", code)
	}
	if code := followUsers(first.AccessToken + "x"); code != wecom.ErrCodeInvalidAccessToken {
		t.Errorf("wrong token: errcode %d, want 40014", code)
	}

	v.emu.Advance(20 * time.Minute)
	again := gettoken()
	if again.AccessToken != first.AccessToken {
		t.Errorf("gettoken before expiry gave a new token")
	}
	if again.ExpiresIn != 40*60 {
		t.Errorf("expires_in %d after 20 of 60 minutes, want 2400", again.ExpiresIn)
	}

	v.emu.Advance(40 * time.Minute)
	if code := followUsers(first.AccessToken); code != wecom.ErrCodeAccessTokenExpired {
		t.Errorf("expired token: errcode %d, want 42001", code)
	}
	fresh := gettoken()
	if fresh.AccessToken == first.AccessToken {
		t.Fatal("gettoken after expiry gave the expired token")
	}
	if code := followUsers(fresh.AccessToken); code != 0 {
		t.Errorf("new token: errcode %d", code)
	}

	v.emu.ExpireTokens()
	if code := followUsers(fresh.AccessToken); code != wecom.ErrCodeAccessTokenExpired {
		t.Errorf("token expired early: errcode %d, want 42001", code)
	}
}

func TestBadSecretBlocksIP(t *testing.T) {
	v := newEnv(t, func(c *Config) { c.Policy.BadSecretBlock = 3 })
	bad := url.Values{"corpid": {v.emu.CorpID()}, "corpsecret": {"wrong"}}
	for i := range 3 {
		if code := v.call(http.MethodGet, wecom.PathGetToken, bad, nil, nil); code != wecom.ErrCodeInvalidSecret {
			t.Fatalf("attempt %d: errcode %d, want 40001", i, code)
		}
	}
	good := url.Values{"corpid": {v.emu.CorpID()}, "corpsecret": {v.emu.Secret()}}
	if code := v.call(http.MethodGet, wecom.PathGetToken, good, nil, nil); code != wecom.ErrCodeAPIFreqOutOfLimit {
		t.Errorf("after 3 bad secrets: errcode %d, want the IP blocked (45009)", code)
	}
	v.emu.Advance(time.Hour)
	if code := v.call(http.MethodGet, wecom.PathGetToken, good, nil, nil); code != 0 {
		t.Errorf("an hour later: errcode %d, want 0", code)
	}
}
