// Package wxcrypt implements the WeCom (企业微信) callback encryption:
// AES-256-CBC over random(16) ‖ len(4, big-endian) ‖ msg ‖ receiveid, with
// PKCS#7 padding to 32 bytes and IV = key[:16], and the SHA-1 msg_signature
// over the sorted token, timestamp, nonce and ciphertext.
//
// The same Crypt serves both sides: a receiver verifies and decrypts what
// WeCom posts, and an emulator encrypts and signs what it pushes.
package wxcrypt

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// EncodingAESKeyLen is the length of an EncodingAESKey.
const EncodingAESKeyLen = 43

// blockSize is the PKCS#7 block the WeCom scheme pads to. It is twice the
// AES block size: the scheme pads to the key length.
const blockSize = 32

// Errors returned by the crypto. Callers can test with errors.Is; none of
// them carries secret material.
var (
	ErrInvalidKey        = errors.New("wxcrypt: EncodingAESKey must be 43 base64 characters that decode to 32 bytes")
	ErrEmptyToken        = errors.New("wxcrypt: token is empty")
	ErrInvalidSignature  = errors.New("wxcrypt: msg_signature does not match")
	ErrInvalidBase64     = errors.New("wxcrypt: ciphertext is not valid base64")
	ErrInvalidCiphertext = errors.New("wxcrypt: ciphertext length is not a positive multiple of 32 bytes")
	ErrInvalidPadding    = errors.New("wxcrypt: invalid PKCS#7 padding")
	ErrInvalidLength     = errors.New("wxcrypt: plaintext is truncated or its message length is wrong")
	ErrReceiveIDMismatch = errors.New("wxcrypt: receiveid does not match")
	ErrInvalidEnvelope   = errors.New("wxcrypt: message envelope is not valid XML with an Encrypt element")
	ErrMessageTooLarge   = errors.New("wxcrypt: message too large")
)

// Crypt encrypts, decrypts and signs callback messages for one app.
type Crypt struct {
	token     string
	receiveID string
	key       []byte
	block     cipher.Block
}

// New returns a Crypt for the callback Token, the 43-character
// EncodingAESKey and the receiveid (the corpid for a corp's own app, the
// suiteid for a third-party suite).
func New(token, encodingAESKey, receiveID string) (*Crypt, error) {
	if token == "" {
		return nil, ErrEmptyToken
	}
	key, err := DecodeAESKey(encodingAESKey)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return &Crypt{token: token, receiveID: receiveID, key: key, block: block}, nil
}

// DecodeAESKey turns an EncodingAESKey into the 32-byte AES key.
func DecodeAESKey(encodingAESKey string) ([]byte, error) {
	if len(encodingAESKey) != EncodingAESKeyLen {
		return nil, ErrInvalidKey
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, ErrInvalidKey
	}
	return key, nil
}

// ReceiveID is the receiveid this Crypt writes and expects.
func (c *Crypt) ReceiveID() string { return c.receiveID }

// Sign computes msg_signature: the lower-case hex SHA-1 of token, timestamp,
// nonce and the base64 ciphertext, sorted and concatenated.
func (c *Crypt) Sign(timestamp, nonce, encrypt string) string {
	return Signature(c.token, timestamp, nonce, encrypt)
}

// Signature is Sign without a Crypt.
func Signature(token, timestamp, nonce, encrypt string) string {
	parts := []string{token, timestamp, nonce, encrypt}
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// verify checks msgSignature in constant time.
func (c *Crypt) verify(msgSignature, timestamp, nonce, encrypt string) error {
	want := c.Sign(timestamp, nonce, encrypt)
	got := strings.ToLower(msgSignature)
	if subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
		return ErrInvalidSignature
	}
	return nil
}

// Encrypt encrypts msg for this Crypt's receiveid and returns the base64
// ciphertext.
func (c *Crypt) Encrypt(msg []byte) (string, error) {
	var random [16]byte
	if _, err := rand.Read(random[:]); err != nil {
		return "", fmt.Errorf("wxcrypt: random: %w", err)
	}
	return c.encrypt(random, msg)
}

func (c *Crypt) encrypt(random [16]byte, msg []byte) (string, error) {
	if uint64(len(msg)) > 1<<31 {
		return "", ErrMessageTooLarge
	}
	plain := make([]byte, 0, 20+len(msg)+len(c.receiveID)+blockSize)
	plain = append(plain, random[:]...)
	plain = binary.BigEndian.AppendUint32(plain, uint32(len(msg)))
	plain = append(plain, msg...)
	plain = append(plain, c.receiveID...)
	plain = pad(plain)

	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(out, plain)
	return base64.StdEncoding.EncodeToString(out), nil
}

// Decrypt decrypts a base64 ciphertext and returns the message and the
// receiveid found in it. A receiveid other than the configured one gives
// ErrReceiveIDMismatch (with the receiveid found, and no message).
func (c *Crypt) Decrypt(b64 string) (msg []byte, receiveID string, err error) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, "", ErrInvalidBase64
	}
	if len(raw) == 0 || len(raw)%blockSize != 0 {
		return nil, "", ErrInvalidCiphertext
	}
	plain := make([]byte, len(raw))
	cipher.NewCBCDecrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(plain, raw)
	plain, err = unpad(plain)
	if err != nil {
		return nil, "", err
	}
	if len(plain) < 20 {
		return nil, "", ErrInvalidLength
	}
	n := binary.BigEndian.Uint32(plain[16:20])
	if uint64(n) > uint64(len(plain)-20) {
		return nil, "", ErrInvalidLength
	}
	msg = plain[20 : 20+n]
	receiveID = string(plain[20+n:])
	if receiveID != c.receiveID {
		return nil, receiveID, ErrReceiveIDMismatch
	}
	return msg, receiveID, nil
}

func pad(b []byte) []byte {
	n := blockSize - len(b)%blockSize
	return append(b, bytes.Repeat([]byte{byte(n)}, n)...)
}

func unpad(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, ErrInvalidPadding
	}
	n := int(b[len(b)-1])
	if n == 0 || n > blockSize || n > len(b) {
		return nil, ErrInvalidPadding
	}
	for _, x := range b[len(b)-n:] {
		if int(x) != n {
			return nil, ErrInvalidPadding
		}
	}
	return b[:len(b)-n], nil
}

// VerifyURL handles the GET that WeCom sends when the callback URL is saved:
// it checks the signature over echostr and returns the decrypted echostr,
// which the handler must write back raw. The arguments are the URL-decoded
// query parameters.
func (c *Crypt) VerifyURL(msgSignature, timestamp, nonce, echostr string) ([]byte, error) {
	if err := c.verify(msgSignature, timestamp, nonce, echostr); err != nil {
		return nil, err
	}
	msg, _, err := c.Decrypt(echostr)
	return msg, err
}
