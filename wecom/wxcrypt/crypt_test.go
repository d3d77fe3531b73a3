package wxcrypt

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
)

const (
	testToken  = "siyuToken2024"
	testKey    = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	testCorpID = "ww1234567890abcdef"
)

func newTest(t testing.TB) *Crypt {
	t.Helper()
	c, err := New(testToken, testKey, testCorpID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNewRejectsBadKeys(t *testing.T) {
	tests := []struct {
		name, token, key string
		want             error
	}{
		{"short", testToken, testKey[:42], ErrInvalidKey},
		{"long", testToken, testKey + "A", ErrInvalidKey},
		{"not base64", testToken, strings.Repeat("!", 43), ErrInvalidKey},
		{"empty token", "", testKey, ErrEmptyToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.token, tt.key, testCorpID); !errors.Is(err, tt.want) {
				t.Errorf("New: err = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := New(testToken, testKey, testCorpID); err != nil {
		t.Errorf("New with a good key: %v", err)
	}
}

func TestRoundTrip(t *testing.T) {
	c := newTest(t)
	for _, n := range []int{0, 1, 11, 12, 31, 32, 33, 1000, 4096} {
		msg := bytes.Repeat([]byte("企"), n)
		enc, err := c.Encrypt(msg)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := base64.StdEncoding.DecodeString(enc)
		if len(raw)%32 != 0 {
			t.Errorf("len %d: ciphertext length %d is not a multiple of 32", n, len(raw))
		}
		got, rid, err := c.Decrypt(enc)
		if err != nil {
			t.Fatalf("len %d: Decrypt: %v", n, err)
		}
		if !bytes.Equal(got, msg) || rid != testCorpID {
			t.Errorf("len %d: got %d bytes, receiveid %q", n, len(got), rid)
		}
	}
}

func TestEncryptIsRandomised(t *testing.T) {
	c := newTest(t)
	a, _ := c.Encrypt([]byte("same"))
	b, _ := c.Encrypt([]byte("same"))
	if a == b {
		t.Error("two encryptions of the same message are equal: random prefix missing")
	}
}

// TestKnownAnswer builds the ciphertext from the documented layout with
// crypto/aes directly and checks that the package produces the same bytes.
func TestKnownAnswer(t *testing.T) {
	c := newTest(t)
	random := [16]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	msg := []byte("<xml><Event>change_external_contact</Event></xml>")

	key, err := base64.StdEncoding.DecodeString(testKey + "=")
	if err != nil || len(key) != 32 {
		t.Fatalf("test key: %v, %d bytes", err, len(key))
	}
	var plain []byte
	plain = append(plain, random[:]...)
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(msg)))
	plain = append(plain, n[:]...)
	plain = append(plain, msg...)
	plain = append(plain, testCorpID...)
	padLen := 32 - len(plain)%32
	for i := 0; i < padLen; i++ {
		plain = append(plain, byte(padLen))
	}
	block, _ := aes.NewCipher(key)
	want := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(want, plain)
	wantB64 := base64.StdEncoding.EncodeToString(want)

	got, err := c.encrypt(random, msg)
	if err != nil {
		t.Fatal(err)
	}
	if got != wantB64 {
		t.Fatalf("ciphertext\n got %s\nwant %s", got, wantB64)
	}
	dec, rid, err := c.Decrypt(wantB64)
	if err != nil || !bytes.Equal(dec, msg) || rid != testCorpID {
		t.Fatalf("Decrypt = %q, %q, %v", dec, rid, err)
	}

	// Signature: sorted concatenation, SHA-1, lower hex.
	sum := sha1.Sum([]byte(sortedConcat(testToken, "1409659813", "1372623149", wantB64)))
	if got := c.Sign("1409659813", "1372623149", wantB64); got != hex.EncodeToString(sum[:]) {
		t.Errorf("Sign = %s, want %x", got, sum)
	}
}

// sortedConcat sorts four strings by insertion, independently of the
// package's sort.
func sortedConcat(s ...string) string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return strings.Join(s, "")
}

func TestSignatureKnownValue(t *testing.T) {
	// printf '%s' 13726231491409659813abctoken | sha1sum
	const want = "6d2602433e87fc73a743681c8b3e307cda391d8c"
	if got := Signature("token", "1409659813", "1372623149", "abc"); got != want {
		t.Errorf("Signature = %s, want %s", got, want)
	}
}

// encryptRaw encrypts an arbitrary plaintext (already padded or not) with
// the test key, to build malformed ciphertexts.
func encryptRaw(t *testing.T, plain []byte) string {
	t.Helper()
	key, _ := base64.StdEncoding.DecodeString(testKey + "=")
	block, _ := aes.NewCipher(key)
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(out, plain)
	return base64.StdEncoding.EncodeToString(out)
}

func layout(msgLen uint32, msg []byte, receiveID string) []byte {
	b := make([]byte, 16, 64)
	b = binary.BigEndian.AppendUint32(b, msgLen)
	b = append(b, msg...)
	return append(b, receiveID...)
}

func padWith(b []byte, n int, fill byte) []byte {
	for i := 0; i < n; i++ {
		b = append(b, fill)
	}
	return b
}

func TestDecryptRejectsTampering(t *testing.T) {
	c := newTest(t)
	good, _ := c.Encrypt([]byte("hello"))
	raw, _ := base64.StdEncoding.DecodeString(good)

	// 16 + 4 + 5 + 18 = 43 bytes; pad 21 to reach 64.
	body := layout(5, []byte("hello"), testCorpID)
	if len(body) != 43 {
		t.Fatalf("layout is %d bytes", len(body))
	}
	zeroPad := padWith(append([]byte{}, body...), 21, 0)
	bigPad := padWith(append(append([]byte{}, body...), make([]byte, 21-1)...), 1, 33) // last byte 33
	mixedPad := append(padWith(append([]byte{}, body...), 20, 21), 20)                 // one byte disagrees
	longLen := padWith(layout(500, []byte("hello"), testCorpID), 21, 21)
	otherRID := layout(5, []byte("hello"), "wwOTHERCORP0000000")
	otherRID = padWith(otherRID, 64-len(otherRID), byte(64-len(otherRID)))
	tiny := padWith(make([]byte, 16), 16, 16) // no length field at all

	tests := []struct {
		name string
		in   string
		want error
	}{
		{"not base64", "%%%not-base64%%%", ErrInvalidBase64},
		{"empty", "", ErrInvalidCiphertext},
		{"truncated block", base64.StdEncoding.EncodeToString(raw[:len(raw)-16]), ErrInvalidCiphertext},
		{"truncated to 16", base64.StdEncoding.EncodeToString(raw[:16]), ErrInvalidCiphertext},
		{"pad zero", encryptRaw(t, zeroPad), ErrInvalidPadding},
		{"pad too big", encryptRaw(t, bigPad), ErrInvalidPadding},
		{"pad inconsistent", encryptRaw(t, mixedPad), ErrInvalidPadding},
		{"length beyond end", encryptRaw(t, longLen), ErrInvalidLength},
		{"no length field", encryptRaw(t, tiny), ErrInvalidLength},
		{"wrong receiveid", encryptRaw(t, otherRID), ErrReceiveIDMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, _, err := c.Decrypt(tt.in)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if msg != nil {
				t.Errorf("message returned with an error: %q", msg)
			}
		})
	}
}

