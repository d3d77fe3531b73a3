package store_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

// These tests are the conformance suite: the test script runs them once on
// SQLite and once on PostgreSQL.

var ctx = context.Background()

func workspace(t *testing.T, s *store.Store, slug string) int64 {
	t.Helper()
	w, err := s.CreateWorkspace(ctx, slug, slug)
	if err != nil {
		t.Fatal(err)
	}
	return w.ID
}

var t0 = time.Date(2025, 3, 1, 4, 0, 0, 0, time.UTC)

func order(ch siyu.Channel, ext string, amountFen int64, ids ...siyu.Identifier) siyu.OrderInput {
	paid := t0
	return siyu.OrderInput{Channel: ch, ExternalID: ext, Status: siyu.StatusCompleted, PlacedAt: t0, PaidAt: &paid,
		Amount: siyu.Fen(amountFen), BuyerName: "王芳", Identifiers: ids}
}

func phone(v string) siyu.Identifier { return siyu.Identifier{Kind: siyu.KindPhone, Value: v} }
func union(v string) siyu.Identifier { return siyu.Identifier{Kind: siyu.KindUnionID, Value: v} }
func nick(v string) siyu.Identifier  { return siyu.Identifier{Kind: siyu.KindTaobaoNick, Value: v} }

func mustImport(t *testing.T, s *store.Store, ws int64, rows ...siyu.OrderInput) siyu.ImportResult {
	t.Helper()
	res, err := s.ImportOrders(ctx, ws, rows, "test")
	if err != nil {
		t.Fatal(err)
	}
	if res.Rejected > 0 {
		t.Fatalf("rejected rows: %v", res.Errors)
	}
	return res
}

func findOne(t *testing.T, s *store.Store, ws int64, q string) siyu.Customer {
	t.Helper()
	page, err := s.SearchCustomers(ctx, ws, siyu.CustomerQuery{Query: q})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Customers) != 1 {
		t.Fatalf("search %q: %d customers, want 1", q, len(page.Customers))
	}
	return page.Customers[0]
}

func TestMigrateTwiceAndReopen(t *testing.T) {
	s, dsn := storetest.OpenDSN(t)
	ws := workspace(t, s, "brand")
	mustImport(t, s, ws, order(siyu.ChannelTaobao, "1001", 12800, phone("13800138000")))
	s2, err := store.Open(ctx, dsn, store.Options{SecretKey: storetest.TestKey()})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()
	c := findOne(t, s2, ws, "138 0013 8000")
	if c.OrderCount != 1 || c.TotalPaid != 12800 {
		t.Fatalf("after reopen: %+v", c)
	}
}

func TestImportIsIdempotentAndUpdatesChanges(t *testing.T) {
	s := storetest.Open(t)
	ws := workspace(t, s, "brand")
	rows := []siyu.OrderInput{
		order(siyu.ChannelTaobao, "1001", 12800, phone("13800138000"), nick("小芳")),
		order(siyu.ChannelTaobao, "1002", 5000, nick("小芳")),
		order(siyu.ChannelJD, "1001", 9900, phone("+86 138-0013-8000")),
		order(siyu.ChannelTmall, "2001", 30000, phone("13900139000")),
	}
	res := mustImport(t, s, ws, rows...)
	if res.Inserted != 4 || res.NewCustomers != 2 || res.Merges != 0 {
		t.Fatalf("first import: %+v", res)
	}
	res = mustImport(t, s, ws, rows...)
	if res.Inserted != 0 || res.Updated != 0 || res.Unchanged != 4 || res.NewCustomers != 0 {
		t.Fatalf("re-import: %+v", res)
	}
	c := findOne(t, s, ws, "13800138000")
	if c.OrderCount != 3 || c.TotalPaid != 12800+5000+9900 {
		t.Fatalf("summary: %d orders, %s paid", c.OrderCount, c.TotalPaid)
	}
	// A partial refund and an amount correction update in place.
	changed := rows[0]
	changed.Refund = 2800
	res = mustImport(t, s, ws, changed)
	if res.Updated != 1 || res.Inserted != 0 {
		t.Fatalf("update: %+v", res)
	}
	c = findOne(t, s, ws, "13800138000")
	if c.TotalPaid != 10000+5000+9900 {
		t.Fatalf("after refund: %s", c.TotalPaid)
	}
	full := rows[1]
	full.Status = siyu.StatusRefunded
	full.Refund = full.Amount
	mustImport(t, s, ws, full)
	c = findOne(t, s, ws, "13800138000")
	if c.OrderCount != 2 || c.TotalPaid != 10000+9900 {
		t.Fatalf("after full refund: %d orders, %s", c.OrderCount, c.TotalPaid)
	}
}

