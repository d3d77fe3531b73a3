package siyu

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrMaskedPhone is returned for phone numbers with masked digits such as
// 138****1234: they are not identifiers and must never merge anyone.
var ErrMaskedPhone = errors.New("masked phone number")

// NormalizePhone turns a mainland China mobile number in any common spelling
// (+86 138 0013 8000, 0086-13800138000, 86 13800138000, full-width digits)
// into its 11 digits. Masked numbers give ErrMaskedPhone.
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("empty phone number")
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '０' && r <= '９':
			b.WriteRune('0' + (r - '０'))
		case r == '*' || r == '＊' || r == 'x' || r == 'X':
			return "", ErrMaskedPhone
		case r == '+' || r == '＋' || r == '-' || r == '－' || r == '(' || r == ')' || r == '（' || r == '）' || r == '.' || unicode.IsSpace(r):
			// separators
		default:
			return "", fmt.Errorf("invalid phone number %q", s)
		}
	}
	d := b.String()
	switch {
	case len(d) == 15 && strings.HasPrefix(d, "0086"):
		d = d[4:]
	case len(d) == 13 && strings.HasPrefix(d, "86"):
		d = d[2:]
	}
	if len(d) != 11 || d[0] != '1' || d[1] < '3' || d[1] > '9' {
		return "", fmt.Errorf("invalid phone number %q: want an 11-digit mainland mobile", s)
	}
	return d, nil
}

// IsMaskedPhone reports whether s looks like a masked phone (138****1234).
func IsMaskedPhone(s string) bool {
	return strings.ContainsAny(s, "*＊")
}

// MaskPhone shows the first three and last four digits: 138****8000.
func MaskPhone(d string) string {
	if len(d) < 7 {
		return strings.Repeat("*", len(d))
	}
	return d[:3] + strings.Repeat("*", len(d)-7) + d[len(d)-4:]
}

// MaskEmail keeps the first letter of the local part and the domain.
func MaskEmail(e string) string {
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" {
		return "***"
	}
	return local[:1] + "***@" + domain
}

// Normalize returns the canonical value of an identifier, or an error naming
// what is wrong with it.
func NormalizeIdentifier(id Identifier) (Identifier, error) {
	if !id.Kind.Valid() {
		return id, fmt.Errorf("unknown identifier kind %q", id.Kind)
	}
	v := strings.TrimSpace(id.Value)
	if v == "" {
		return id, fmt.Errorf("empty %s", id.Kind)
	}
	if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
		return id, fmt.Errorf("%s is not valid text", id.Kind)
	}
	switch id.Kind {
	case KindPhone:
		d, err := NormalizePhone(v)
		if err != nil {
			return id, err
		}
		v = d
	case KindEmail:
		v = strings.ToLower(v)
		at := strings.IndexByte(v, '@')
		if at <= 0 || at == len(v)-1 || strings.ContainsAny(v, " \t,;<>") || strings.Count(v, "@") != 1 {
			return id, fmt.Errorf("invalid email %q", id.Value)
		}
	case KindOpenID:
		app, oid, ok := strings.Cut(v, ":")
		if !ok || app == "" || oid == "" {
			return id, fmt.Errorf("invalid openid %q: want appid:openid (an openid is only unique within its app)", id.Value)
		}
	}
	if len(v) > 256 {
		return id, fmt.Errorf("%s too long (%d bytes, max 256)", id.Kind, len(v))
	}
	return Identifier{Kind: id.Kind, Value: v}, nil
}

// Display is how an identifier is shown on screen: PII is masked.
func DisplayIdentifier(id Identifier) string {
	switch id.Kind {
	case KindPhone:
		return MaskPhone(id.Value)
	case KindEmail:
		return MaskEmail(id.Value)
	}
	return id.Value
}
