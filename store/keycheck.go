package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
)

// ErrWrongKey is returned by Open when the secret key is not the one the
// database was created with: phone numbers would be looked up by other
// hashes (every known buyer would come back as a new customer) and the
// sealed secrets would not open.
var ErrWrongKey = errors.New("store: the secret key is not the one this database was created with (see docs/OPERATIONS.md, \"The secret key\")")

// keyFingerprint identifies the key without revealing it.
func (c *piiCodec) keyFingerprint() string {
	mac := hmac.New(sha256.New, c.macKey)
	mac.Write([]byte("siyu/key-check"))
	return hex.EncodeToString(mac.Sum(nil)[:16])
}

// checkKey records the key's fingerprint on the first start and compares
// it on every later one.
func (s *Store) checkKey(ctx context.Context) error {
	want := s.pii.keyFingerprint()
	if _, err := s.wdb.ExecContext(ctx, s.dialect.rebind(`INSERT INTO store_meta (name, value) VALUES ('key_fingerprint', ?)
		ON CONFLICT (name) DO NOTHING`), want); err != nil {
		return err
	}
	var got string
	if err := s.wdb.QueryRowContext(ctx, `SELECT value FROM store_meta WHERE name = 'key_fingerprint'`).Scan(&got); err != nil {
		return err
	}
	if !hmac.Equal([]byte(got), []byte(want)) {
		return ErrWrongKey
	}
	return nil
}