func TestDecryptWithOtherKeyFails(t *testing.T) {
	c := newTest(t)
	other, err := New(testToken, "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut", testCorpID)
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := other.Encrypt([]byte("hello"))
	if _, _, err := c.Decrypt(enc); err == nil {
		t.Fatal("decrypting another key's ciphertext succeeded")
	}
}

func TestVerifyURL(t *testing.T) {
	c := newTest(t)
	echo, _ := c.Encrypt([]byte("8765432112345678"))
	sig := c.Sign("1700000000", "nonce1", echo)
	got, err := c.VerifyURL(sig, "1700000000", "nonce1", echo)
	if err != nil || string(got) != "8765432112345678" {
		t.Fatalf("VerifyURL = %q, %v", got, err)
	}
	if _, err := c.VerifyURL(strings.ToUpper(sig), "1700000000", "nonce1", echo); err != nil {
		t.Errorf("upper-case signature rejected: %v", err)
	}
	bad := []struct{ name, sig, ts, nonce, echo string }{
		{"other timestamp", sig, "1700000001", "nonce1", echo},
		{"other nonce", sig, "1700000000", "nonce2", echo},
		{"empty signature", "", "1700000000", "nonce1", echo},
		{"flipped signature", flip(sig), "1700000000", "nonce1", echo},
	}
	for _, b := range bad {
		if _, err := c.VerifyURL(b.sig, b.ts, b.nonce, b.echo); !errors.Is(err, ErrInvalidSignature) {
			t.Errorf("%s: err = %v, want ErrInvalidSignature", b.name, err)
		}
	}
}

