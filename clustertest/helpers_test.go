package clustertest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"siyu.dev/siyu/emulator"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

var ctx = context.Background()

var (
	buildOnce sync.Once
	buildDir  string
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// siyuBinary builds cmd/siyu once for the whole test binary.
func siyuBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the siyu binary")
	}
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "siyu-clustertest-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "siyu")
		out, err := exec.Command("go", "build", "-o", binPath, "siyu.dev/siyu/cmd/siyu").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// requirePostgres skips a test that is about several nodes or the database
// itself when the tests run on SQLite.
func requirePostgres(t *testing.T) {
	t.Helper()
	if !storetest.Postgres() {
		t.Skip("needs PostgreSQL: set " + storetest.EnvURL + " (scripts/test.sh does on its second pass)")
	}
}

// syncBuffer collects a process's log while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// deployment is what every process of one test shares: the binary, the
// database and the key protecting PII.
type deployment struct {
	bin string
	dsn string // SQLite path or PostgreSQL URL with its own schema
	key []byte
}

func newDeployment(t *testing.T) deployment {
	t.Helper()
	return deployment{bin: siyuBinary(t), dsn: storetest.DSN(t), key: storetest.TestKey()}
}

func (d deployment) dbArgs() []string {
	if strings.HasPrefix(d.dsn, "postgres") {
		return []string{"--database-url", d.dsn}
	}
	return []string{"--db", d.dsn}
}

func (d deployment) env(extra ...string) []string {
	env := append(os.Environ(), "SIYU_SECRET_KEY="+hex.EncodeToString(d.key), "SIYU_DATABASE_URL=")
	return append(env, extra...)
}

// command is a siyu subcommand on the deployment's database.
func (d deployment) command(args []string, env ...string) *exec.Cmd {
	// The database flags go after the subcommand words (flags of the
	// subcommand).
	cmd := exec.Command(d.bin, append(args, d.dbArgs()...)...)
	cmd.Env = d.env(env...)
	return cmd
}

