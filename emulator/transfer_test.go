package emulator

import (
	"net/url"
	"testing"
	"time"

	"siyu.dev/siyu/wecom"
)

func TestOnJobTransfer(t *testing.T) {
	var rcv *receiver
	v := newEnv(t, func(c *Config) {
		withReceiver(t, &rcv)(c)
		c.Policy.TransferRefuseRate = 0
	})
	way := v.addContactWay("store_hz01", "store")
	res, err := v.emu.Scan(way, 0)
	if err != nil {
		t.Fatal(err)
	}
	v.mustPost(wecom.PathRemark, wecom.RemarkRequest{UserID: "store_hz01", ExternalUserID: res.ExternalUserID, Remark: "老客户"}, nil)

	var resp wecom.TransferCustomerResponse
	v.mustPost(wecom.PathTransferCustomer, wecom.TransferCustomerRequest{
		HandoverUserID: "store_hz01", TakeoverUserID: "store_hz02", ExternalUserID: []string{res.ExternalUserID, v.emu.Users()[1].ExternalUserID},
	}, &resp)
	if len(resp.Customer) != 2 || resp.Customer[0].ErrCode != 0 || resp.Customer[1].ErrCode != errCodeNotFollower {
		t.Fatalf("transfer %+v", resp.Customer)
	}
	var again wecom.TransferCustomerResponse
	v.mustPost(wecom.PathTransferCustomer, wecom.TransferCustomerRequest{HandoverUserID: "store_hz01", TakeoverUserID: "store_hz02", ExternalUserID: []string{res.ExternalUserID}}, &again)
	if again.Customer[0].ErrCode != errCodeTransferInProgress {
		t.Errorf("second transfer while waiting: %+v", again.Customer)
	}
	if code := v.post(wecom.PathTransferCustomer, wecom.TransferCustomerRequest{HandoverUserID: "store_hz01", TakeoverUserID: "store_hz01", ExternalUserID: []string{res.ExternalUserID}}, nil); code != errCodeSameTakeover {
		t.Errorf("same member: errcode %d", code)
	}

	result := func() wecom.TransferStatus {
		t.Helper()
		var r wecom.TransferResultResponse
		v.mustPost(wecom.PathTransferResult, wecom.TransferResultRequest{HandoverUserID: "store_hz01", TakeoverUserID: "store_hz02"}, &r)
		if len(r.Customer) != 1 {
			t.Fatalf("transfer result %+v", r.Customer)
		}
		return r.Customer[0]
	}
	if r := result(); r.Status != wecom.TransferWaiting || r.TakeoverTime != wecom.Timestamp(t0.Add(24*time.Hour).Unix()) {
		t.Errorf("waiting: %+v", r)
	}
	v.emu.Advance(24 * time.Hour)
	v.tok = ""
	if r := result(); r.Status != wecom.TransferDone {
		t.Errorf("after 24 h: %+v", r)
	}
	var got wecom.GetExternalContactResponse
	v.get(wecom.PathExternalContactGet, url.Values{"external_userid": {res.ExternalUserID}}, &got)
	if len(got.FollowUser) != 1 || got.FollowUser[0].UserID != "store_hz02" || got.FollowUser[0].Remark != "老客户" || got.FollowUser[0].State != "store" {
		t.Errorf("after the takeover: %+v", got.FollowUser)
	}
	v.flush()
	if n := len(rcv.received()); n != 1 {
		t.Errorf("%d events, want only the scan's (a transfer made through the API pushes nothing)", n)
	}
}

func TestTransferRefusedPushesTransferFail(t *testing.T) {
	var rcv *receiver
	v := newEnv(t, func(c *Config) {
		withReceiver(t, &rcv)(c)
		c.Policy.TransferRefuseRate = 1
	})
	res, err := v.emu.Scan(v.addContactWay("founder", ""), 0)
	if err != nil {
		t.Fatal(err)
	}
	v.mustPost(wecom.PathTransferCustomer, wecom.TransferCustomerRequest{HandoverUserID: "founder", TakeoverUserID: "sales_01", ExternalUserID: []string{res.ExternalUserID}}, nil)
	v.emu.Advance(24 * time.Hour)
	v.flush()
	evs := rcv.received()
	last := evs[len(evs)-1]
	if last.ChangeType != wecom.ChangeTransferFail || last.FailReason != wecom.FailCustomerRefused || last.UserID != "sales_01" {
		t.Errorf("last event %+v: want transfer_fail customer_refused", last)
	}
}

