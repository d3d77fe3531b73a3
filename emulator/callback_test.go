package emulator

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"siyu.dev/siyu/wecom"
)

func TestCallbacksAreSignedAndCarryState(t *testing.T) {
	var rcv *receiver
	v := newEnv(t, withReceiver(t, &rcv))
	way := v.addContactWay("store_hz01", "tmall_parcel_0312")
	res, err := v.emu.Scan("tmall_parcel_0312", 7) // by state
	if err != nil {
		t.Fatal(err)
	}
	if res.ConfigID != way || res.UserID != "store_hz01" {
		t.Errorf("scan result %+v", res)
	}
	v.flush()
	evs := rcv.received()
	if len(evs) != 1 {
		t.Fatalf("%d events, want 1", len(evs))
	}
	ev := evs[0]
	want := wecom.Event{
		ToUserName: v.emu.CorpID(), FromUserName: "sys", CreateTime: t0.Unix(), MsgType: "event",
		Event: wecom.EventChangeExternalContact, ChangeType: wecom.ChangeAddExternalContact,
		UserID: "store_hz01", ExternalUserID: v.emu.Users()[7].ExternalUserID, State: "tmall_parcel_0312", WelcomeCode: res.WelcomeCode,
	}
	ev.XMLName = want.XMLName
	if ev.ToUserName != want.ToUserName || ev.Event != want.Event || ev.ChangeType != want.ChangeType || ev.UserID != want.UserID ||
		ev.ExternalUserID != want.ExternalUserID || ev.State != want.State || ev.WelcomeCode != want.WelcomeCode ||
		ev.CreateTime != want.CreateTime || ev.MsgType != want.MsgType || ev.FromUserName != want.FromUserName {
		t.Errorf("event\n %+v\nwant\n %+v", ev, want)
	}

	// The state comes back through the API too.
	var got wecom.GetExternalContactResponse
	v.get(wecom.PathExternalContactGet, url.Values{"external_userid": {res.ExternalUserID}}, &got)
	if got.FollowUser[0].State != "tmall_parcel_0312" {
		t.Errorf("follow_user state %q", got.FollowUser[0].State)
	}
}

func TestCallbackRetries(t *testing.T) {
	var rcv *receiver
	v := newEnv(t, withReceiver(t, &rcv))
	way := v.addContactWay("founder", "s")

	rcv.failN.Store(2)
	if _, err := v.emu.Scan(way, 0); err != nil {
		t.Fatal(err)
	}
	v.flush()
	d := v.emu.Deliveries()
	if len(d) != 1 || !d[0].Delivered || d[0].Attempts != 3 || len(rcv.received()) != 1 {
		t.Errorf("deliveries %+v: want delivered on the third attempt", d)
	}

	rcv.failN.Store(3)
	if _, err := v.emu.Scan(way, 1); err != nil {
		t.Fatal(err)
	}
	v.flush()
	d = v.emu.Deliveries()
	if len(d) != 2 || d[1].Delivered || d[1].Attempts != 3 || d[1].Status != 500 {
		t.Errorf("deliveries %+v: want the second given up after 3 attempts", d)
	}
	if len(rcv.received()) != 1 {
		t.Errorf("received %d events", len(rcv.received()))
	}
}

func TestCallbackTimeout(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	v := newEnv(t, func(c *Config) {
		c.Callback = &CallbackConfig{URL: slow.URL, Token: "t", EncodingAESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}
		c.Policy.CallbackTimeout = 50 * time.Millisecond
		c.Policy.CallbackAttempts = 2
		c.Policy.CallbackBackoff = 5 * time.Millisecond
	})
	if _, err := v.emu.Scan(v.addContactWay("founder", ""), 0); err != nil {
		t.Fatal(err)
	}
	v.flush()
	d := v.emu.Deliveries()
	if len(d) != 1 || d[0].Delivered || d[0].Attempts != 2 || d[0].Err == "" {
		t.Errorf("deliveries %+v: want 2 timed-out attempts", d)
	}
}

