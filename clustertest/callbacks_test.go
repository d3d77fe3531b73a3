package clustertest

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/server"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
	"siyu.dev/siyu/wecom"
	"siyu.dev/siyu/wecom/wxcrypt"
)

// pathCounter counts the WeCom API calls per path that reach the emulator.
type pathCounter struct {
	mu   sync.Mutex
	n    map[string]int
	next http.Handler
}

func (p *pathCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.n[r.URL.Path]++
	p.mu.Unlock()
	p.next.ServeHTTP(w, r)
}

func (p *pathCounter) get(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n[path]
}

// inProcess is one Siyu server in the test process (the real handler on
// loopback) with the emulator as its WeCom.
type inProcess struct {
	st  *store.Store
	ws  int64
	srv *server.Server
	url string
}

func newInProcess(t *testing.T, c *corp) *inProcess {
	t.Helper()
	st := storetest.Open(t)
	w, err := st.CreateWorkspace(ctx, "brand", "木棉集")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.WeCom().Configure(ctx, w.ID, siyu.WeComApp{CorpID: c.emu.CorpID(), Secret: c.emu.Secret(), BaseURL: c.srv.URL,
		Token: c.token, EncodingAESKey: c.aes}); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &inProcess{st: st, ws: w.ID, srv: srv, url: hs.URL}
}

