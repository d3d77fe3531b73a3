package douyin

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzParseEvent: any body either fails with ErrMalformed or yields an
// event with a name and an object content, and the typed decoders never
// panic.
func FuzzParseEvent(f *testing.F) {
	for _, s := range []string{
		`{"event":"verify_webhook","content":{"challenge":1}}`,
		`{"event":"item_comment_reply","from_user_id":"u","content":{"comment_id":"c","reply_to_item_id":"v","content":"求资料"}}`,
		`{"event":"im_receive_msg","content":"{\"conversation_short_id\":\"c\",\"server_message_id\":\"m\"}"}`,
		`{"event":"im_enter_direct_msg","content":{"objectId":"v","scene_type":1,"ad_info":{}}}`,
		`{"event":"x","content":null}`, `{}`, `[]`, `"x"`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := ParseEvent(body)
		if err != nil {
			return
		}
		if ev.Event == "" || !json.Valid(ev.Content) || bytes.TrimSpace(ev.Content)[0] != '{' {
			t.Fatalf("accepted %q as %+v", body, ev)
		}
		ev.Comment()
		ev.IMMessage()
		ev.EnterDirectMsg()
		ev.Challenge()
	})
}

// FuzzVerifySignature: only the signature made with the secret over the
// exact body verifies.
func FuzzVerifySignature(f *testing.F) {
	f.Add("secret", []byte(`{"event":"x"}`), "")
	f.Add("k", []byte{}, "da39a3ee5e6b4b0d3255bfef95601890afd80709")
	f.Fuzz(func(t *testing.T, secret string, body []byte, sig string) {
		good := Sign(secret, body)
		if secret != "" && !VerifySignature(secret, body, good) {
			t.Fatal("the right signature did not verify")
		}
		if VerifySignature(secret, body, sig) && secret != "" {
			if got := strings.ToLower(strings.TrimSpace(sig)); got != good {
				t.Fatalf("signature %q verified but the right one is %q", sig, good)
			}
		}
		if VerifySignature(secret, append(bytes.Clone(body), 'x'), good) {
			t.Fatal("a signature verified a changed body")
		}
	})
}
