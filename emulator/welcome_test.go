package emulator

import (
	"testing"
	"time"

	"siyu.dev/siyu/wecom"
)

// withReceiver sets the callback URL to a fresh receiver.
func withReceiver(t *testing.T, rcv **receiver) func(*Config) {
	return func(c *Config) {
		c.CorpID = "wwtestcorp0000001"
		*rcv = newReceiver(t, c.CorpID)
		cfg := (*rcv).cfg
		c.Callback = &cfg
		c.Policy.CallbackBackoff = 5 * time.Millisecond
	}
}

func TestWelcomeCodeSingleUseAndExpiry(t *testing.T) {
	var rcv *receiver
	v := newEnv(t, withReceiver(t, &rcv))
	way := v.addContactWay("founder", "parcel_card")
	welcome := func(code string) int {
		return v.post(wecom.PathSendWelcomeMsg, wecom.SendWelcomeMsgRequest{WelcomeCode: code, Text: &wecom.TextContent{Content: "你好，我是知夏～"}}, nil)
	}

	if _, err := v.emu.Scan(way, 0); err != nil {
		t.Fatal(err)
	}
	v.flush()
	evs := rcv.received()
	if len(evs) != 1 || evs[0].WelcomeCode == "" {
		t.Fatalf("events %+v: want one add with a welcome code", evs)
	}
	code := evs[0].WelcomeCode
	v.emu.Advance(19 * time.Second)
	if got := welcome(code); got != 0 {
		t.Fatalf("welcome within 20 s: errcode %d", got)
	}
	if got := welcome(code); got != wecom.ErrCodeWelcomeAlreadyDelivered {
		t.Errorf("second use: errcode %d, want 41051", got)
	}

	if _, err := v.emu.Scan(way, 1); err != nil {
		t.Fatal(err)
	}
	v.flush()
	late := rcv.received()[1].WelcomeCode
	v.emu.Advance(21 * time.Second)
	if got := welcome(late); got != wecom.ErrCodeInvalidWelcomeCode {
		t.Errorf("after 21 s: errcode %d, want 41050", got)
	}

	if got := welcome("not-a-code"); got != wecom.ErrCodeInvalidWelcomeCode {
		t.Errorf("unknown code: errcode %d, want 41050", got)
	}
	if got := welcome(""); got != wecom.ErrCodeMissingWelcomeCode {
		t.Errorf("no code: errcode %d, want 41049", got)
	}
	res, err := v.emu.Scan(way, 2)
	if err != nil {
		t.Fatal(err)
	}
	tooMany := wecom.SendWelcomeMsgRequest{WelcomeCode: res.WelcomeCode, Attachments: make([]wecom.Attachment, 10)}
	for i := range tooMany.Attachments {
		tooMany.Attachments[i] = wecom.Attachment{MsgType: wecom.MsgTypeImage, Image: &wecom.ImageAttachment{MediaID: "m"}}
	}
	if got := v.post(wecom.PathSendWelcomeMsg, tooMany, nil); got != wecom.ErrCodeTooManyAttachments {
		t.Errorf("10 attachments: errcode %d, want 41064", got)
	}
	snap := v.emu.Snapshot()
	welcomed := 0
	for _, c := range snap.Members[0].Contacts {
		if c.Welcomed {
			welcomed++
		}
	}
	if welcomed != 1 {
		t.Errorf("%d customers welcomed, want 1", welcomed)
	}
}

// The 20 s run from the push, not from the add: after a big Advance the
// receiver still has its window.
func TestWelcomeCodeCountsFromThePush(t *testing.T) {
	var rcv *receiver
	v := newEnv(t, func(c *Config) {
		withReceiver(t, &rcv)(c)
		pop := DefaultPopulation()
		pop.Users = 50
		pop.ExistingContacts, pop.ExistingGroups, pop.SeedTags = 0, 0, false
		pop.HalfAddShare, pop.IgnoreShare = 0, 0
		c.Population = &pop
	})
	v.addContactWay("founder", "live")
	v.emu.Advance(12 * time.Hour)
	v.flush()
	var code string
	for _, ev := range rcv.received() {
		if ev.ChangeType == wecom.ChangeAddExternalContact && ev.WelcomeCode != "" {
			code = ev.WelcomeCode
		}
	}
	if code == "" {
		t.Fatal("no add with a welcome code in 12 simulated hours")
	}
	v.tok = "" // the old one expired during the 12 hours
	if got := v.post(wecom.PathSendWelcomeMsg, wecom.SendWelcomeMsgRequest{WelcomeCode: code, Text: &wecom.TextContent{Content: "欢迎"}}, nil); got != 0 {
		t.Errorf("welcome right after the push: errcode %d", got)
	}
}