// post delivers one event as WeCom does (signed, encrypted, a fresh nonce)
// and returns the HTTP status.
func (c *corp) post(t *testing.T, to string, ev wecom.Event) int {
	t.Helper()
	crypt, err := wxcrypt.New(c.token, c.aes, c.emu.CorpID())
	if err != nil {
		t.Fatal(err)
	}
	msg, err := wecom.MarshalEvent(ev)
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	nonce := strconv.FormatInt(time.Now().UnixNano(), 36)
	body, sig, err := crypt.SealMessage(msg, "1000002", ts, nonce)
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {nonce}}
	res, err := http.Post(to+"?"+q.Encode(), "text/xml", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// Callbacks arrive duplicated and out of order — a delete before its add,
// the same event twice (on the same node and on another), an edit after a
// delete, an add handled after WeCom already deleted the contact — and the
// store equals WeCom at once, before any reconciliation: a duplicate is
// handled once (it costs no second WeCom call), and an add or edit of a
// relationship WeCom no longer has does not bring it back. A reconciliation
// afterwards changes nothing.
func TestDuplicatedAndOutOfOrderCallbacks(t *testing.T) {
	var counter *pathCounter
	c := newCorp(t, 100, quickPolicy(), func(h http.Handler) http.Handler {
		counter = &pathCounter{n: map[string]int{}, next: h}
		return counter
	})
	c.seed(t, members[:2], 0, 20)
	n := newInProcess(t, c)
	if _, err := n.srv.WeCom().FullSync(ctx, n.ws, nil); err != nil {
		t.Fatal(err)
	}
	to := n.url + "/wecom/callback/brand"
	// A second node on the same database: its receiver has its own replay
	// memory, so only the store's deduplication recognises a duplicate.
	other, err := server.New(server.Config{Store: n.st})
	if err != nil {
		t.Fatal(err)
	}
	otherSrv := httptest.NewServer(other.Handler())
	t.Cleanup(otherSrv.Close)
	toOther := otherSrv.URL + "/wecom/callback/brand"
	users := c.emu.Users()
	// What happens in WeCom, in order; no callback URL is set, so the
	// events are only recorded and the test delivers them as it likes.
	mark := len(c.emu.Events())
	step := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.emu.AddDirectly("sales_01", 30) // added, then deleted by the customer
	step(err)
	step(c.emu.DeleteContact("sales_01", users[30].ExternalUserID, siyu.DeletedByCustomer))
	_, err = c.emu.AddDirectly("store_sh01", 31) // added; the event arrives twice
	step(err)
	remark := "老客户"
	step(c.emu.EditContact("founder", users[0].ExternalUserID, &remark, nil, nil)) // edited, then deleted by the member
	step(c.emu.DeleteContact("founder", users[0].ExternalUserID, siyu.DeletedByAccount))
	step(c.emu.DeleteContact("store_hz01", users[1].ExternalUserID, siyu.DeletedByCustomer)) // deleted; the event arrives twice
	_, err = c.emu.AddDirectly("service_01", 32)                                             // added and deleted before Siyu handles the add
	step(err)
	step(c.emu.DeleteContact("service_01", users[32].ExternalUserID, siyu.DeletedByCustomer))
	evs := c.emu.Events()[mark:]
	if len(evs) != 8 {
		t.Fatalf("WeCom emitted %d events, want 8", len(evs))
	}
	addA, delA, addB, editC, delC, delD, addE, delE := evs[0], evs[1], evs[2], evs[3], evs[4], evs[5], evs[6], evs[7]

	deliver := func(what string, ev wecom.Event) {
		t.Helper()
		if code := c.post(t, to, ev); code != http.StatusOK {
			t.Fatalf("%s: Siyu answered %d", what, code)
		}
	}
	// A duplicate on the node that took the first delivery is answered by
	// its replay guard (200 once handled, 409 while in flight); on another
	// node it is recognised in the database and acknowledged.
	duplicate := func(what string, ev wecom.Event) {
		t.Helper()
		if code := c.post(t, to, ev); code != http.StatusOK && code != http.StatusConflict {
			t.Fatalf("%s on the same node: Siyu answered %d", what, code)
		}
		if code := c.post(t, toOther, ev); code != http.StatusOK {
			t.Fatalf("%s on another node: Siyu answered %d", what, code)
		}
	}
	deliver("delete before its add", delA)
	deliver("the add after its delete", addA)
	gets := counter.get(wecom.PathExternalContactGet)
	deliver("an add", addB)
	if counter.get(wecom.PathExternalContactGet) != gets+1 {
		t.Fatal("the add was not looked up in WeCom")
	}
	duplicate("the same add again", addB)
	if got := counter.get(wecom.PathExternalContactGet); got != gets+1 {
		t.Fatalf("the duplicated add was handled again (%d lookups)", got-gets)
	}
	deliver("a delete", delC)
	deliver("an edit after the delete", editC)
	deliver("a delete", delD)
	duplicate("the same delete again", delD)
	deliver("a late add", addE)
	deliver("its delete", delE)

	live, err := n.st.LiveContacts(ctx, n.ws)
	if err != nil {
		t.Fatal(err)
	}
	if d := diff(c.live(), live); len(d) > 0 {
		t.Fatalf("after the callbacks the store and WeCom differ: %v", d)
	}
	res, err := n.srv.WeCom().FullSync(ctx, n.ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	live, err = n.st.LiveContacts(ctx, n.ws)
	if err != nil {
		t.Fatal(err)
	}
	if d := diff(c.live(), live); len(d) > 0 {
		t.Fatalf("after reconciliation the store and WeCom differ: %v", d)
	}
	if res.Ended != 0 {
		t.Fatalf("reconciliation had to end %d contacts", res.Ended)
	}
	// Who ended a relationship is kept from the callbacks, except when the
	// delete came first: it found nothing to end, and the add that followed
	// could only say the relationship was gone ("sync").
	for _, x := range []struct {
		member, ext, by string
	}{{"sales_01", users[30].ExternalUserID, "sync"}, {"founder", users[0].ExternalUserID, siyu.DeletedByAccount},
		{"store_hz01", users[1].ExternalUserID, siyu.DeletedByCustomer}, {"service_01", users[32].ExternalUserID, siyu.DeletedByCustomer}} {
		var by string
		if err := n.st.DB().QueryRow(rebind(`SELECT c.deleted_by FROM contacts c JOIN accounts a ON a.id = c.account_id
			WHERE c.workspace_id = ? AND a.wecom_userid = ? AND c.external_userid = ?`), n.ws, x.member, x.ext).Scan(&by); err != nil {
			t.Fatalf("%s/%s: %v", x.member, x.ext, err)
		}
		if by != x.by {
			t.Errorf("%s/%s: deleted by %q, want %q", x.member, x.ext, by, x.by)
		}
	}
}

// rebind turns ? placeholders into $n on PostgreSQL, for the test's own
// queries.
func rebind(q string) string {
	if !storetest.Postgres() {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// A contact added while a full sync walks the members' customers arrives
// by callback after the sync read that member's list: the reconciliation
// at the end of the walk must not take it for one whose delete callback
// was missed.
func TestCallbackDuringFullSyncIsKept(t *testing.T) {
	pol := quickPolicy()
	pol.Faults.Latency = 20 * time.Millisecond
	c := newCorp(t, 3100, pol, nil)
	c.seed(t, members, 0, 3000)
	n := newInProcess(t, c)
	c.callbackTo(t, n.url+"/wecom/callback/brand")
	done := make(chan error)
	go func() {
		_, err := n.srv.WeCom().FullSync(ctx, n.ws, nil)
		done <- err
	}()
	// The walk reads every member's customers first; adds land meanwhile.
	for u := 3000; u < 3100; u++ {
		if _, err := c.emu.AddDirectly(members[u%len(members)], u); err != nil {
			t.Fatal(err)
		}
		time.Sleep(8 * time.Millisecond)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := c.emu.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	live, err := n.st.LiveContacts(ctx, n.ws)
	if err != nil {
		t.Fatal(err)
	}
	if d := diff(c.live(), live); len(d) > 0 {
		t.Fatalf("after a sync with callbacks during it: %d differences, e.g. %v", len(d), d[:min(5, len(d))])
	}
}
