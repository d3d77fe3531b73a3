package clustertest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
)

var members = []string{"founder", "store_hz01", "store_hz02", "store_sh01", "sales_01", "service_01"}

// Three `siyu serve` processes share one PostgreSQL behind a round-robin
// load balancer; WeCom (the emulator) posts its callbacks to the balancer.
//
//   - The nodes' start-up reconciliation and then callbacks answered by
//     whichever node the balancer picks leave the store equal to WeCom.
//   - Two campaigns to everyone, launched at the same moment through two
//     different nodes under a frequency cap of one reach per week, are sent
//     by whichever nodes' dispatch workers claim the jobs: WeCom's own count
//     says every live contact received exactly one message and nobody else
//     any, and Siyu records exactly one delivery per person, the other
//     campaign's send skipped by the cap.
//   - A console session started through the balancer works on every node.
func TestSeveralNodesShareOnePostgres(t *testing.T) {
	requirePostgres(t)
	began := time.Now()
	const seeded, added = 1200, 300
	c := newCorp(t, seeded+added+100, quickPolicy(), nil)
	c.seed(t, members, 0, seeded)
	dep := newDeployment(t)
	token := dep.setUpWorkspace(t, c)
	st := dep.open(t)
	w, err := st.WorkspaceBySlug(ctx, "brand")
	if err != nil {
		t.Fatal(err)
	}

	nodes := []*node{dep.startNode(t, "A"), dep.startNode(t, "B"), dep.startNode(t, "C")}
	lb := newBalancer(t, nodes...)
	c.callbackTo(t, lb.srv.URL+"/wecom/callback/brand")
	started := time.Since(began)

	converged := func() (bool, string) {
		got, err := st.LiveContacts(ctx, w.ID)
		if err != nil {
			return false, err.Error()
		}
		d := diff(c.live(), got)
		return len(d) == 0, fmt.Sprintf("%d differences, e.g. %v", len(d), d[:min(len(d), 5)])
	}
	// (b) Every node runs a reconciliation when it starts; the sync lock
	// lets one of them do the workspace at a time.
	syncs := func() int {
		n := 0
		for _, x := range nodes {
			n += x.count("wecom reconciled")
		}
		return n
	}
	waitFor(t, 30*time.Second, "start-up sync", func() (bool, string) {
		ok, desc := converged()
		return ok && syncs() > 0, fmt.Sprintf("%s; %d reconciliations finished", desc, syncs())
	})
	synced := time.Since(began)

	// Callbacks through the balancer: adds, deletions both ways, edits.
	for u := seeded; u < seeded+added; u++ {
		if _, err := c.emu.AddDirectly(members[u%len(members)], u); err != nil {
			t.Fatal(err)
		}
	}
	users := c.emu.Users()
	for u := 0; u < 80; u++ {
		by := siyu.DeletedByCustomer
		if u%4 == 0 {
			by = siyu.DeletedByAccount
		}
		if err := c.emu.DeleteContact(members[(u*7)%len(members)], users[u*7].ExternalUserID, by); err != nil {
			t.Fatal(err)
		}
	}
	for u := 1; u < 200; u += 5 {
		if u%7 == 0 {
			continue // deleted above
		}
		remark := fmt.Sprintf("备注%d", u)
		if err := c.emu.EditContact(members[u%len(members)], users[u].ExternalUserID, &remark, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.emu.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for _, d := range c.emu.Deliveries() {
		if !d.Delivered {
			t.Fatalf("a callback was not accepted: %+v", d)
		}
	}
	waitFor(t, 20*time.Second, "callbacks across nodes", converged)
	if spread := lb.spread("callback"); len(spread) < 2 {
		t.Fatalf("callbacks reached only %v", spread)
	}
	live := c.live()
	eligible := map[string]bool{}
	for k := range live {
		eligible[k[1]] = true
	}

	// (a) and (c): two campaigns to everyone, launched together through
	// nodes A and B; at most one automated reach per person per week.
	apiCall(t, "PUT", nodes[0].url+"/api/v1/reach/settings", token, map[string]any{
		"frequency_cap": 1, "frequency_window_days": 7, "quiet_start": "00:00", "quiet_end": "00:00",
		"account_daily_quota": 0, "wecom_cap": "days_in_month"}, nil)
	texts := []string{"五月会员日：全场九折，回复 TD 退订", "新品试用装免费领，回复 TD 退订"}
	ids := make([]int64, 2)
	for i, text := range texts {
		var created struct {
			ID int64 `json:"id"`
		}
		apiCall(t, "POST", nodes[i].url+"/api/v1/campaigns", token, map[string]any{
			"name": fmt.Sprintf("活动%d", i+1), "audience": "all", "channel": "single", "send_at": time.Now(),
			"variants": []map[string]any{{"name": "A", "weight": 1, "message": map[string]string{"text": text}}}}, &created)
		ids[i] = created.ID
	}
	launchedAt := time.Now()
	var wg sync.WaitGroup
	enqueued := make([]int, 2)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var res struct {
				Enqueued int `json:"enqueued"`
			}
			apiCall(t, "POST", fmt.Sprintf("%s/api/v1/campaigns/%d/launch", nodes[i].url, ids[i]), token, nil, &res)
			enqueued[i] = res.Enqueued
		}()
	}
	wg.Wait()
	if enqueued[0]+enqueued[1] < len(eligible) {
		t.Fatalf("enqueued %v for %d eligible people", enqueued, len(eligible))
	}
	sent := func() (bool, string) {
		total := 0
		for _, n := range c.emu.MassReceived() {
			total += n
		}
		counts, err := st.SendStatusCounts(ctx, w.ID)
		if err != nil {
			return false, err.Error()
		}
		return total >= len(eligible) && counts[store.SendQueued] == 0 && counts[store.SendSubmitting] == 0,
			fmt.Sprintf("WeCom delivered %d of %d; sends %v", total, len(eligible), counts)
	}
	waitFor(t, 40*time.Second, "both campaigns sent", sent)
	time.Sleep(time.Second) // anything sent twice would arrive by now
	dispatched := time.Since(launchedAt)

	received := c.emu.MassReceived()
	for ext := range eligible {
		if received[ext] != 1 {
			t.Fatalf("%s received %d messages, want exactly 1", ext, received[ext])
		}
	}
	for ext, n := range received {
		if !eligible[ext] {
			t.Fatalf("%s is no contact any more but received %d messages", ext, n)
		}
	}
	delivered := map[int64]int{}
	capped := 0
	for _, id := range ids {
		if err := st.SendStatuses(ctx, w.ID, id, func(customer int64, _, status string) error {
			switch status {
			case store.SendSubmitted, store.SendSent:
				delivered[customer]++
			case store.SendSkipped + ":" + string(siyu.SkipFrequencyCap):
				capped++
			default:
				return fmt.Errorf("customer %d: send %s", customer, status)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	for customer, n := range delivered {
		if n != 1 {
			t.Fatalf("customer %d has %d deliveries across the two campaigns", customer, n)
		}
	}
	if len(delivered) != len(eligible) {
		t.Fatalf("%d customers delivered, %d eligible", len(delivered), len(eligible))
	}
	var owned int
	if err := st.DB().QueryRow(`SELECT COUNT(DISTINCT msgid) FROM send_batches WHERE workspace_id = $1 AND msgid <> ''`, w.ID).Scan(&owned); err != nil {
		t.Fatal(err)
	}
	if tasks := len(c.emu.Snapshot().MassMessages); tasks != owned {
		t.Fatalf("WeCom holds %d mass messages, Siyu's batches own %d", tasks, owned)
	}
	byNode := map[string]int{}
	for _, n := range nodes {
		byNode[n.name] = n.count("dispatch: mass message created")
	}

	// (d) One console session through the balancer, page after page.
	pages := consoleSession(t, lb)

	t.Logf("3 nodes up in %v, synced %d contacts by %v; callbacks by node %v; %d people reached once by 2 campaigns "+
		"(enqueued %v, %d capped) in %v, WeCom tasks created by node %v; console pages by node %v; total %v",
		started.Round(time.Millisecond), seeded, synced.Round(time.Millisecond), lb.spread("callback"), len(eligible), enqueued, capped,
		dispatched.Round(time.Millisecond), byNode, pages, time.Since(began).Round(time.Millisecond))
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// consoleSession logs in once through the balancer and loads pages that
// the balancer spreads over the nodes, then logs out on one node and finds
// the session gone on the others. It returns which node served the pages.
func consoleSession(t *testing.T, lb *balancer) map[string]int {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	get := func(path string) (*http.Response, string) {
		t.Helper()
		res, err := client.Get(lb.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	post := func(path string, form url.Values) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("POST", lb.srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", lb.srv.URL)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	_, body := get("/login")
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no CSRF token on the login page")
	}
	if res := post("/login", url.Values{"login": {"admin"}, "password": {"correct-horse-battery"}, "csrf": {m[1]}}); res.Request.URL.Path == "/login" {
		t.Fatalf("login failed: %s", res.Status)
	}
	served := map[string]int{}
	var csrf string
	for _, p := range []string{"/customers", "/contacts", "/campaigns", "/dashboard", "/tags", "/segments", "/customers", "/contacts", "/campaigns"} {
		res, body := get(p)
		if res.StatusCode != http.StatusOK || res.Request.URL.Path == "/login" {
			t.Fatalf("GET %s on %s after login: %s, ended at %s", p, res.Header.Get("X-Test-Backend"), res.Status, res.Request.URL.Path)
		}
		served[res.Header.Get("X-Test-Backend")]++
		if m := csrfRE.FindStringSubmatch(body); m != nil {
			csrf = m[1]
		}
	}
	if len(served) < 2 {
		t.Fatalf("the console pages were all served by %v", served)
	}
	if csrf == "" {
		t.Fatal("no CSRF token on the console pages")
	}
	post("/logout", url.Values{"csrf": {csrf}})
	for range 3 {
		res, _ := get("/customers")
		if res.Request.URL.Path != "/login" {
			t.Fatalf("after logout, GET /customers on %s answered %s at %s", res.Header.Get("X-Test-Backend"), res.Status, res.Request.URL.Path)
		}
	}
	return served
}
