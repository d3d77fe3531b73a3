package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/emulator"
)

// runResult is one run of one scenario.
type runResult struct {
	byKind  map[string]*outcome
	elapsed time.Duration
	cpu     time.Duration // the server process's
	rssMB   int           // the server process's peak during the run
}

func run(ctx context.Context, o options) error {
	if o.customers < 1 || o.lim.concurrency < 1 || o.runs < 1 || o.orderBatch < 1 || o.eventBatch < 1 || o.lim.duration <= 0 {
		return errors.New("-customers, -concurrency, -runs, -orders-per-request, -events-per-request and -duration must be positive")
	}
	selected, err := selectScenarios(o.only)
	if err != nil {
		return err
	}
	dsn := o.databaseURL
	if dsn == "" {
		dsn = o.dbPath
	}
	st, err := openStore(ctx, dsn, o.seed)
	if err != nil {
		return err
	}
	defer st.Close()
	ws, err := prepare(ctx, st, o.customers)
	if err != nil {
		return err
	}
	token, generation, err := access(ctx, st, ws)
	if err != nil {
		return err
	}
	ids, err := sampleCustomers(ctx, st, ws.ID, o.customers, 200, o.seed)
	if err != nil {
		return err
	}

	// The emulator plays WeCom: the server's callback handler reads each
	// added contact's details from its API.
	emu, emuURL, stopEmu, contacts, err := startEmulator(o.seed, o.contacts)
	if err != nil {
		return err
	}
	defer stopEmu()
	app := newCallbackApp(o.seed)
	if err := st.SetWeComApp(ctx, ws.ID, siyu.WeComApp{CorpID: emu.CorpID(), AgentID: app.AgentID, BaseURL: emuURL,
		Secret: emu.Secret(), Token: app.Token, EncodingAESKey: app.EncodingAESKey}); err != nil {
		return err
	}
	st.Close()

	srv, err := startServer(dsn, o.seed, o.workers, o.wecomRate)
	if err != nil {
		return err
	}
	defer srv.stop()
	callbackURL := srv.base + "/wecom/callback/" + ws.Slug
	// WeCom verifies the URL with an encrypted echostr when the admin saves
	// it; so does the emulator, which proves the receiver is set up.
	if err := emu.SetCallback(ctx, &emulator.CallbackConfig{URL: callbackURL, Token: app.Token, EncodingAESKey: app.EncodingAESKey}); err != nil {
		return err
	}
	emu.SetCallback(ctx, nil) // the load test pushes the callbacks itself
	seal, err := newSealer(app, emu.CorpID(), callbackURL)
	if err != nil {
		return err
	}
	cl, err := login(srv.base, o.lim.concurrency, o.timeout)
	if err != nil {
		return err
	}
	const perGeneration = 1_000_000 // new buyers and callback events one run may use
	t := &target{
		base: srv.base, token: token, seeded: o.customers, newBuyers: o.customers + generation*perGeneration,
		generation: generation, concurrency: o.lim.concurrency, orderBatch: o.orderBatch, eventBatch: o.eventBatch,
		repeatShare: o.repeatShare, dupShare: o.dupShare, ids: ids, corpID: emu.CorpID(), sealer: seal, contacts: contacts,
		epoch: seedEpoch, firstEventTime: seedEpoch.Unix() - 200*perGeneration + int64(generation)*perGeneration,
	}
	if t.newBuyers+perGeneration >= 1_000_000_000 {
		return errors.New("this store has seen too many runs to number new buyers: prepare a new one")
	}

	results := map[string][]runResult{}
	started := time.Now()
	for rep := range o.runs {
		for i, sc := range selected {
			srv.resetPeak()
			cpu0 := srv.cpu()
			byKind, elapsed, err := drive(cl, t, sc, o.lim, o.seed, rep*len(selected)+i)
			if err != nil {
				return fmt.Errorf("%s: %w", sc.name, err)
			}
			r := runResult{byKind: byKind, elapsed: elapsed, cpu: srv.cpu() - cpu0, rssMB: srv.peakRSSMB()}
			results[sc.name] = append(results[sc.name], r)
			if waited := srv.quiesce(time.Minute); waited > time.Second {
				fmt.Fprintf(os.Stderr, "(the server was busy for %s after the run)\n", waited.Round(100*time.Millisecond))
			}
			all := total(byKind)
			fmt.Fprintf(os.Stderr, "run %d %-13s %6d requests %5d failed %8.1f req/s  p50 %7.1f ms  p99 %8.1f ms  server CPU %.2f cores, peak RSS %d MB\n",
				rep+1, sc.name, all.requests, all.failed, float64(all.requests)/elapsed.Seconds(), ms(all.lat.percentile(50)),
				ms(all.lat.percentile(99)), r.cpu.Seconds()/elapsed.Seconds(), r.rssMB)
		}
	}
	fmt.Fprintf(os.Stderr, "load phase: %s\n", time.Since(started).Round(time.Second))
	dialect := "SQLite"
	if o.databaseURL != "" {
		dialect = "PostgreSQL"
	}
	return report(os.Stdout, o, dialect, selected, results)
}

