package wecomsync_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"siyu.dev/siyu/wecomsync/wecomtest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/emulator"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/wecom"
	"siyu.dev/siyu/wecomsync"
)

var ctx = context.Background()

// rig is Siyu and the WeCom emulator talking over real HTTP on loopback: the
// client calls the emulator's API, the emulator posts signed, encrypted
// callbacks to Siyu's receiver.
type rig struct {
	st  *store.Store
	ws  int64
	svc *wecomsync.Service
	emu *emulator.Emulator
}

func aesKey() string {
	b := make([]byte, 32)
	rand.Read(b)
	return strings.TrimRight(base64.StdEncoding.EncodeToString(b), "=")
}

func newRig(t *testing.T, pop *emulator.Population) *rig {
	t.Helper()
	r := wecomtest.New(t, wecomtest.Options{Emulator: emulator.Config{Seed: 7, Population: pop}})
	return &rig{st: r.Store, ws: r.WS, svc: r.Sync, emu: r.Emu}
}

// The acceptance test of the WeCom channel: a per-order QR in the parcel is
// scanned, the signed encrypted callback arrives, the welcome message goes
// out, and the new contact is joined to the customer who placed the order.
func TestParcelCodeJoinsTheScannerToTheOrdersCustomer(t *testing.T) {
	r := newRig(t, nil)
	if _, err := r.svc.FullSync(ctx, r.ws, nil); err != nil {
		t.Fatal(err)
	}
	// A Taobao order: only the buyer's nick and a masked phone are known,
	// nothing that WeChat would ever show.
	paid := time.Date(2026, 11, 11, 0, 3, 0, 0, siyu.Shanghai)
	res, err := r.st.ImportOrders(ctx, r.ws, []siyu.OrderInput{{
		Channel: siyu.ChannelTmall, ExternalID: "4012345678901234567", Status: siyu.StatusPaid, PlacedAt: paid, PaidAt: &paid,
		Amount: 59900, BuyerName: "李静", Identifiers: []siyu.Identifier{{Kind: siyu.KindTaobaoNick, Value: "静静的小铺"}, {Kind: siyu.KindPhone, Value: "139****2211"}},
	}}, "test")
	if err != nil || res.Inserted != 1 {
		t.Fatalf("import: %+v %v", res, err)
	}
	buyer, _ := r.st.SearchCustomers(ctx, r.ws, siyu.CustomerQuery{Query: "静静的小铺"})
	customer := buyer.Customers[0]
	v, _ := r.st.Customer360(ctx, r.ws, customer.ID)
	code, err := r.svc.CreateChannelCode(ctx, r.ws, siyu.ChannelCode{
		Name: "双11包裹卡", Kind: siyu.CodeOrder, State: "o:" + strconv.FormatInt(v.Orders[0].ID, 10), OrderID: v.Orders[0].ID,
		Accounts: []string{"service_01"}, Tags: []string{"包裹卡"}, Welcome: "您好，这是您的真丝衬衫洗护指南 👉",
	})
	if err != nil {
		t.Fatal(err)
	}
	if code.ConfigID == "" || code.QRCode == "" || code.CustomerID != customer.ID {
		t.Fatalf("code: %+v", code)
	}

	// User 3 of the emulator's population finds the card in the parcel and scans it.
	scan, err := r.emu.Scan(code.ConfigID, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.emu.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for _, d := range r.emu.Deliveries() {
		if d.Status != http.StatusOK {
			t.Fatalf("callback delivery: %+v", d)
		}
	}

	v, err = r.st.Customer360(ctx, r.ws, customer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Contacts) != 1 || v.Contacts[0].ExternalUserID != scan.ExternalUserID || v.Contacts[0].State != code.State {
		t.Fatalf("the scanner should be a contact of the order's customer: %+v", v.Contacts)
	}
	if len(v.Orders) != 1 || v.Orders[0].ExternalID != "4012345678901234567" {
		t.Fatalf("the contact's customer should own the order: %+v", v.Orders)
	}
	if !slices.ContainsFunc(v.Tags, func(tg siyu.Tag) bool { return tg.Name == "包裹卡" }) {
		t.Fatalf("the code's tag was not applied: %+v", v.Tags)
	}
	kinds := map[siyu.IdentityKind]bool{}
	for _, id := range v.Identities {
		kinds[id.Kind] = true
	}
	if !kinds[siyu.KindExternalUser] || !kinds[siyu.KindUnionID] || !kinds[siyu.KindTaobaoNick] {
		t.Fatalf("identities should now join WeChat and Taobao: %+v", v.Identities)
	}
	if !welcomed(r.emu, "service_01", scan.ExternalUserID) {
		t.Fatal("the welcome message was not sent")
	}
	stats, _ := r.st.ChannelCode(ctx, r.ws, code.ID)
	if stats.Stats.Adds != 1 || stats.Stats.Customers != 1 {
		t.Fatalf("code stats: %+v", stats.Stats)
	}

	// The same event delivered again changes nothing.
	before, _ := r.st.Customer360(ctx, r.ws, customer.ID)
	if err := r.svc.HandleEvent(ctx, r.ws, lastEvent(t, r.emu)); err != nil {
		t.Fatal(err)
	}
	after, _ := r.st.Customer360(ctx, r.ws, customer.ID)
	if len(after.Contacts) != len(before.Contacts) || len(after.Identities) != len(before.Identities) {
		t.Fatal("a duplicated callback changed the customer")
	}
}

func welcomed(emu *emulator.Emulator, userID, externalUserID string) bool {
	for _, m := range emu.Snapshot().Members {
		if m.UserID != userID {
			continue
		}
		for _, c := range m.Contacts {
			if c.ExternalUserID == externalUserID {
				return c.Welcomed
			}
		}
	}
	return false
}

func lastEvent(t *testing.T, emu *emulator.Emulator) wecom.Event {
	t.Helper()
	evs := emu.Events()
	if len(evs) == 0 {
		t.Fatal("no events")
	}
	return evs[len(evs)-1]
}

// A code with several accounts hands new contacts to them in turn.
func TestChannelCodeTakesAccountsInTurn(t *testing.T) {
	r := newRig(t, nil)
	if _, err := r.svc.FullSync(ctx, r.ws, nil); err != nil {
		t.Fatal(err)
	}
	code, err := r.svc.CreateChannelCode(ctx, r.ws, siyu.ChannelCode{Name: "门店", State: "store_rr", Accounts: []string{"store_hz01", "store_hz02", "store_sh01"}})
	if err != nil {
		t.Fatal(err)
	}
	// Six people who are nobody's contact yet (a person already added to an
	// account skips that account's turn).
	taken := map[string]bool{}
	for _, m := range r.emu.Snapshot().Members {
		for _, c := range m.Contacts {
			taken[c.ExternalUserID] = true
		}
	}
	var fresh []int
	for _, u := range r.emu.Users() {
		if !taken[u.ExternalUserID] && len(fresh) < 6 {
			fresh = append(fresh, u.Index)
		}
	}
	got := map[string]int{}
	for _, user := range fresh {
		res, err := r.emu.Scan(code.ConfigID, user)
		if err != nil {
			t.Fatal(err)
		}
		got[res.UserID]++
	}
	if err := r.emu.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got["store_hz01"] != 2 || got["store_hz02"] != 2 || got["store_sh01"] != 2 {
		t.Fatalf("six scans should go two to each account: %v", got)
	}
	page, err := r.st.ListContacts(ctx, r.ws, store.ContactQuery{State: "store_rr"})
	if err != nil || page.Total != 6 {
		t.Fatalf("contacts through the code: %d, %v", page.Total, err)
	}
}

// A 获客助手 link code: Siyu creates the link with the code's accounts and
// puts the state in the URL as customer_channel; people who open the link
// become contacts through the code (the state comes back in the signed,
// encrypted add_external_contact callback), the code counts them, and the
// link's customer list in WeCom agrees.
func TestLinkCodeBringsContactsThroughItsState(t *testing.T) {
	r := newRig(t, nil)
	if _, err := r.svc.FullSync(ctx, r.ws, nil); err != nil {
		t.Fatal(err)
	}
	code, err := r.svc.CreateChannelCode(ctx, r.ws, siyu.ChannelCode{Name: "短信获客", Medium: siyu.MediumLink, State: "sms_1203", Accounts: []string{"store_hz01", "store_hz02"}})
	if err != nil {
		t.Fatal(err)
	}
	if code.ConfigID == "" || !strings.Contains(code.QRCode, "customer_channel=sms_1203") {
		t.Fatalf("link code: config %q, url %q", code.ConfigID, code.QRCode)
	}
	taken := map[string]bool{}
	for _, m := range r.emu.Snapshot().Members {
		for _, c := range m.Contacts {
			taken[c.ExternalUserID] = true
		}
	}
	clicked := 0
	for _, u := range r.emu.Users() {
		if taken[u.ExternalUserID] || clicked == 4 {
			continue
		}
		if _, err := r.emu.ClickLink(code.QRCode, u.Index); err != nil {
			t.Fatal(err)
		}
		clicked++
	}
	if err := r.emu.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	page, err := r.st.ListContacts(ctx, r.ws, store.ContactQuery{State: "sms_1203"})
	if err != nil || page.Total != 4 {
		t.Fatalf("contacts through the link: %d, %v", page.Total, err)
	}
	got, err := r.st.ChannelCode(ctx, r.ws, code.ID)
	if err != nil || got.Stats.Adds != 4 || got.Medium != siyu.MediumLink {
		t.Fatalf("code %+v, %v", got, err)
	}
	client, _, err := r.svc.Client(ctx, r.ws)
	if err != nil {
		t.Fatal(err)
	}
	custs, err := client.AcquisitionCustomers(ctx, wecom.AcquisitionCustomersRequest{LinkID: code.ConfigID})
	if err != nil || len(custs.CustomerList) != 4 || custs.CustomerList[0].State != "sms_1203" {
		t.Fatalf("the link's customers in WeCom: %+v, %v", custs, err)
	}
	quota, err := client.AcquisitionQuota(ctx)
	if err != nil || quota.Total-quota.Balance != 4 {
		t.Fatalf("quota %+v, %v", quota, err)
	}
}
