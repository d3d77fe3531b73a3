package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"

	"siyu.dev/siyu"
)

// piiCodec protects phone numbers and emails at rest: the lookup key is an
// HMAC of the value (so equal values still find each other), the value itself
// is kept only AES-GCM encrypted (for a person's data export), and screens
// get the masked form.
type piiCodec struct {
	macKey []byte
	aead   cipher.AEAD
}

func newPIICodec(key []byte) (*piiCodec, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("store: secret key must be 32 bytes, got %d", len(key))
	}
	// Derive separate keys for hashing and encryption.
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("siyu/pii/lookup"))
	macKey := mac.Sum(nil)
	mac = hmac.New(sha256.New, key)
	mac.Write([]byte("siyu/pii/encrypt"))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &piiCodec{macKey: macKey, aead: aead}, nil
}

// key is what an identifier is stored and looked up by.
func (c *piiCodec) key(id siyu.Identifier) string {
	if !id.Kind.IsPII() {
		return id.Value
	}
	mac := hmac.New(sha256.New, c.macKey)
	mac.Write([]byte(id.Kind))
	mac.Write([]byte{0})
	mac.Write([]byte(id.Value))
	return "h:" + hex.EncodeToString(mac.Sum(nil)[:20])
}

// seal encrypts a PII identifier's value (other kinds need no secret copy,
// unless always is set).
func (c *piiCodec) seal(id siyu.Identifier, always bool) string {
	if !id.Kind.IsPII() && !always {
		return ""
	}
	nonce := make([]byte, c.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(c.aead.Seal(nonce, nonce, []byte(id.Value), []byte(id.Kind)))
}

func (c *piiCodec) open(kind siyu.IdentityKind, sealed string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < c.aead.NonceSize() {
		return "", errors.New("store: corrupt sealed value")
	}
	n := c.aead.NonceSize()
	plain, err := c.aead.Open(nil, raw[:n], raw[n:], []byte(kind))
	if err != nil {
		return "", errors.New("store: sealed value does not open with this key")
	}
	return string(plain), nil
}

// sealSecret encrypts an app secret for storage; purpose binds it to its
// column.
func (c *piiCodec) sealSecret(purpose, plain string) string {
	return c.seal(siyu.Identifier{Kind: siyu.IdentityKind(purpose), Value: plain}, true)
}

func (c *piiCodec) openSecret(purpose, sealed string) (string, error) {
	return c.open(siyu.IdentityKind(purpose), sealed)
}
