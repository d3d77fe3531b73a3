package auth

import (
	"strings"
	"testing"
)

func TestPasswords(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h, "correct horse") || !strings.HasPrefix(h, "$2") {
		t.Fatalf("hash %q is not a bcrypt hash of the password", h)
	}
	if !CheckPassword(h, "correct horse") || CheckPassword(h, "correct horsE") || CheckPassword(h, "") {
		t.Fatal("CheckPassword accepts the wrong password or refuses the right one")
	}
	if _, err := HashPassword("short"); err == nil {
		t.Fatal("a 5-character password was accepted")
	}
	if _, err := HashPassword(strings.Repeat("x", 73)); err == nil {
		t.Fatal("a password bcrypt would truncate was accepted")
	}
}

func TestTokens(t *testing.T) {
	a, b := NewToken("siyu_"), NewToken("siyu_")
	if a == b || !strings.HasPrefix(a, "siyu_") || len(a) < 40 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if HashToken(a) != HashToken(a) || HashToken(a) == HashToken(b) || strings.Contains(HashToken(a), a[5:]) {
		t.Fatal("HashToken must be deterministic, distinct and not contain the secret")
	}
	if p := TokenPrefix(a); p != a[:11] {
		t.Fatalf("prefix %q", p)
	}
	if !Equal(a, a) || Equal(a, b) {
		t.Fatal("Equal")
	}
}
