package orderfile

import (
	"strings"

	"siyu.dev/siyu"
)

// phoneClass says what a phone cell of an export holds.
type phoneClass int

const (
	phoneEmpty   phoneClass = iota
	phoneMobile             // a full mainland mobile, normalised to 11 digits
	phoneMasked             // 138****1234: shown, never used to merge
	phoneForeign            // +852 ..., not an identifier here
	phoneInvalid
)

// classifyPhone normalises a phone cell. For phoneMobile and phoneMasked the
// returned value is the normalised number.
func classifyPhone(s string) (string, phoneClass) {
	if s == "" {
		return "", phoneEmpty
	}
	if siyu.IsMaskedPhone(s) {
		return normalizeMasked(s), phoneMasked
	}
	if d, err := siyu.NormalizePhone(s); err == nil {
		return d, phoneMobile
	}
	t := strings.TrimLeft(s, " ")
	if (strings.HasPrefix(t, "+") || strings.HasPrefix(t, "＋") || strings.HasPrefix(t, "00")) &&
		!strings.HasPrefix(strings.TrimLeft(t, "+＋0"), "86") {
		return s, phoneForeign
	}
	return s, phoneInvalid
}

// normalizeMasked keeps the digits and asterisks of a masked phone and drops
// a country code, so that "+86 138****1234" shows as 138****1234.
func normalizeMasked(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', r == '*':
			b.WriteRune(r)
		case r >= '０' && r <= '９':
			b.WriteRune('0' + (r - '０'))
		case r == '＊':
			b.WriteByte('*')
		}
	}
	m := b.String()
	switch {
	case len(m) == 15 && strings.HasPrefix(m, "0086"):
		m = m[4:]
	case len(m) == 13 && strings.HasPrefix(m, "86"):
		m = m[2:]
	}
	return m
}

// isMobileShaped reports whether a normalised masked phone looks like a
// mainland mobile (11 characters starting with 1), not a landline.
func isMobileShaped(m string) bool {
	return len(m) == 11 && m[0] == '1'
}
