package server

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// LoadKey reads the 32-byte secret key that protects phone numbers at rest:
// from env (hex or base64) if set, else from path, creating the file with a
// new random key when create is true and it does not exist. The key must
// live outside the database: a database dump alone reveals no phone.
func LoadKey(env, path string, create bool) ([]byte, bool, error) {
	if env != "" {
		k, err := decodeKey(env)
		return k, false, err
	}
	if path == "" {
		return nil, false, errors.New("no secret key: set SIYU_SECRET_KEY or --secret-file")
	}
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := decodeKey(strings.TrimSpace(string(b)))
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", path, err)
		}
		return k, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) || !create {
		return nil, false, err
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, false, err
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(k)+"\n"), 0o600); err != nil {
		return nil, false, err
	}
	return k, true, nil
}

func decodeKey(s string) ([]byte, error) {
	if k, err := hex.DecodeString(s); err == nil && len(k) == 32 {
		return k, nil
	}
	if k, err := base64.StdEncoding.DecodeString(s); err == nil && len(k) == 32 {
		return k, nil
	}
	return nil, errors.New("secret key must be 32 bytes, hex or base64 encoded")
}
