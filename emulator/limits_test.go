package emulator

import (
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"siyu.dev/siyu/wecom"
)

func TestRateLimitPerAPIPerMinute(t *testing.T) {
	v := newEnv(t, func(c *Config) { c.Policy.RateLimitPerMinute = 3 })
	v.token() // gettoken is an API of its own
	for i := range 3 {
		if code := v.get(wecom.PathGetFollowUserList, nil, nil); code != 0 {
			t.Fatalf("call %d: errcode %d", i, code)
		}
	}
	if code := v.get(wecom.PathGetFollowUserList, nil, nil); code != wecom.ErrCodeAPIFreqOutOfLimit {
		t.Errorf("fourth call in the minute: errcode %d, want 45009", code)
	}
	if code := v.post(wecom.PathGetCorpTagList, wecom.GetCorpTagListRequest{}, nil); code != 0 {
		t.Errorf("another API in the same minute: errcode %d, want 0 (limits are per API)", code)
	}
	v.emu.Advance(time.Minute)
	if code := v.get(wecom.PathGetFollowUserList, nil, nil); code != 0 {
		t.Errorf("next minute: errcode %d, want 0", code)
	}
}

func TestDebugRateLimit(t *testing.T) {
	v := newEnv(t, nil)
	q := func() url.Values { return url.Values{"debug": {"1"}} }
	for range 5 {
		v.get(wecom.PathGetFollowUserList, q(), nil)
	}
	if code := v.get(wecom.PathGetFollowUserList, q(), nil); code != wecom.ErrCodeAPIFreqOutOfLimit {
		t.Errorf("sixth debug=1 call: errcode %d, want 45009", code)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	v := newEnv(t, func(c *Config) {
		c.Policy.MaxConcurrent = 1
		c.Policy.Faults.Latency = 100 * time.Millisecond
	})
	v.token()
	codes := make([]int, 3)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() { codes[i] = v.get(wecom.PathGetFollowUserList, nil, nil) })
	}
	wg.Wait()
	ok, limited := 0, 0
	for _, c := range codes {
		switch c {
		case 0:
			ok++
		case wecom.ErrCodeAPIConcurrentOutOfLimit:
			limited++
		}
	}
	if ok < 1 || limited < 1 || ok+limited != len(codes) {
		t.Errorf("codes %v: want some answered and the rest refused with 45033", codes)
	}
}

func TestInjectedFaults(t *testing.T) {
	v := newEnv(t, nil)
	v.token()
	p := v.emu.Policy()
	p.Faults.ServerErrorRate = 1
	v.emu.SetPolicy(p)
	resp, err := http.Get(v.srv.URL + wecom.PathGetFollowUserList + "?access_token=" + v.token())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("server error rate 1: HTTP %d, want 503", resp.StatusCode)
	}

	p.Faults.ServerErrorRate, p.Faults.BusyRate = 0, 1
	v.emu.SetPolicy(p)
	if code := v.get(wecom.PathGetFollowUserList, nil, nil); code != wecom.ErrCodeSystemBusy {
		t.Errorf("busy rate 1: errcode %d, want -1", code)
	}

	p.Faults.BusyRate, p.Faults.Latency = 0, 100*time.Millisecond
	v.emu.SetPolicy(p)
	start := time.Now()
	if code := v.get(wecom.PathGetFollowUserList, nil, nil); code != 0 {
		t.Errorf("with latency: errcode %d", code)
	}
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("answered in %v, want at least the injected 100ms", d)
	}
}

func TestUnknownPathAndWrongMethod(t *testing.T) {
	v := newEnv(t, nil)
	if code := v.get("/cgi-bin/externalcontact/nope", nil, nil); code != 48001 {
		t.Errorf("unknown API: errcode %d", code)
	}
	if code := v.get(wecom.PathAddCorpTag, nil, nil); code != wecom.ErrCodeInvalidParameter {
		t.Errorf("GET on a POST API: errcode %d, want 40058", code)
	}
}
