package fission

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"unicode/utf8"
)

// PosterInput is what a participant's poster shows.
type PosterInput struct {
	Activity string // the activity's name
	Reward   string
	Goal     int
	Inviter  string // the participant's name, "" to leave out
	QRCode   string // the URL of the channel code's QR image
	Code     string // the invite code, printed small for support
	// Lang "en" writes the fixed words in English; anything else Chinese.
	Lang string
}

const (
	posterW      = 750
	posterH      = 1200
	posterQR     = 360
	posterLine   = 16 // characters per line of the big text
	posterMaxLns = 3
)

// Poster renders a participant's poster as SVG: the activity, the reward,
// the rule, and the QR image of their personal channel code (by URL: a
// WeCom QR is an image WeCom serves). Everything the customer or an
// operator typed is escaped.
func Poster(in PosterInput) []byte {
	words := posterWords[in.Lang]
	if words == nil {
		words = posterWords["zh-CN"]
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="%d" height="%d" viewBox="0 0 %d %d" font-family="PingFang SC, Hiragino Sans GB, Microsoft YaHei, Noto Sans CJK SC, sans-serif">`,
		posterW, posterH, posterW, posterH)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#0f8a5f"/>`, posterW, posterH)
	fmt.Fprintf(&b, `<rect x="40" y="40" width="%d" height="%d" rx="28" fill="#ffffff"/>`, posterW-80, posterH-80)
	y := 150
	for _, line := range wrap(in.Activity, posterLine, posterMaxLns) {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="44" font-weight="700" fill="#1c2521" text-anchor="middle">%s</text>`, posterW/2, y, esc(line))
		y += 60
	}
	y += 10
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="30" fill="#0f8a5f" text-anchor="middle">%s</text>`, posterW/2, y, esc(fmt.Sprintf(words.rule, in.Goal)))
	y += 50
	for _, line := range wrap(in.Reward, posterLine+4, posterMaxLns) {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="34" font-weight="700" fill="#c2410c" text-anchor="middle">%s</text>`, posterW/2, y, esc(line))
		y += 48
	}
	qrY := max(y+20, 520)
	qrX := (posterW - posterQR) / 2
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" rx="12" fill="#f4f7f5" stroke="#e3e8e5"/>`, qrX-16, qrY-16, posterQR+32, posterQR+32)
	if in.QRCode != "" {
		fmt.Fprintf(&b, `<image x="%d" y="%d" width="%d" height="%d" href="%s" xlink:href="%s"/>`, qrX, qrY, posterQR, posterQR, esc(in.QRCode), esc(in.QRCode))
	}
	y = qrY + posterQR + 70
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="28" fill="#1c2521" text-anchor="middle">%s</text>`, posterW/2, y, esc(words.scan))
	if in.Inviter != "" {
		y += 46
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="24" fill="#6b7772" text-anchor="middle">%s</text>`, posterW/2, y, esc(fmt.Sprintf(words.from, clip(in.Inviter, 20))))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="18" fill="#9aa5a0" text-anchor="middle">%s</text>`, posterW/2, posterH-70, esc(in.Code))
	b.WriteString(`</svg>`)
	return b.Bytes()
}

var posterWords = map[string]*struct{ rule, scan, from string }{
	"zh-CN": {rule: "邀请 %d 位好友扫码添加，即可领取", scan: "长按识别二维码，添加后即可参与", from: "来自 %s 的邀请"},
	"en":    {rule: "Invite %d friends to scan and add us to get", scan: "Scan the code and add us to join", from: "Invited by %s"},
}

// wrap cuts s into lines of at most n characters, at most lines of them
// (the last one ends in … when text is left over).
func wrap(s string, n, lines int) []string {
	s = strings.Join(strings.Fields(s), " ")
	var out []string
	for s != "" && len(out) < lines {
		r := []rune(s)
		if len(r) <= n {
			out = append(out, s)
			break
		}
		if len(out) == lines-1 {
			out = append(out, string(r[:n-1])+"…")
			break
		}
		out = append(out, string(r[:n]))
		s = strings.TrimSpace(string(r[n:]))
	}
	return out
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
