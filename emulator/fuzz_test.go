package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"siyu.dev/siyu/wecom"
)

func FuzzCursor(f *testing.F) {
	f.Add("")
	f.Add(encodeCursor(0))
	f.Add(encodeCursor(1234))
	f.Add("ZW11MTotMQ") // emu1:-1
	f.Add("not base64!")
	f.Fuzz(func(t *testing.T, s string) {
		n, err := decodeCursor(s)
		if err != nil {
			if apiErr, ok := err.(*Error); !ok || apiErr.Code != errCodeInvalidCursor {
				t.Fatalf("error %v is not errcode %d", err, errCodeInvalidCursor)
			}
			return
		}
		if n < 0 {
			t.Fatalf("negative offset %d from %q", n, s)
		}
		if s != "" && encodeCursor(n) != s {
			items := make([]int, 3)
			if _, _, err := paginate(items, s, 2); err != nil {
				t.Fatalf("cursor %q decodes but does not paginate: %v", s, err)
			}
		}
	})
}

// FuzzAPIBodies posts arbitrary bodies to every POST API: the emulator must
// answer every one with JSON carrying an errcode, and never panic.
func FuzzAPIBodies(f *testing.F) {
	seeds := []string{`{}`, `{"userid_list":["founder"],"limit":-1}`, `{"chat_type":"group"}`, `{"tag":[{"name":""}]}`,
		`{"external_userid":["x"],"text":{"content":"a"}}`, `{"config_id":123}`, `null`, `[`, `{"scene":2,"chat_id_list":[""]}`,
		`{"visible_range":{"sender_list":{"department_list":[1]}},"text":{"content":"x"}}`}
	for _, s := range seeds {
		for i := range 3 {
			f.Add(i*7, s)
		}
	}
	var paths []string
	for p, r := range routes {
		if r.post {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	pol := DefaultPolicy()
	pol.RateLimitPerMinute, pol.RateLimitPerHour = 0, 0
	pop := DefaultPopulation()
	pop.Users = 30
	emu := New(Config{Now: func() time.Time { return t0 }, Policy: &pol, Population: &pop})
	defer emu.Close()
	h := emu.Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, wecom.PathGetToken+"?corpid="+emu.CorpID()+"&corpsecret="+emu.Secret(), nil))
	var tok wecom.GetTokenResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil || tok.AccessToken == "" {
		f.Fatalf("gettoken: %s", rec.Body.Bytes())
	}
	f.Fuzz(func(t *testing.T, which int, body string) {
		if which < 0 {
			which = -which
		}
		path := paths[which%len(paths)]
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, path+"?"+url.Values{"access_token": {tok.AccessToken}}.Encode(), bytes.NewReader([]byte(body)))
		h.ServeHTTP(rec, req)
		var resp wecom.Response
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &resp) != nil || resp.ErrMsg == "" {
			t.Fatalf("%s %q: HTTP %d %s", path, body, rec.Code, rec.Body.Bytes())
		}
	})
}
