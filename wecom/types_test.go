package wecom

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestEventMarshalRoundTrip(t *testing.T) {
	events := []Event{
		{ToUserName: testCorpID, FromUserName: "sys", CreateTime: 1700000000, Event: EventChangeExternalContact, ChangeType: ChangeAddExternalContact, UserID: "zhangsan", ExternalUserID: "wm1", State: "渠道<1>&", WelcomeCode: "W"},
		{ToUserName: testCorpID, CreateTime: 1, Event: EventChangeExternalChat, ChangeType: ChangeUpdate, ChatID: "wr1", UpdateDetail: UpdateAddMember, JoinScene: 3, MemChangeCnt: 2, MemChangeList: []string{"a", "b"}},
		{ToUserName: testCorpID, CreateTime: 2, Event: EventChangeExternalTag, ChangeType: ChangeShuffle, ID: "et1", TagType: TagTypeTagGroup, StrategyID: "st1"},
	}
	for _, ev := range events {
		b, err := MarshalEvent(ev)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b), "<xml>") || !strings.Contains(string(b), "<MsgType>event</MsgType>") {
			t.Errorf("marshalled %s", b)
		}
		got, err := ParseEvent(b)
		if err != nil {
			t.Fatal(err)
		}
		ev.MsgType = "event"
		got.XMLName = ev.XMLName
		if !reflect.DeepEqual(got, ev) {
			t.Errorf("round trip\n got %+v\nwant %+v", got, ev)
		}
	}
	if _, err := ParseEvent([]byte("<xml><CreateTime>soon</CreateTime></xml>")); err == nil {
		t.Error("non-numeric CreateTime accepted")
	}
}

// The emulator encodes these types: errcode and errmsg must sit at the top
// level, and optional request fields must be left out.
func TestResponseEnvelopeIsFlat(t *testing.T) {
	b, err := json.Marshal(AddJoinWayResponse{Response: OK, ConfigID: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"errcode":0,"errmsg":"ok","config_id":"c1"}` {
		t.Errorf("got %s", b)
	}
	b, _ = json.Marshal(GetTokenResponse{Response: Response{ErrCode: ErrCodeInvalidSecret, ErrMsg: "invalid credential"}})
	if string(b) != `{"errcode":40001,"errmsg":"invalid credential","access_token":"","expires_in":0}` {
		t.Errorf("got %s", b)
	}
	b, _ = json.Marshal(AddContactWayRequest{Type: 1, Scene: 2, User: []string{"u"}})
	if string(b) != `{"type":1,"scene":2,"user":["u"]}` {
		t.Errorf("optional fields not omitted: %s", b)
	}
}