func TestResignedTransfer(t *testing.T) {
	v := newEnv(t, func(c *Config) { c.Policy.TransferRefuseRate = 0 })
	res, err := v.emu.Scan(v.addContactWay("sales_01", ""), 0)
	if err != nil {
		t.Fatal(err)
	}
	chat, err := v.emu.CreateGroup("sales_01", "售后群", []int{0})
	if err != nil {
		t.Fatal(err)
	}
	req := wecom.ResignedTransferCustomerRequest{HandoverUserID: "sales_01", TakeoverUserID: "service_01", ExternalUserID: []string{res.ExternalUserID}}
	if code := v.post(wecom.PathResignedTransfer, req, nil); code != errCodeNotResigned {
		t.Errorf("member still working: errcode %d, want 40097", code)
	}
	var gt wecom.GroupChatTransferResponse
	v.mustPost(wecom.PathGroupChatTransfer, wecom.GroupChatTransferRequest{ChatIDList: []string{chat}, NewOwner: "service_01"}, &gt)
	if len(gt.FailedChatList) != 1 || gt.FailedChatList[0].ErrCode != wecom.ErrCodeGroupOwnerNotResigned {
		t.Errorf("group transfer of a working owner: %+v", gt.FailedChatList)
	}

	if err := v.emu.ResignMember("sales_01"); err != nil {
		t.Fatal(err)
	}
	var un wecom.GetUnassignedListResponse
	v.mustPost(wecom.PathGetUnassignedList, wecom.GetUnassignedListRequest{PageSize: 100}, &un)
	if len(un.Info) != 1 || un.Info[0].ExternalUserID != res.ExternalUserID || !un.IsLast || un.Info[0].DimissionTime == 0 {
		t.Errorf("unassigned %+v", un)
	}
	var groups wecom.GroupChatListResponse
	v.mustPost(wecom.PathGroupChatList, wecom.GroupChatListRequest{Limit: 10, StatusFilter: wecom.GroupStatusResignedPending}, &groups)
	if len(groups.GroupChatList) != 1 {
		t.Errorf("groups waiting for a new owner: %+v", groups.GroupChatList)
	}
	var tr wecom.TransferCustomerResponse
	v.mustPost(wecom.PathResignedTransfer, req, &tr)
	if tr.Customer[0].ErrCode != 0 {
		t.Fatalf("resigned transfer %+v", tr.Customer)
	}
	gt = wecom.GroupChatTransferResponse{}
	v.mustPost(wecom.PathGroupChatTransfer, wecom.GroupChatTransferRequest{ChatIDList: []string{chat}, NewOwner: "service_01"}, &gt)
	if len(gt.FailedChatList) != 0 {
		t.Errorf("group transfer: %+v", gt.FailedChatList)
	}
	v.emu.Advance(24 * time.Hour)
	v.tok = ""
	var r wecom.TransferResultResponse
	v.mustPost(wecom.PathResignedTransferResult, wecom.TransferResultRequest{HandoverUserID: "sales_01", TakeoverUserID: "service_01"}, &r)
	if len(r.Customer) != 1 || r.Customer[0].Status != wecom.TransferDone {
		t.Errorf("resigned transfer result %+v", r.Customer)
	}
	var g wecom.GroupChatGetResponse
	v.mustPost(wecom.PathGroupChatGet, wecom.GroupChatGetRequest{ChatID: chat}, &g)
	if g.GroupChat.Owner != "service_01" {
		t.Errorf("group owner %q", g.GroupChat.Owner)
	}
}