func TestBadRowsAreReportedAndOthersStored(t *testing.T) {
	s := storetest.Open(t)
	ws := workspace(t, s, "brand")
	good := order(siyu.ChannelTaobao, "1", 100, phone("13800138000"))
	good.Line = 2
	noID := order(siyu.ChannelTaobao, "", 100, phone("13800138001"))
	noID.Line = 3
	badPhone := order(siyu.ChannelTaobao, "3", 100, phone("12345"))
	badPhone.Line = 4
	res, err := s.ImportOrders(ctx, ws, []siyu.OrderInput{good, noID, badPhone}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != 1 || res.Rejected != 2 || len(res.Errors) != 2 {
		t.Fatalf("result: %+v", res)
	}
	if res.Errors[0].Line != 3 || res.Errors[0].Field != "external_id" {
		t.Errorf("first error %+v, want line 3 field external_id", res.Errors[0])
	}
	if res.Errors[1].Line != 4 || !strings.Contains(res.Errors[1].Field, "phone") {
		t.Errorf("second error %+v, want line 4 on the phone", res.Errors[1])
	}
}

func TestMaskedPhonesAndNamesNeverMerge(t *testing.T) {
	s := storetest.Open(t)
	ws := workspace(t, s, "brand")
	a := order(siyu.ChannelTaobao, "1", 100, nick("a"), phone("138****8000"))
	b := order(siyu.ChannelTaobao, "2", 100, nick("b"), phone("138****8000"))
	c := order(siyu.ChannelJD, "3", 100, siyu.Identifier{Kind: siyu.KindJDBuyerID, Value: "jd1"})
	// Same buyer name and masked phone on all three: still three people.
	res := mustImport(t, s, ws, a, b, c)
	if res.NewCustomers != 3 || res.Merges != 0 {
		t.Fatalf("want 3 separate customers, got %+v", res)
	}
	page, _ := s.SearchCustomers(ctx, ws, siyu.CustomerQuery{Query: "王芳"})
	if page.Total != 3 {
		t.Fatalf("name search: %d, want 3", page.Total)
	}
}

func TestMergeLogAndUnmerge(t *testing.T) {
	s := storetest.Open(t)
	ws := workspace(t, s, "brand")
	mustImport(t, s, ws, order(siyu.ChannelTaobao, "1", 1000, phone("13800138000")))
	mustImport(t, s, ws, order(siyu.ChannelWeChat, "WX1", 2000, union("o6_union")))
	a := findOne(t, s, ws, "13800138000")
	b := findOne(t, s, ws, "o6_union")
	if a.ID == b.ID {
		t.Fatal("two different people before the link")
	}
	// An order carrying both identifiers proves they are one person.
	res := mustImport(t, s, ws, order(siyu.ChannelWeChat, "WX2", 3000, union("o6_union"), phone("13800138000")))
	if res.Merges != 1 {
		t.Fatalf("merges = %d, want 1", res.Merges)
	}
	merged := findOne(t, s, ws, "o6_union")
	if merged.ID != a.ID || merged.OrderCount != 3 || merged.TotalPaid != 6000 {
		t.Fatalf("survivor should be the older customer %d with 3 orders: %+v", a.ID, merged)
	}
	v, err := s.Customer360(ctx, ws, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Customer.ID != a.ID {
		t.Fatalf("360 of the merged id should show the survivor, got %d", v.Customer.ID)
	}
	if len(v.Merges) != 1 || v.Merges[0].Kind != siyu.KindUnionID || v.Merges[0].Display != "o6_union" || v.Merges[0].MergedID != b.ID {
		t.Fatalf("merge log: %+v", v.Merges)
	}
	if err := s.Unmerge(ctx, ws, v.Merges[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Unmerge(ctx, ws, v.Merges[0].ID); !errors.Is(err, siyu.ErrConflict) {
		t.Fatalf("second unmerge: %v, want conflict", err)
	}
	va, _ := s.Customer360(ctx, ws, a.ID)
	vb, _ := s.Customer360(ctx, ws, b.ID)
	if va.Customer.ID != a.ID || vb.Customer.ID != b.ID {
		t.Fatal("both customers should be back")
	}
	if len(vb.Orders) != 1 || vb.Orders[0].ExternalID != "WX1" || vb.Customer.TotalPaid != 2000 {
		t.Fatalf("b's own order should be back with b: %+v", vb.Orders)
	}
	if len(va.Orders) != 2 || va.Customer.TotalPaid != 4000 {
		t.Fatalf("a keeps its order and the linking one: %+v", va.Orders)
	}
	// Importing the linking record again must not merge them again.
	res = mustImport(t, s, ws, order(siyu.ChannelWeChat, "WX3", 100, union("o6_union"), phone("13800138000")))
	if res.Merges != 0 {
		t.Fatalf("unmerged pair merged again: %+v", res)
	}
}

func TestWorkspacesAreIsolated(t *testing.T) {
	s := storetest.Open(t)
	a := workspace(t, s, "brand-a")
	b := workspace(t, s, "brand-b")
	mustImport(t, s, a, order(siyu.ChannelTaobao, "1", 100, phone("13800138000")))
	mustImport(t, s, b, order(siyu.ChannelTaobao, "1", 999, phone("13800138000")))
	ca := findOne(t, s, a, "13800138000")
	cb := findOne(t, s, b, "13800138000")
	if ca.ID == cb.ID || ca.TotalPaid != 100 || cb.TotalPaid != 999 {
		t.Fatalf("same phone in two workspaces must be two customers: %+v %+v", ca, cb)
	}
	if _, err := s.Customer360(ctx, a, cb.ID); !errors.Is(err, siyu.ErrNotFound) {
		t.Fatalf("reading b's customer from a: %v, want not found", err)
	}
	if _, err := s.RecordEvents(ctx, a, []siyu.EventInput{{Type: "page.view", CustomerID: cb.ID}}); err == nil {
		t.Fatal("an event of workspace a must not attach to b's customer")
	}
	page, _ := s.SearchCustomers(ctx, a, siyu.CustomerQuery{})
	if page.Total != 1 {
		t.Fatalf("workspace a lists %d customers, want 1", page.Total)
	}
}

func TestPhonesAreNotStoredInPlainText(t *testing.T) {
	s := storetest.Open(t)
	ws := workspace(t, s, "brand")
	mustImport(t, s, ws, order(siyu.ChannelTaobao, "1", 100, phone("13812345678"), siyu.Identifier{Kind: siyu.KindEmail, Value: "Fang@Example.com"}))
	var n int
	err := s.DB().QueryRow(`SELECT COUNT(*) FROM identities WHERE value LIKE '%13812345678%' OR display LIKE '%13812345678%' OR secret LIKE '%13812345678%' OR value LIKE '%fang@%'`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d identity rows hold a phone or email in plain text", n)
	}
	v, _ := s.Customer360(ctx, ws, findOne(t, s, ws, "13812345678").ID)
	var shown []string
	for _, i := range v.Identities {
		shown = append(shown, i.Display)
	}
	if got := strings.Join(shown, ","); !strings.Contains(got, "138****5678") || !strings.Contains(got, "f***@example.com") {
		t.Fatalf("identities shown as %q", got)
	}
	if c := findOne(t, s, ws, "fang@example.com"); c.ID == 0 {
		t.Fatal("email search")
	}
}

func TestEventsContactsGroupsTagsIn360(t *testing.T) {
	s := storetest.Open(t)
	ws := workspace(t, s, "brand")
	mustImport(t, s, ws, order(siyu.ChannelWeChat, "WX1", 100, union("u1")))
	if _, err := s.UpsertAccount(ctx, ws, siyu.Account{WeComUserID: "founder", Name: "木棉·小棉", Active: true}); err != nil {
		t.Fatal(err)
	}
	added := t0.Add(24 * time.Hour)
	if _, err := s.UpsertContacts(ctx, ws, []store.ContactInput{{AccountUserID: "founder", ExternalUserID: "wmEXT1", Identifiers: []siyu.Identifier{union("u1")}, State: "parcel_2025", AddedAt: added}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpsertGroup(ctx, ws, store.GroupInput{ChatID: "wrG1", Name: "双11福利群", OwnerUserID: "founder", CreatedAt: added,
		Members: []store.GroupMemberInput{{Identifiers: []siyu.Identifier{{Kind: siyu.KindExternalUser, Value: "wmEXT1"}}, JoinedAt: added}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.TagCustomers(ctx, ws, siyu.Tag{Name: "护肤控", GroupName: "兴趣"}, [][]siyu.Identifier{{union("u1")}}, "rule"); err != nil {
		t.Fatal(err)
	}
	n, err := s.RecordEvents(ctx, ws, []siyu.EventInput{{Type: siyu.EventMomentLiked, Source: "wecom", OccurredAt: added.Add(time.Hour),
		Identifiers: []siyu.Identifier{{Kind: siyu.KindExternalUser, Value: "wmEXT1"}}, Props: map[string]any{"topic": "护肤"}}})
	if err != nil || n != 1 {
		t.Fatalf("record events: %d, %v", n, err)
	}
	v, err := s.Customer360(ctx, ws, findOne(t, s, ws, "u1").ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Contacts) != 1 || v.Contacts[0].AccountName != "木棉·小棉" || v.Contacts[0].State != "parcel_2025" {
		t.Fatalf("contacts: %+v", v.Contacts)
	}
	if len(v.Groups) != 1 || v.Groups[0].GroupName != "双11福利群" {
		t.Fatalf("groups: %+v", v.Groups)
	}
	if len(v.Tags) != 1 || v.Tags[0].Name != "护肤控" {
		t.Fatalf("tags: %+v", v.Tags)
	}
	var types []string
	for _, e := range v.Timeline {
		types = append(types, e.Type)
	}
	want := []string{siyu.EventMomentLiked, siyu.EventContactAdded, siyu.EventGroupJoined, siyu.EventOrderPaid}
	if fmt.Sprint(types) != fmt.Sprint(want) && fmt.Sprint(types) != fmt.Sprint([]string{want[0], want[2], want[1], want[3]}) {
		t.Fatalf("timeline = %v, want %v (newest first)", types, want)
	}
}

// Concurrent imports of overlapping data must end in the same partition of
// orders into customers as one sequential import.
func TestConcurrentImportsResolveLikeSequential(t *testing.T) {
	rows := linkedRows(600)
	seq := storetest.Open(t)
	wsSeq := workspace(t, seq, "seq")
	mustImport(t, seq, wsSeq, rows...)

	con := storetest.Open(t)
	wsCon := workspace(t, con, "con")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each writer takes every row, in its own order, in small batches.
			for i := 0; i < len(rows); i += 25 {
				j := (i + w*150) % len(rows)
				if _, err := con.ImportOrders(ctx, wsCon, rows[j:min(j+25, len(rows))], "test"); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if a, b := partition(t, seq, wsSeq), partition(t, con, wsCon); a != b {
		t.Fatalf("concurrent import resolved differently:\nsequential: %.300s\nconcurrent: %.300s", a, b)
	}
}

// linkedRows makes orders where people are linked through chains of shared
// identifiers across channels.
func linkedRows(n int) []siyu.OrderInput {
	rows := make([]siyu.OrderInput, 0, n)
	for i := range n {
		p := i / 3 // three orders per person
		var ids []siyu.Identifier
		switch i % 3 {
		case 0:
			ids = []siyu.Identifier{phone(fmt.Sprintf("138%08d", p)), nick(fmt.Sprintf("tb%d", p))}
		case 1:
			ids = []siyu.Identifier{nick(fmt.Sprintf("tb%d", p))}
		case 2:
			ids = []siyu.Identifier{union(fmt.Sprintf("u%d", p)), phone(fmt.Sprintf("138%08d", p))}
		}
		rows = append(rows, order(siyu.ChannelTaobao, fmt.Sprintf("o%d", i), int64(100+i), ids...))
	}
	// Reverse every other person's rows so that merges really happen.
	for i := 0; i+2 < len(rows); i += 6 {
		rows[i], rows[i+2] = rows[i+2], rows[i]
	}
	return rows
}

// partition describes which orders share a customer, independent of ids.
func partition(t *testing.T, s *store.Store, ws int64) string {
	t.Helper()
	rows, err := s.DB().Query(`SELECT customer_id, external_id FROM orders WHERE workspace_id = ` + fmt.Sprint(ws))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	groups := map[int64][]string{}
	for rows.Next() {
		var c int64
		var ext string
		rows.Scan(&c, &ext)
		groups[c] = append(groups[c], ext)
	}
	var parts []string
	for _, g := range groups {
		sort.Strings(g)
		parts = append(parts, strings.Join(g, "+"))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func TestUsersSessionsTokens(t *testing.T) {
	s := storetest.Open(t)
	ws := workspace(t, s, "brand")
	u, err := s.CreateUser(ctx, "Admin@Brand.cn", "管理员", "$2a$hash")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, "admin@brand.cn", "dup", "$2a$hash"); !errors.Is(err, siyu.ErrConflict) {
		t.Fatalf("duplicate login: %v", err)
	}
	if err := s.SetMembership(ctx, ws, u.ID, siyu.RoleAnalyst); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMembership(ctx, ws, u.ID, siyu.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.Role(ctx, ws, u.ID); r != siyu.RoleAdmin {
		t.Fatalf("role %q", r)
	}
	se := siyu.Session{IDHash: "h1", UserID: u.ID, WorkspaceID: ws, CSRF: "c", Lang: "zh-CN", ExpiresAt: time.Now().Add(time.Hour)}
	if err := s.CreateSession(ctx, se); err != nil {
		t.Fatal(err)
	}
	old := se
	old.IDHash, old.ExpiresAt = "h2", time.Now().Add(-time.Minute)
	s.CreateSession(ctx, old)
	if _, err := s.SessionByHash(ctx, "h2"); !errors.Is(err, siyu.ErrNotFound) {
		t.Fatalf("expired session: %v", err)
	}
	if got, err := s.SessionByHash(ctx, "h1"); err != nil || got.UserID != u.ID {
		t.Fatalf("session: %+v %v", got, err)
	}
	tok, err := s.CreateAPIToken(ctx, ws, "shop", siyu.RoleOperator, "tokhash", "siyu_abc")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.APITokenByHash(ctx, "tokhash"); err != nil || got.WorkspaceID != ws {
		t.Fatalf("token: %+v %v", got, err)
	}
	other := workspace(t, s, "other")
	if err := s.RevokeAPIToken(ctx, other, tok.ID); !errors.Is(err, siyu.ErrNotFound) {
		t.Fatalf("revoking from another workspace: %v", err)
	}
	if err := s.RevokeAPIToken(ctx, ws, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.APITokenByHash(ctx, "tokhash"); !errors.Is(err, siyu.ErrNotFound) {
		t.Fatalf("revoked token still works: %v", err)
	}
}
