// Package keyword finds keywords in short user text: WeChat messages,
// moment comments, Douyin comments. Text and keywords go through the same
// normalisation (NFKC, lower case, no spaces, punctuation, symbols or
// invisible characters), so 「退 订！」, "ＴＤ" and "Ｕnsubscribe" match 退订,
// td and unsubscribe, and a Matcher finds every rule's keywords in one pass
// over the text (Aho-Corasick), however many rules there are.
package keyword

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize returns the form of s that matching works on: NFKC (full-width
// letters and digits become half-width, compatibility forms their plain
// letters), lower case, and without spaces, punctuation, symbols (emoji
// included), control and format characters (zero-width joiners, variation
// selectors). One exception keeps Latin words apart: where dropped
// characters stood between two ASCII letters or digits, a single space
// remains ("opt-out" → "opt out", "i want to unsubscribe"), so that "td"
// is not found inside "std". Normalize is idempotent.
func Normalize(s string) string {
	stable := isStable(s)
	if !stable {
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "")
		}
		s = norm.NFKC.String(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	gap := false // characters were dropped since the last one kept
	var last rune
	// Dropping a character can bring a combining mark next to a letter it
	// composes with, and lowering a few letters gives text NFKC changes:
	// such output takes another round, which makes it a fixed point.
	recheck := false
	for _, r := range s {
		if isHan(r) {
			b.WriteRune(r)
			last, gap = r, false
			continue
		}
		if drop(r) {
			gap, recheck = true, recheck || !stable
			continue
		}
		if l := unicode.ToLower(r); l != r {
			recheck = recheck || !stable
			r = l
		}
		if gap && isWordByte(last) && isWordByte(r) {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
		last, gap = r, false
	}
	out := b.String()
	if recheck && !norm.NFKC.IsNormalString(out) {
		return Normalize(out)
	}
	return out
}

// isWordByte reports ASCII letters and digits (already lower case).
func isWordByte[T rune | byte](c T) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z'
}

// drop reports whether r carries no meaning for matching.
func drop(r rune) bool {
	if r < utf8.RuneSelf {
		return !isWordByte(r)
	}
	switch {
	case r == utf8.RuneError:
		return true
	case unicode.IsSpace(r), unicode.IsPunct(r), unicode.IsSymbol(r), unicode.IsControl(r):
		return true
	case unicode.Is(unicode.Cf, r): // zero-width space and joiners, BOM, bidi marks
		return true
	case unicode.Is(unicode.Variation_Selector, r), unicode.Is(unicode.Co, r):
		return true
	case unicode.Is(unicode.Me, r): // enclosing marks: the keycap of 1️⃣
		return true
	}
	return false
}

// isHan reports the CJK Unified Ideographs (and Extension A): most of
// Chinese text, kept as they are and unchanged by NFKC.
func isHan(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF
}

// isStable reports text that NFKC leaves alone for sure: ASCII and common
// Han characters only. Everything else takes the full normalisation.
func isStable(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isHan(r) {
			return false
		}
		i += n
	}
	return true
}
