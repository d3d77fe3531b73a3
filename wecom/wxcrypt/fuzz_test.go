package wxcrypt

import (
	"bytes"
	"testing"
)

func FuzzDecrypt(f *testing.F) {
	c := newTest(f)
	good, _ := c.Encrypt([]byte("hello"))
	f.Add(good)
	f.Add("")
	f.Add("AAAA")
	f.Add(sampleEchoStr)
	f.Fuzz(func(t *testing.T, s string) {
		msg, rid, err := c.Decrypt(s)
		if err == nil {
			if rid != testCorpID {
				t.Fatalf("accepted receiveid %q", rid)
			}
			// Whatever decrypts must encrypt back to something that decrypts the same.
			again, err := c.Encrypt(msg)
			if err != nil {
				t.Fatal(err)
			}
			msg2, _, err := c.Decrypt(again)
			if err != nil || !bytes.Equal(msg, msg2) {
				t.Fatalf("re-encryption round trip failed: %v", err)
			}
		}
	})
}

func FuzzDecryptMessage(f *testing.F) {
	c := newTest(f)
	body, sig, _ := c.SealMessage([]byte("<xml><Event>x</Event></xml>"), "1", "1700000000", "n")
	f.Add(sig, "1700000000", "n", body)
	f.Add("", "", "", []byte(samplePostBody))
	f.Add("x", "1", "2", []byte("<xml><Encrypt><![CDATA[AAAA]]></Encrypt></xml>"))
	f.Fuzz(func(t *testing.T, sig, ts, nonce string, body []byte) {
		msg, err := c.DecryptMessage(sig, ts, nonce, body)
		if err == nil && msg == nil {
			t.Fatal("nil message without an error")
		}
		_, _ = c.DecryptReply(body)
		_, _ = ParseEnvelope(body)
	})
}