// run runs a siyu command to completion and returns its stdout.
func (d deployment) run(t *testing.T, args []string, env ...string) string {
	t.Helper()
	cmd := d.command(args, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("siyu %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String()
}

// open opens the deployment's database in the test process, to look.
func (d deployment) open(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(ctx, d.dsn, store.Options{SecretKey: d.key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// node is one running `siyu serve`.
type node struct {
	name string
	url  string
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{}
}

var servingRE = regexp.MustCompile(`msg="siyu is serving" console=(http://[0-9.:]+)/`)

// startNode starts `siyu serve` on a free loopback port and waits until it
// serves. The process is ended when the test ends.
func (d deployment) startNode(t *testing.T, name string, env ...string) *node {
	t.Helper()
	n := &node{name: name, logs: &syncBuffer{}, done: make(chan struct{})}
	n.cmd = d.command([]string{"serve", "--addr", "127.0.0.1:0"}, env...)
	n.cmd.Stderr = n.logs
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { n.cmd.Wait(); close(n.done) }()
	t.Cleanup(func() { n.stop() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := servingRE.FindStringSubmatch(n.logs.String()); m != nil {
			n.url = m[1]
			return n
		}
		select {
		case <-n.done:
			t.Fatalf("node %s exited before serving:\n%s", name, n.logs.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %s did not start within 30 s:\n%s", name, n.logs.String())
		}
	}
}

// stop ends the node gracefully (SIGTERM), or kills it after 10 s.
func (n *node) stop() {
	select {
	case <-n.done:
		return
	default:
	}
	n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.done:
	case <-time.After(10 * time.Second):
		n.cmd.Process.Kill()
		<-n.done
	}
}

// kill ends the node with SIGKILL, as a crash would.
func (n *node) kill() {
	n.cmd.Process.Signal(syscall.SIGKILL)
	<-n.done
}

// count reports how often a log message appears in the node's log.
func (n *node) count(msg string) int {
	return strings.Count(n.logs.String(), `msg="`+msg+`"`)
}

// balancer is a round-robin reverse proxy in front of the nodes, standing
// in for a load balancer. It keeps the Host header, as load balancers do,
// and records which node answered each request.
type balancer struct {
	srv      *httptest.Server
	backends []*url.URL
	proxies  []*httputil.ReverseProxy
	next     atomic.Uint64

	mu   sync.Mutex
	hits map[string]map[string]int // path prefix -> backend -> requests
}

func newBalancer(t *testing.T, nodes ...*node) *balancer {
	t.Helper()
	b := &balancer{hits: map[string]map[string]int{}}
	for _, n := range nodes {
		u, err := url.Parse(n.url)
		if err != nil {
			t.Fatal(err)
		}
		b.backends = append(b.backends, u)
		p := &httputil.ReverseProxy{Director: func(r *http.Request) {
			r.URL.Scheme, r.URL.Host = u.Scheme, u.Host
		}}
		p.ModifyResponse = func(res *http.Response) error {
			res.Header.Set("X-Test-Backend", u.Host)
			return nil
		}
		b.proxies = append(b.proxies, p)
	}
	b.srv = httptest.NewServer(http.HandlerFunc(b.serve))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *balancer) serve(w http.ResponseWriter, r *http.Request) {
	i := int(b.next.Add(1)-1) % len(b.proxies)
	kind := "console"
	switch {
	case strings.HasPrefix(r.URL.Path, "/wecom/callback/"):
		kind = "callback"
	case strings.HasPrefix(r.URL.Path, "/api/"):
		kind = "api"
	}
	b.mu.Lock()
	if b.hits[kind] == nil {
		b.hits[kind] = map[string]int{}
	}
	b.hits[kind][b.backends[i].Host]++
	b.mu.Unlock()
	b.proxies[i].ServeHTTP(w, r)
}

// spread reports how many requests of a kind each backend answered.
func (b *balancer) spread(kind string) map[string]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string]int{}
	for k, v := range b.hits[kind] {
		out[k] = v
	}
	return out
}

// corp is the WeCom emulator on loopback.
type corp struct {
	emu   *emulator.Emulator
	srv   *httptest.Server
	token string
	aes   string
}

// newCorp starts an emulator whose members confirm mass messages at once,
// ticking so that the confirmations happen.
func newCorp(t *testing.T, users int, pol emulator.Policy, wrap func(http.Handler) http.Handler) *corp {
	t.Helper()
	return newCorpOf(t, emulator.Quiet(users), pol, wrap)
}

// newCorpOf is newCorp with a population of one's own.
func newCorpOf(t *testing.T, pop emulator.Population, pol emulator.Policy, wrap func(http.Handler) http.Handler) *corp {
	t.Helper()
	emu := emulator.New(emulator.Config{Seed: 11, Population: &pop, Policy: &pol})
	runCtx, stop := context.WithCancel(ctx)
	go emu.Run(runCtx, 20*time.Millisecond)
	var h http.Handler = emu.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { stop(); srv.Close(); emu.Close() })
	k := make([]byte, 32)
	rand.Read(k)
	return &corp{emu: emu, srv: srv, token: "clusterToken", aes: strings.TrimRight(base64.StdEncoding.EncodeToString(k), "=")}
}

// quickPolicy is WeCom's rules with members who confirm a mass message
// 300 ms after it is created and callbacks retried quickly.
func quickPolicy() emulator.Policy {
	pol := emulator.DefaultPolicy()
	pol.MassConfirmDelay = 300 * time.Millisecond
	pol.CallbackBackoff = 200 * time.Millisecond
	pol.CallbackAttempts = 5
	return pol
}

// callbackTo sets the app's callback URL; the emulator verifies it as the
// admin console does.
func (c *corp) callbackTo(t *testing.T, u string) {
	t.Helper()
	if err := c.emu.SetCallback(ctx, &emulator.CallbackConfig{URL: u, Token: c.token, EncodingAESKey: c.aes}); err != nil {
		t.Fatalf("the emulator could not verify the callback URL %s: %v", u, err)
	}
}

// seed makes users [from, to) customers of the members, in turn.
func (c *corp) seed(t *testing.T, members []string, from, to int) {
	t.Helper()
	per := map[string][]int{}
	for u := from; u < to; u++ {
		m := members[u%len(members)]
		per[m] = append(per[m], u)
	}
	for m, us := range per {
		if err := c.emu.SeedContacts(m, us); err != nil {
			t.Fatal(err)
		}
	}
}

// live lists the (member, external_userid) pairs WeCom has.
func (c *corp) live() map[[2]string]bool {
	out := map[[2]string]bool{}
	for _, m := range c.emu.Snapshot().Members {
		for _, x := range m.Contacts {
			out[[2]string{m.UserID, x.ExternalUserID}] = true
		}
	}
	return out
}

// setUpWorkspace creates the workspace "brand", an admin, an API token and
// the WeCom app pointing at the emulator, through the CLI. It returns the
// token.
func (d deployment) setUpWorkspace(t *testing.T, c *corp) string {
	t.Helper()
	d.run(t, []string{"workspace", "create", "brand", "木棉集"})
	d.run(t, []string{"user", "create", "--login", "admin", "--workspace", "brand", "--role", "admin"}, "SIYU_PASSWORD=correct-horse-battery")
	token := strings.TrimSpace(d.run(t, []string{"token", "create", "--workspace", "brand", "--role", "admin"}))
	d.run(t, []string{"wecom", "configure", "--workspace", "brand", "--corp-id", c.emu.CorpID(), "--token", c.token,
		"--aes-key", c.aes, "--base-url", c.srv.URL}, "SIYU_WECOM_SECRET="+c.emu.Secret())
	return token
}

// diff describes how two sets of contact pairs differ.
func diff(want, got map[[2]string]bool) []string {
	var out []string
	for k := range want {
		if !got[k] {
			out = append(out, "missing "+k[0]+"/"+k[1])
		}
	}
	for k := range got {
		if !want[k] {
			out = append(out, "extra "+k[0]+"/"+k[1])
		}
	}
	sort.Strings(out)
	return out
}

// waitFor polls cond until it holds or d passes; it returns the last
// description cond gave.
func waitFor(t *testing.T, d time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, desc := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within %v: %s", what, d, desc)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// apiCall sends a JSON request with a bearer token and decodes the answer.
func apiCall(t *testing.T, method, u, token string, body, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %s\n%s", method, u, res.Status, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, u, err, data)
		}
	}
}
