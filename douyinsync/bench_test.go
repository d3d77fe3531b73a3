package douyinsync_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu/douyin"
	"siyu.dev/siyu/douyinsync"
	"siyu.dev/siyu/emulator/douyinemu"
	"siyu.dev/siyu/keyword"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

// corpus is what the emulator's population writes: mostly chatter, 12%
// with intent.
func corpus(b *testing.B, n int) []string {
	b.Helper()
	emu := douyinemu.New(douyinemu.Config{Seed: 42, Population: 500})
	var out []string
	for _, c := range emu.Simulate(ctx, n) {
		out = append(out, c.Content)
	}
	return out
}

func defaultMatcher(b *testing.B) (*keyword.Matcher, [][]string) {
	b.Helper()
	set := douyinsync.DefaultSettings()
	m, err := set.Validate()
	if err != nil {
		b.Fatal(err)
	}
	var kws [][]string
	for _, r := range set.Rules {
		kws = append(kws, r.Keywords)
	}
	return m, kws
}

// BenchmarkMatcher: comments/s through the compiled rules alone
// (normalisation included).
func BenchmarkMatcher(b *testing.B) {
	texts := corpus(b, 4096)
	m, _ := defaultMatcher(b)
	b.ResetTimer()
	hits := 0
	for i := 0; b.Loop(); i++ {
		hits += len(m.Match(texts[i%len(texts)]))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "comments/s")
	_ = hits
}

// BenchmarkContainsBaseline: the naive alternative over the same rules —
// normalise once, then strings.Contains per keyword.
func BenchmarkContainsBaseline(b *testing.B) {
	texts := corpus(b, 4096)
	_, kws := defaultMatcher(b)
	var norm [][]string
	for _, k := range kws {
		var n []string
		for _, w := range k {
			n = append(n, keyword.Normalize(w))
		}
		norm = append(norm, n)
	}
	b.ResetTimer()
	hits := 0
	for i := 0; b.Loop(); i++ {
		t := keyword.Normalize(texts[i%len(texts)])
		for _, rule := range norm {
			for _, w := range rule {
				if strings.Contains(t, w) {
					hits++
					break
				}
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "comments/s")
	_ = hits
}

// BenchmarkMatcherNormalized and BenchmarkContainsNormalized compare the
// automaton with strings.Contains on text normalised beforehand, so that
// only the matching is timed.
func BenchmarkMatcherNormalized(b *testing.B) {
	texts := corpus(b, 4096)
	for i := range texts {
		texts[i] = keyword.Normalize(texts[i])
	}
	m, _ := defaultMatcher(b)
	b.ResetTimer()
	hits := 0
	for i := 0; b.Loop(); i++ {
		hits += len(m.MatchNormalized(texts[i%len(texts)]))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "comments/s")
	_ = hits
}

func BenchmarkContainsNormalized(b *testing.B) {
	texts := corpus(b, 4096)
	for i := range texts {
		texts[i] = keyword.Normalize(texts[i])
	}
	_, kws := defaultMatcher(b)
	var words [][]string
	for _, k := range kws {
		var n []string
		for _, w := range k {
			n = append(n, keyword.Normalize(w))
		}
		words = append(words, n)
	}
	b.ResetTimer()
	hits := 0
	for i := 0; b.Loop(); i++ {
		t := texts[i%len(texts)]
		for _, rule := range words {
			for _, w := range rule {
				if strings.Contains(t, w) {
					hits++
					break
				}
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "comments/s")
	_ = hits
}

// benchRig is Siyu on SQLite with a Douyin emulator for the replies; no
// WeCom (DMs are not part of the comment path).
func benchRig(b *testing.B) (*douyinsync.Service, int64, *douyinemu.Emulator, []string) {
	b.Helper()
	st := storetest.Open(b)
	w, err := st.CreateWorkspace(ctx, "bench", "bench")
	if err != nil {
		b.Fatal(err)
	}
	at := time.Date(2026, 3, 2, 12, 30, 0, 0, time.UTC)
	emu := douyinemu.New(douyinemu.Config{Seed: 1, Population: 2000, Now: func() time.Time { return at }})
	api := httptest.NewServer(emu.Handler())
	b.Cleanup(api.Close)
	svc := douyinsync.New(st, douyinsync.Options{Now: emu.Now})
	if err := svc.Configure(ctx, w.ID, store.DouyinApp{ClientKey: emu.ClientKey(), ClientSecret: emu.ClientSecret(), AccessToken: emu.AccessToken(), AccountOpenID: emu.AccountOpenID(), BaseURL: api.URL}); err != nil {
		b.Fatal(err)
	}
	return svc, w.ID, emu, corpus(b, 4096)
}

func commentEvent(emu *douyinemu.Emulator, i int, text string) douyin.Event {
	users := emu.Users()
	u := users[i%len(users)]
	content, _ := json.Marshal(douyin.CommentEvent{CommentID: fmt.Sprintf("bench%d", i), CommentUserID: u.OpenID, Content: text,
		CreateTime: emu.Now().Unix(), ReplyToItemID: emu.Videos()[i%len(emu.Videos())]})
	return douyin.Event{Event: douyin.EventItemCommentReply, FromUserID: u.OpenID, ToUserID: emu.AccountOpenID(), Content: content}
}

// BenchmarkPipeline: comments/s through HandleEvent — match, resolve the
// commenter's customer, store the comment and its events, and for intent
// comments reply through the API (loopback HTTP) and record it.
func BenchmarkPipeline(b *testing.B) {
	svc, ws, emu, texts := benchRig(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := svc.HandleEvent(ctx, ws, commentEvent(emu, i, texts[i%len(texts)])); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "comments/s")
}

// BenchmarkPipelineWebhook adds the webhook itself: a signed POST over
// loopback, the signature check and the Msg-Id claim in the database.
func BenchmarkPipelineWebhook(b *testing.B) {
	svc, ws, emu, texts := benchRig(b)
	h, err := svc.Receiver(ctx, ws)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	client := srv.Client()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		ev := commentEvent(emu, i, texts[i%len(texts)])
		body, _ := json.Marshal(ev)
		req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
		req.Header.Set(douyin.HeaderSignature, douyin.Sign(emu.ClientSecret(), body))
		req.Header.Set(douyin.HeaderMsgID, fmt.Sprintf("m%d", i))
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "comments/s")
}
