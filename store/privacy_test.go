package store_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

func TestExportAndEraseOnePerson(t *testing.T) {
	s := openWithWorkspace(t)
	ws := s.ws
	mustImport(t, s.Store, ws, order(siyu.ChannelTaobao, "1", 1000, phone("13812345678"), nick("芳芳")))
	mustImport(t, s.Store, ws, order(siyu.ChannelWeChat, "W1", 2000, union("u1")))
	mustImport(t, s.Store, ws, order(siyu.ChannelWeChat, "W2", 500, union("u1"), phone("13812345678"))) // merges
	mustImport(t, s.Store, ws, order(siyu.ChannelJD, "J1", 700, phone("13900000000")))                  // someone else
	s.UpsertAccount(ctx, ws, siyu.Account{WeComUserID: "founder", Name: "知夏", Active: true})
	s.UpsertContacts(ctx, ws, []store.ContactInput{{AccountUserID: "founder", ExternalUserID: "wm1", Identifiers: []siyu.Identifier{union("u1")}, AddedAt: t0}})
	s.RecordEvents(ctx, ws, []siyu.EventInput{{Type: "page.view", Identifiers: []siyu.Identifier{union("u1")}, OccurredAt: t0}})
	c := findOne(t, s.Store, ws, "13812345678")

	data, err := s.ExportCustomer(ctx, ws, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	clear := map[siyu.Identifier]bool{}
	for _, id := range data.Identifiers {
		clear[id] = true
	}
	if !clear[phone("13812345678")] || !clear[union("u1")] || !clear[nick("芳芳")] || !clear[siyu.Identifier{Kind: siyu.KindExternalUser, Value: "wm1"}] {
		t.Fatalf("export lacks identifiers in clear: %+v", data.Identifiers)
	}
	if len(data.Orders) != 3 || len(data.Contacts) != 1 || len(data.Merges) != 1 {
		t.Fatalf("export: %d orders, %d contacts, %d merges", len(data.Orders), len(data.Contacts), len(data.Merges))
	}

	other := workspace(t, s.Store, "other")
	if err := s.EraseCustomer(ctx, other, c.ID, "admin"); !errors.Is(err, siyu.ErrNotFound) {
		t.Fatalf("erasing from another workspace: %v", err)
	}
	if err := s.EraseCustomer(ctx, ws, c.ID, "admin"); err != nil {
		t.Fatal(err)
	}
	if page, _ := s.SearchCustomers(ctx, ws, siyu.CustomerQuery{Query: "13812345678"}); page.Total != 0 {
		t.Fatal("the phone still finds the erased person")
	}
	if page, _ := s.SearchCustomers(ctx, ws, siyu.CustomerQuery{Query: "u1"}); page.Total != 0 {
		t.Fatal("the unionid still finds the erased person")
	}
	v, err := s.Customer360(ctx, ws, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Customer.Name != "" || len(v.Identities) != 0 || len(v.Contacts) != 0 || len(v.Tags) != 0 {
		t.Fatalf("personal data left: %+v", v)
	}
	for _, o := range v.Orders {
		if o.Receiver != "" || len(o.Items) != 0 {
			t.Fatalf("order keeps personal data: %+v", o)
		}
	}
	if v.Customer.TotalPaid != 3500 {
		t.Fatalf("revenue should stay as anonymous totals: %s", v.Customer.TotalPaid)
	}
	var n int
	s.DB().QueryRow(fmt.Sprintf(`SELECT COUNT(*) FROM events WHERE workspace_id = %d`, ws)).Scan(&n)
	if n != 0 {
		t.Fatalf("%d events left", n)
	}
	if at, _ := s.Erased(ctx, ws, c.ID); at == nil || time.Since(*at) > time.Minute {
		t.Fatal("erasure not recorded")
	}
	if page, _ := s.SearchCustomers(ctx, ws, siyu.CustomerQuery{Query: "13900000000"}); page.Total != 1 {
		t.Fatal("someone else's data was touched")
	}
}

type wsStore struct {
	*store.Store
	ws int64
}

func openWithWorkspace(t *testing.T) wsStore {
	s := storetest.Open(t)
	return wsStore{s, workspace(t, s, "brand")}
}

// After an erasure, the same source rows imported again, a new order, an
// event and a WeCom contact carrying the person's identifiers do not bring
// the person back: orders join the empty shell as anonymous revenue, the
// event and the contact are not kept, no identity or name returns.
func TestErasureStaysAfterReimport(t *testing.T) {
	s := openWithWorkspace(t)
	ws := s.ws
	first := order(siyu.ChannelTaobao, "1", 1000, phone("13812345678"), nick("芳芳"))
	first.BuyerName, first.Receiver, first.City = "王芳", "王芳", "杭州市"
	mustImport(t, s.Store, ws, first)
	mustImport(t, s.Store, ws, order(siyu.ChannelJD, "J1", 700, phone("13900000000"))) // someone else
	s.UpsertAccount(ctx, ws, siyu.Account{WeComUserID: "founder", Name: "知夏", Active: true})
	c := findOne(t, s.Store, ws, "13812345678")
	customers := func() int {
		var n int
		if err := s.DB().QueryRow(`SELECT COUNT(*) FROM customers WHERE workspace_id = $1`, ws).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := customers()
	if err := s.EraseCustomer(ctx, ws, c.ID, "admin"); err != nil {
		t.Fatal(err)
	}

	again := order(siyu.ChannelTaobao, "2", 3000, phone("13812345678"), nick("芳芳"))
	again.BuyerName, again.Receiver, again.City, again.MaskedPhone = "王芳", "王芳", "杭州市", "138****5678"
	mustImport(t, s.Store, ws, first, again)
	if _, err := s.RecordEvents(ctx, ws, []siyu.EventInput{{Type: "page.view", Identifiers: []siyu.Identifier{phone("13812345678")}, OccurredAt: t0}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpsertContacts(ctx, ws, []store.ContactInput{{AccountUserID: "founder", ExternalUserID: "wm9", Identifiers: []siyu.Identifier{nick("芳芳")}, AddedAt: t0}}); err != nil {
		t.Fatal(err)
	}

	if page, _ := s.SearchCustomers(ctx, ws, siyu.CustomerQuery{Query: "13812345678"}); page.Total != 0 {
		t.Fatal("the phone finds the erased person again")
	}
	if n := customers(); n != before {
		t.Fatalf("%d customers after the re-import, %d before: the person came back as a new one", n, before)
	}
	v, err := s.Customer360(ctx, ws, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Customer.Name != "" || len(v.Identities) != 0 || len(v.Contacts) != 0 {
		t.Fatalf("personal data came back: name %q, %d identities, %d contacts", v.Customer.Name, len(v.Identities), len(v.Contacts))
	}
	if len(v.Orders) != 2 || v.Customer.TotalPaid != 4000 {
		t.Fatalf("the shell has %d orders, %s: want the old and the new order as anonymous revenue", len(v.Orders), v.Customer.TotalPaid)
	}
	for _, o := range v.Orders {
		if o.Receiver != "" || o.City != "" || len(o.Items) != 0 {
			t.Fatalf("order keeps personal data: %+v", o)
		}
	}
	var n int
	for _, q := range []string{
		`SELECT COUNT(*) FROM events WHERE workspace_id = $1`,
		`SELECT COUNT(*) FROM contacts WHERE workspace_id = $1`,
		`SELECT COUNT(*) FROM orders WHERE workspace_id = $1 AND (masked_phone <> '' OR receiver <> '')`,
	} {
		if err := s.DB().QueryRow(q, ws).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%s: %d (%v)", q, n, err)
		}
	}
	if err := s.DB().QueryRow(`SELECT COUNT(*) FROM identities WHERE workspace_id = $1`, ws).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d identities in the workspace, want only the other person's (%v)", n, err)
	}
	// Someone else is untouched and still resolves.
	mustImport(t, s.Store, ws, order(siyu.ChannelJD, "J2", 100, phone("13900000000")))
	if p := findOne(t, s.Store, ws, "13900000000"); p.OrderCount != 2 {
		t.Fatalf("the other person: %+v", p)
	}
}
