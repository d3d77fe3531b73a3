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
