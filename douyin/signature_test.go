package douyin

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"
	"testing"
)

func TestSign(t *testing.T) {
	// hex(SHA1("secret" + body)), computed independently of Sign.
	body := []byte(`{"event":"verify_webhook","client_key":"ck","content":{"challenge":12345}}`)
	sum := sha1.Sum(append([]byte("s3cret"), body...))
	want := hex.EncodeToString(sum[:])
	if got := Sign("s3cret", body); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	// A known vector: SHA1("abc").
	if got := Sign("a", []byte("bc")); got != "a9993e364706816aba3e25717850c26c9cd0d89d" {
		t.Fatalf("Sign(a, bc) = %s", got)
	}
}

func TestVerifySignature(t *testing.T) {
	body := []byte(`{"event":"im_receive_msg"}`)
	good := Sign("k", body)
	tests := []struct {
		name, secret, sig string
		body              []byte
		want              bool
	}{
		{"good", "k", good, body, true},
		{"upper-case hex", "k", strings.ToUpper(good), body, true},
		{"other secret", "k2", good, body, false},
		{"tampered body", "k", good, []byte(`{"event":"im_receive_msg" }`), false},
		{"empty signature", "k", "", body, false},
		{"not hex", "k", "zz" + good[2:], body, false},
		{"truncated", "k", good[:38], body, false},
		{"empty secret", "", Sign("", body), body, false},
	}
	for _, tt := range tests {
		if got := VerifySignature(tt.secret, tt.body, tt.sig); got != tt.want {
			t.Errorf("%s: VerifySignature = %v, want %v", tt.name, got, tt.want)
		}
	}
}
