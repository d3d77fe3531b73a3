package emulator

import (
	"strings"
	"testing"

	"siyu.dev/siyu/wecom"
)

func TestAcquisitionLinks(t *testing.T) {
	v := newEnv(t, nil)
	rng := wecom.AcquisitionRange{UserList: []string{"founder"}}
	for _, tt := range []struct {
		name string
		req  wecom.CreateAcquisitionLinkRequest
		want int
	}{
		{"no name", wecom.CreateAcquisitionLinkRequest{Range: rng}, wecom.ErrCodeInvalidParameter},
		{"name of 31 chars", wecom.CreateAcquisitionLinkRequest{LinkName: strings.Repeat("链", 31), Range: rng}, wecom.ErrCodeInvalidParameter},
		{"empty range", wecom.CreateAcquisitionLinkRequest{LinkName: "x"}, wecom.ErrCodeInvalidParameter},
		{"unknown user", wecom.CreateAcquisitionLinkRequest{LinkName: "x", Range: wecom.AcquisitionRange{UserList: []string{"ghost"}}}, errCodeInvalidUserList},
	} {
		if code := v.post(wecom.PathAcquisitionCreateLink, tt.req, nil); code != tt.want {
			t.Errorf("%s: errcode %d, want %d", tt.name, code, tt.want)
		}
	}
	var created wecom.AcquisitionLinkResponse
	if code := v.post(wecom.PathAcquisitionCreateLink, wecom.CreateAcquisitionLinkRequest{LinkName: "短信", Range: rng, SkipVerify: true}, &created); code != 0 {
		t.Fatalf("create: %d", code)
	}
	id := created.Link.LinkID
	var got wecom.AcquisitionLinkResponse
	if code := v.post(wecom.PathAcquisitionGet, wecom.LinkIDRequest{LinkID: id}, &got); code != 0 || got.Link.URL != created.Link.URL || got.Range.UserList[0] != "founder" || !got.SkipVerify {
		t.Fatalf("get: %d %+v", code, got)
	}
	if code := v.post(wecom.PathAcquisitionUpdateLink, wecom.CreateAcquisitionLinkRequest{LinkID: id, LinkName: "短信二", Range: wecom.AcquisitionRange{UserList: []string{"founder", "sales_01"}}}, nil); code != 0 {
		t.Fatalf("update: %d", code)
	}
	url, err := wecom.LinkURLWithState(created.Link.URL, "sms")
	if err != nil {
		t.Fatal(err)
	}
	// Two clicks: the members take them in turn, the state comes back.
	var members []string
	for _, user := range []int{0, 1} {
		res, err := v.emu.ClickLink(url, user)
		if err != nil {
			t.Fatal(err)
		}
		if res.State != "sms" {
			t.Fatalf("state %q", res.State)
		}
		members = append(members, res.UserID)
	}
	if members[0] == members[1] {
		t.Fatalf("both clicks went to %s", members[0])
	}
	var custs wecom.AcquisitionCustomersResponse
	if code := v.post(wecom.PathAcquisitionCustomer, wecom.AcquisitionCustomersRequest{LinkID: id}, &custs); code != 0 || len(custs.CustomerList) != 2 {
		t.Fatalf("customers: %d %+v", code, custs)
	}
	var quota wecom.AcquisitionQuotaResponse
	if code := v.get(wecom.PathAcquisitionQuota, nil, &quota); code != 0 || quota.Balance != quota.Total-2 {
		t.Fatalf("quota: %d %+v", code, quota)
	}
	var list wecom.ListAcquisitionLinksResponse
	if code := v.post(wecom.PathAcquisitionListLink, wecom.ListAcquisitionLinksRequest{}, &list); code != 0 || len(list.LinkIDList) != 1 {
		t.Fatalf("list: %d %+v", code, list)
	}
	if code := v.post(wecom.PathAcquisitionDeleteLink, wecom.LinkIDRequest{LinkID: id}, nil); code != 0 {
		t.Fatalf("delete: %d", code)
	}
	if code := v.post(wecom.PathAcquisitionGet, wecom.LinkIDRequest{LinkID: id}, nil); code != errCodeInvalidLinkID {
		t.Fatalf("get after delete: %d", code)
	}
	if _, err := v.emu.ClickLink(url, 2); err == nil {
		t.Fatal("a deleted link still adds")
	}
}