func flip(s string) string {
	b := []byte(s)
	if b[0] == 'a' {
		b[0] = 'b'
	} else {
		b[0] = 'a'
	}
	return string(b)
}

func TestMessageRoundTrip(t *testing.T) {
	c := newTest(t)
	event := []byte("<xml><ToUserName><![CDATA[ww1234567890abcdef]]></ToUserName><Event><![CDATA[change_external_contact]]></Event></xml>")
	body, sig, err := c.SealMessage(event, "1000005", "1700000000", "n0nce")
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		ToUserName, AgentID, Encrypt string
	}
	if err := xml.Unmarshal(body, &env); err != nil {
		t.Fatal(err)
	}
	if env.ToUserName != testCorpID || env.AgentID != "1000005" || env.Encrypt == "" {
		t.Errorf("envelope = %+v", env)
	}
	if !strings.Contains(string(body), "<![CDATA[") {
		t.Errorf("envelope does not use CDATA: %s", body)
	}
	got, err := c.DecryptMessage(sig, "1700000000", "n0nce", body)
	if err != nil || !bytes.Equal(got, event) {
		t.Fatalf("DecryptMessage = %q, %v", got, err)
	}
	if _, err := c.DecryptMessage(sig, "1700000001", "n0nce", body); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("stale signature accepted: %v", err)
	}

	body2, err := c.EncryptMessage(event, "1700000000", "n0nce")
	if err != nil {
		t.Fatal(err)
	}
	env2, _ := ParseEnvelope(body2)
	if got, err := c.DecryptMessage(c.Sign("1700000000", "n0nce", env2.Encrypt), "1700000000", "n0nce", body2); err != nil || !bytes.Equal(got, event) {
		t.Errorf("EncryptMessage round trip = %q, %v", got, err)
	}
}

func TestDecryptMessageRejectsBadEnvelopes(t *testing.T) {
	c := newTest(t)
	for _, body := range []string{"", "not xml", "<xml></xml>", "<xml><Encrypt></Encrypt></xml>", "<xml><Encrypt>"} {
		if _, err := c.DecryptMessage("x", "1", "2", []byte(body)); !errors.Is(err, ErrInvalidEnvelope) {
			t.Errorf("%q: err = %v, want ErrInvalidEnvelope", body, err)
		}
	}
	huge := append([]byte("<xml><Encrypt>"), bytes.Repeat([]byte("A"), MaxEnvelopeSize)...)
	if _, err := c.DecryptMessage("x", "1", "2", huge); !errors.Is(err, ErrMessageTooLarge) {
		t.Errorf("huge body: err = %v", err)
	}
}

func TestReplyRoundTrip(t *testing.T) {
	c := newTest(t)
	body, err := c.EncryptReply([]byte("<xml><Content>hi</Content></xml>"), "1700000000", "abc")
	if err != nil {
		t.Fatal(err)
	}
	for _, el := range []string{"<Encrypt><![CDATA[", "<MsgSignature><![CDATA[", "<TimeStamp>1700000000</TimeStamp>", "<Nonce><![CDATA[abc]]></Nonce>"} {
		if !strings.Contains(string(body), el) {
			t.Errorf("reply lacks %s: %s", el, body)
		}
	}
	got, err := c.DecryptReply(body)
	if err != nil || string(got) != "<xml><Content>hi</Content></xml>" {
		t.Fatalf("DecryptReply = %q, %v", got, err)
	}
	tampered := strings.Replace(string(body), "<TimeStamp>1700000000", "<TimeStamp>1700000001", 1)
	if _, err := c.DecryptReply([]byte(tampered)); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("tampered reply: err = %v", err)
	}
	if _, err := c.EncryptReply([]byte("x"), "soon", "abc"); err == nil {
		t.Error("non-numeric timestamp accepted")
	}
}

func TestEmptyReceiveID(t *testing.T) {
	// Personal-entity third-party apps use an empty receiveid.
	c, err := New(testToken, testKey, "")
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := c.Encrypt([]byte("m"))
	if msg, rid, err := c.Decrypt(enc); err != nil || string(msg) != "m" || rid != "" {
		t.Fatalf("Decrypt = %q, %q, %v", msg, rid, err)
	}
	if _, _, err := newTest(t).Decrypt(enc); !errors.Is(err, ErrReceiveIDMismatch) {
		t.Errorf("corp crypt accepted an empty receiveid: %v", err)
	}
}
