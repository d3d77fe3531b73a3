package douyin

import (
	"errors"
	"testing"
)

func TestParseEvent(t *testing.T) {
	tests := []struct {
		name, body string
		wantErr    bool
		check      func(t *testing.T, ev Event)
	}{
		{name: "verify", body: `{"event":"verify_webhook","client_key":"ck","content":{"challenge":12345}}`, check: func(t *testing.T, ev Event) {
			ch, err := ev.Challenge()
			if err != nil || ch.String() != "12345" {
				t.Fatalf("challenge %q %v", ch, err)
			}
		}},
		{name: "comment as object", body: `{"event":"item_comment_reply","from_user_id":"u1","to_user_id":"acc","client_key":"ck",
			"content":{"comment_id":"c1","comment_user_id":"u1","content":"求资料","create_time":1700000000,"reply_to_item_id":"v1"}}`,
			check: func(t *testing.T, ev Event) {
				c, err := ev.Comment()
				if err != nil || c.CommentID != "c1" || c.Content != "求资料" || c.ReplyToItemID != "v1" || c.CreateTime != 1700000000 {
					t.Fatalf("%+v %v", c, err)
				}
			}},
		{name: "content as a JSON string", body: `{"event":"im_receive_msg","from_user_id":"u2","content":"{\"conversation_short_id\":\"cv\",\"server_message_id\":\"m1\",\"message_type\":\"text\",\"text\":\"怎么买\",\"create_time\":1700000000123,\"user_infos\":[{\"open_id\":\"u2\",\"nick_name\":\"小鱼\"}]}"}`,
			check: func(t *testing.T, ev Event) {
				m, err := ev.IMMessage()
				if err != nil || m.ServerMessageID != "m1" || m.Text != "怎么买" || m.Nickname("u2") != "小鱼" || m.CreateTime != 1700000000123 {
					t.Fatalf("%+v %v", m, err)
				}
			}},
		{name: "comment author from the envelope", body: `{"event":"item_comment_reply","from_user_id":"u9","content":{"comment_id":"c","reply_to_item_id":"v"}}`,
			check: func(t *testing.T, ev Event) {
				if c, err := ev.Comment(); err != nil || c.CommentUserID != "u9" {
					t.Fatalf("%+v %v", c, err)
				}
			}},
		{name: "no content", body: `{"event":"authorize","from_user_id":"u"}`, check: func(t *testing.T, ev Event) {
			if string(ev.Content) != "{}" {
				t.Fatalf("content %s", ev.Content)
			}
		}},
		{name: "no event", body: `{"content":{}}`, wantErr: true},
		{name: "not JSON", body: `event=1`, wantErr: true},
		{name: "content a number", body: `{"event":"x","content":5}`, wantErr: true},
		{name: "content string not an object", body: `{"event":"x","content":"[1]"}`, wantErr: true},
		{name: "invalid UTF-8", body: "{\"event\":\"\xff\"}", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := ParseEvent([]byte(tt.body))
			if tt.wantErr {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("want ErrMalformed, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, ev)
		})
	}
}

func TestTypedContentErrors(t *testing.T) {
	ev, _ := ParseEvent([]byte(`{"event":"item_comment_reply","content":{"comment_id":"c"}}`))
	if _, err := ev.Comment(); !errors.Is(err, ErrMalformed) {
		t.Errorf("a comment without its video: %v", err)
	}
	if _, err := ev.IMMessage(); err == nil {
		t.Error("a comment event decoded as a message")
	}
	ev, _ = ParseEvent([]byte(`{"event":"verify_webhook","content":{"challenge":"abc"}}`))
	if _, err := ev.Challenge(); err == nil {
		t.Error("a non-numeric challenge was accepted")
	}
	ev, _ = ParseEvent([]byte(`{"event":"im_receive_msg","content":{"server_message_id":"m"}}`))
	if _, err := ev.IMMessage(); !errors.Is(err, ErrMalformed) {
		t.Errorf("a message without its conversation: %v", err)
	}
}