func TestNoCallbacksForAPIChanges(t *testing.T) {
	var rcv *receiver
	v := newEnv(t, withReceiver(t, &rcv))
	way := v.addContactWay("founder", "")
	res, err := v.emu.Scan(way, 0)
	if err != nil {
		t.Fatal(err)
	}
	chat, err := v.emu.CreateGroup("founder", "群", []int{0})
	if err != nil {
		t.Fatal(err)
	}
	v.flush()
	before := len(rcv.received())

	var tags wecom.AddCorpTagResponse
	v.mustPost(wecom.PathAddCorpTag, wecom.AddCorpTagRequest{GroupName: "兴趣", Tag: []wecom.NewCorpTag{{Name: "香氛"}, {Name: "护肤"}}}, &tags)
	tag := tags.TagGroup.Tag[0].ID
	v.mustPost(wecom.PathEditCorpTag, wecom.EditCorpTagRequest{ID: tag, Name: "香薰"}, nil)
	v.mustPost(wecom.PathMarkTag, wecom.MarkTagRequest{UserID: "founder", ExternalUserID: res.ExternalUserID, AddTag: []string{tag}}, nil)
	v.mustPost(wecom.PathRemark, wecom.RemarkRequest{UserID: "founder", ExternalUserID: res.ExternalUserID, Remark: "老客"}, nil)
	v.mustPost(wecom.PathDelCorpTag, wecom.DelCorpTagRequest{TagID: []string{tags.TagGroup.Tag[1].ID}}, nil)
	v.mustPost(wecom.PathUpdateContactWay, wecom.UpdateContactWayRequest{ConfigID: way, State: "x"}, nil)
	v.mustPost(wecom.PathAddJoinWay, wecom.AddJoinWayRequest{Scene: 2, ChatIDList: []string{chat}}, nil)
	v.mustPost(wecom.PathTransferCustomer, wecom.TransferCustomerRequest{HandoverUserID: "founder", TakeoverUserID: "sales_01", ExternalUserID: []string{res.ExternalUserID}}, nil)
	v.mustPost(wecom.PathGroupChatOnjobTransfer, wecom.GroupChatTransferRequest{ChatIDList: []string{chat}, NewOwner: "sales_01"}, nil)
	v.flush()
	if got := rcv.received()[before:]; len(got) != 0 {
		t.Errorf("API calls pushed %d events: %+v", len(got), got)
	}

	// The same kind of change made on the client does push.
	if err := v.emu.EditContact("founder", res.ExternalUserID, nil, nil, []string{tag}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.emu.CreateTagInConsole("兴趣", "彩妆"); err != nil {
		t.Fatal(err)
	}
	v.flush()
	got := rcv.received()[before:]
	if len(got) != 2 || got[0].ChangeType != wecom.ChangeEditExternalContact || got[1].Event != wecom.EventChangeExternalTag ||
		got[1].ChangeType != wecom.ChangeCreate || got[1].TagType != wecom.TagTypeTag {
		t.Errorf("client changes pushed %+v", got)
	}
}

func TestSetCallbackVerifiesURL(t *testing.T) {
	v := newEnv(t, func(c *Config) { c.CorpID = "wwtestcorp0000001" })
	rcv := newReceiver(t, "wwtestcorp0000001")
	ctx := context.Background()
	if err := v.emu.SetCallback(ctx, &rcv.cfg); err != nil {
		t.Fatalf("verification with the right key: %v", err)
	}
	wrong := rcv.cfg
	wrong.Token = "other"
	silent := newReceiver(t, "wwtestcorp0000001")
	silent.quiet = true // its verification failure is the point
	wrong.URL = silent.cfg.URL
	if err := v.emu.SetCallback(ctx, &wrong); err == nil {
		t.Error("a URL that cannot verify was accepted")
	}
	bad := rcv.cfg
	bad.EncodingAESKey = "short"
	if err := v.emu.SetCallback(ctx, &bad); err == nil {
		t.Error("a malformed EncodingAESKey was accepted")
	}
	if _, err := v.emu.Scan(v.addContactWay("founder", ""), 0); err != nil {
		t.Fatal(err)
	}
	v.flush()
	if len(rcv.received()) != 1 {
		t.Errorf("received %d events after SetCallback", len(rcv.received()))
	}
}
