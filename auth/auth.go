// Package auth holds the secrets of login: password hashing, random tokens
// and their at-rest hashes. Only hashes are ever stored.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 8

// HashPassword hashes a password with bcrypt.
func HashPassword(pw string) (string, error) {
	if len(pw) < MinPasswordLen {
		return "", errors.New("password too short: at least 8 characters")
	}
	if len(pw) > 72 {
		return "", errors.New("password too long: at most 72 bytes")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	return string(h), err
}

// CheckPassword reports whether pw matches hash, in constant time.
func CheckPassword(hash, pw string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// NewToken returns a random URL-safe secret with the given prefix, e.g.
// "siyu_" for API tokens. 32 random bytes.
func NewToken(prefix string) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("auth: no randomness: " + err.Error())
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is the at-rest form of a session id or API token. Tokens carry
// 256 bits of randomness, so a plain SHA-256 is enough (no salt needed).
func HashToken(tok string) string {
	s := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(s[:])
}

// TokenPrefix is the visible part of a token used to tell tokens apart.
func TokenPrefix(tok string) string {
	if i := strings.IndexByte(tok, '_'); i >= 0 && len(tok) >= i+7 {
		return tok[:i+7]
	}
	if len(tok) > 8 {
		return tok[:8]
	}
	return tok
}

// Equal compares two secrets in constant time.
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
