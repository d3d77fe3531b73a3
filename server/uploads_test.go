package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"siyu.dev/siyu"
)

// TestMaliciousUploads sends the console and the API inputs that are too
// big or not what they claim to be. Each gets a clear 4xx, the process's
// memory stays bounded (the uploads are streamed), and nothing is stored
// half-way.
func TestMaliciousUploads(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 200 MB")
	}
	r := newRig(t)
	op := r.login(r.a.users[siyu.RoleOperator])
	rows := func() int {
		p, err := r.st.SearchCustomers(context.Background(), r.a.ws.ID, siyu.CustomerQuery{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		return p.Total
	}
	good := strings.TrimSuffix(sweepCSV, "\n")
	line := func(i int, name string) string {
		return fmt.Sprintf("youzan,M-%d,paid,2026-06-01 10:00:00,2026-06-01 10:01:00,88.00,%s,1390013%04d,,红茶,1,88.00", i, name, i)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(bytes.Repeat([]byte{0}, 50<<20)) // 50 MB of zeros in ~50 KB
	zw.Close()

	for _, tc := range []struct {
		name   string
		file   io.Reader
		strict bool
		want   int
		text   string // in the page
	}{
		{"201 MB", io.MultiReader(strings.NewReader(good+"\n"), &repeatReader{b: []byte(line(1, "x") + "\n"), n: 201 << 20}), false, http.StatusRequestEntityTooLarge, "200"},
		{"a 10 MB line, strict", strings.NewReader(good + "\n" + line(2, strings.Repeat("长", 10<<20/3)) + "\n" + line(3, "y") + "\n"), true, http.StatusUnprocessableEntity, ""},
		{"a gzip bomb", bytes.NewReader(gz.Bytes()), false, http.StatusUnprocessableEntity, ""},
		{"NUL bytes, strict", strings.NewReader(good + "\n" + line(4, "a\x00b") + "\n"), true, http.StatusUnprocessableEntity, ""},
		// Past the first 64 KB, which decide the file's encoding (UTF-8 here).
		{"invalid UTF-8, strict", strings.NewReader(good + "\n" + manyLines(700, line) + line(5, "\xff\xfe\xfd") + "\n"), true, http.StatusUnprocessableEntity, ""},
		{"binary", bytes.NewReader(bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef, 0, 1, 2}, 1<<16)), false, http.StatusUnprocessableEntity, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := rows()
			peak := watchRSS(t)
			p := upload(t, op, tc.file, tc.strict)
			grown := peak()
			if p.status != tc.want {
				t.Errorf("status %d, want %d: %s", p.status, tc.want, snippet(p.body))
			}
			if tc.text != "" && !strings.Contains(p.body, tc.text) {
				t.Errorf("the page does not say %q", tc.text)
			}
			if n := rows(); n != before {
				t.Errorf("customers %d → %d: stored half-way", before, n)
			}
			if grown > 150<<20 {
				t.Errorf("RSS grew by %d MB", grown>>20)
			}
			t.Logf("%s: %d, RSS +%d MB", tc.name, p.status, grown>>20)
		})
	}

	// The API: a body over 20 MB, and one with a NUL in a field.
	before := rows()
	big := io.MultiReader(strings.NewReader(`{"orders":[{"channel":"jd","external_id":"`), &repeatReader{b: []byte("x"), n: 21 << 20}, strings.NewReader(`"}]}`))
	req, _ := http.NewRequest("POST", r.ts.URL+"/api/v1/orders", big)
	req.Header.Set("Authorization", "Bearer "+r.a.tokens[siyu.RoleOperator])
	req.Header.Set("Content-Type", "application/json")
	if p := r.send(http.DefaultClient, req); p.status != http.StatusRequestEntityTooLarge || !strings.Contains(p.body, "body_too_large") {
		t.Errorf("21 MB API body: %s", p)
	}
	if p := r.api("POST", "/api/v1/orders", r.a.tokens[siyu.RoleOperator], `{"orders":[{"channel":"jd","external_id":"a\u0000b","placed_at":"2026-01-01T00:00:00Z","identifiers":[{"kind":"phone","value":"13900139001"}]}]}`); p.status/100 != 4 {
		t.Errorf("NUL in an API field: %s", p)
	}
	if n := rows(); n != before {
		t.Errorf("customers %d → %d after refused API bodies", before, n)
	}
}

func upload(t *testing.T, b *browser, file io.Reader, strict bool) reply {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		mw.WriteField("csrf", b.csrf)
		mw.WriteField("format", "generic")
		if strict {
			mw.WriteField("strict", "1")
		}
		fw, _ := mw.CreateFormFile("file", "orders.csv")
		_, err := io.Copy(fw, file)
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, _ := http.NewRequest("POST", b.r.ts.URL+"/import", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", b.r.ts.URL)
	resp, err := b.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, body: string(body), header: resp.Header}
}

// repeatReader yields b again and again, n bytes in all, without holding them.
type repeatReader struct {
	b   []byte
	n   int
	off int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && r.n > 0 {
		c := copy(p[n:min(len(p), n+r.n)], r.b[r.off:])
		r.off = (r.off + c) % len(r.b)
		n += c
		r.n -= c
	}
	return n, nil
}

// watchRSS samples the process's resident memory until the returned func is
// called, which reports the peak growth over the start.
func watchRSS(t *testing.T) func() int64 {
	start := rss()
	var mu sync.Mutex
	peak := start
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
			if v := rss(); v > 0 {
				mu.Lock()
				peak = max(peak, v)
				mu.Unlock()
			}
		}
	}()
	return func() int64 {
		close(done)
		mu.Lock()
		defer mu.Unlock()
		if start == 0 {
			t.Log("no /proc/self/status: memory not measured")
			return 0
		}
		return peak - start
	}
}

func rss() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func snippet(s string) string {
	if i := strings.Index(s, `role="alert"`); i >= 0 {
		s = s[i:]
	}
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}

func manyLines(n int, line func(int, string) string) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(line(1000+i, "王小明") + "\n")
	}
	return b.String()
}