func selectScenarios(only []string) ([]scenario, error) {
	all := scenarios()
	if len(only) == 0 {
		return all, nil
	}
	out := []scenario{all[0]} // the baseline always runs
	for _, name := range only {
		i := slices.IndexFunc(all, func(s scenario) bool { return s.name == name })
		if i < 0 {
			return nil, fmt.Errorf("unknown scenario %q", name)
		}
		if i > 0 {
			out = append(out, all[i])
		}
	}
	return out, nil
}

// startEmulator serves a quiet WeCom corp on loopback whose first n users
// are contacts of its members (member i mod m), without limits of its own:
// the server's client still paces itself to WeCom's documented rate.
func startEmulator(seed uint64, n int) (*emulator.Emulator, string, func(), [][2]string, error) {
	pop := emulator.Quiet(n)
	pol := emulator.DefaultPolicy()
	pol.RateLimitPerMinute, pol.RateLimitPerHour, pol.MaxConcurrent = 0, 0, 0
	emu := emulator.New(emulator.Config{Seed: int64(seed), Population: &pop, Policy: &pol})
	members := emu.Members()
	var contacts [][2]string
	byMember := map[string][]int{}
	for i, u := range emu.Users() {
		m := members[i%len(members)].UserID
		byMember[m] = append(byMember[m], i)
		contacts = append(contacts, [2]string{m, u.ExternalUserID})
	}
	for m, users := range byMember {
		if err := emu.SeedContacts(m, users); err != nil {
			emu.Close()
			return nil, "", nil, nil, err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		emu.Close()
		return nil, "", nil, nil, err
	}
	hs := &http.Server{Handler: emu.Handler()}
	go hs.Serve(ln)
	return emu, "http://" + ln.Addr().String(), func() { hs.Close(); emu.Close() }, contacts, nil
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// login signs in once through the console's login form (its CSRF token
// and cookie, and the Origin header a browser sends) and returns the
// clients that share the session.
func login(base string, concurrency int, timeout time.Duration) (clients, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return clients{}, err
	}
	tr := &http.Transport{MaxIdleConns: 4 * concurrency, MaxIdleConnsPerHost: 4 * concurrency, IdleConnTimeout: time.Minute}
	browser := &http.Client{Jar: jar, Transport: tr}
	resp, err := browser.Get(base + "/login")
	if err != nil {
		return clients{}, err
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfInput.FindSubmatch(page)
	if m == nil {
		return clients{}, fmt.Errorf("login page (HTTP %d) has no CSRF field", resp.StatusCode)
	}
	form := url.Values{"login": {consoleLogin}, "password": {consolePassword}, "csrf": {string(m[1])}}
	req, err := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return clients{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err = browser.Do(req)
	if err != nil {
		return clients{}, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/customers" {
		return clients{}, fmt.Errorf("login failed: HTTP %d at %s", resp.StatusCode, resp.Request.URL.Path)
	}
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return clients{
		api:     &http.Client{Transport: tr, CheckRedirect: noRedirect, Timeout: timeout},
		console: &http.Client{Jar: jar, Transport: tr, CheckRedirect: noRedirect, Timeout: timeout},
	}, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
