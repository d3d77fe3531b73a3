package douyin

import (
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"strings"
)

// Sign is the X-Douyin-Signature of a webhook body: the hex SHA-1 of the
// app's client_secret followed by the raw body.
func Sign(clientSecret string, body []byte) string {
	h := sha1.New()
	h.Write([]byte(clientSecret))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// VerifySignature reports whether sig is the signature of body, in
// constant time. Hex case is ignored; an empty secret never verifies.
func VerifySignature(clientSecret string, body []byte, sig string) bool {
	if clientSecret == "" {
		return false
	}
	got, err := hex.DecodeString(strings.TrimSpace(sig))
	if err != nil || len(got) != sha1.Size {
		return false
	}
	h := sha1.New()
	h.Write([]byte(clientSecret))
	h.Write(body)
	return subtle.ConstantTimeCompare(got, h.Sum(nil)) == 1
}
