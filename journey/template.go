package journey

import (
	"fmt"
	"slices"
	"strings"

	"siyu.dev/siyu"
)

// Variables are what a journey's texts may use, as {{name}} or, with a
// fallback for an empty value, {{name|朋友}}:
//
//   - name, city, province: the person's;
//   - order_id: the external id of the order that triggered the walk;
//   - code_url: the QR of the channel code a channel_code step made;
//   - group_qr: the join QR of a group step's group.
var Variables = []string{"name", "city", "province", "order_id", "code_url", "group_qr"}

// Vars are the values of the variables for one person and walk.
type Vars map[string]string

type piece struct {
	text, variable, fallback string
}

// parseTemplate splits s into literal text and variables; an unknown
// variable or an unclosed {{ is an error that says which.
func parseTemplate(s string) ([]piece, error) {
	var out []piece
	for s != "" {
		i := strings.Index(s, "{{")
		if i < 0 {
			out = append(out, piece{text: s})
			break
		}
		if i > 0 {
			out = append(out, piece{text: s[:i]})
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return nil, fmt.Errorf("unclosed {{ at %q", clip(s[i:], 20))
		}
		body := s[i+2 : i+j]
		name, fallback, _ := strings.Cut(body, "|")
		name = strings.TrimSpace(name)
		if !slices.Contains(Variables, name) {
			return nil, fmt.Errorf("unknown variable {{%s}}; use %s", name, strings.Join(Variables, ", "))
		}
		out = append(out, piece{variable: name, fallback: fallback})
		s = s[i+j+2:]
	}
	return out, nil
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// RenderText fills the variables of one text.
func RenderText(s string, v Vars) (string, error) {
	ps, err := parseTemplate(s)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, p := range ps {
		if p.variable == "" {
			b.WriteString(p.text)
			continue
		}
		val := v[p.variable]
		if val == "" {
			val = p.fallback
		}
		b.WriteString(val)
	}
	return b.String(), nil
}

// Render personalises a message: its text and a link's title, description
// and URL.
func Render(m siyu.Message, v Vars) (siyu.Message, error) {
	out := m
	var err error
	if out.Text, err = RenderText(m.Text, v); err != nil {
		return m, err
	}
	if m.Link != nil {
		l := *m.Link
		for _, f := range []*string{&l.Title, &l.Desc, &l.URL} {
			if *f, err = RenderText(*f, v); err != nil {
				return m, err
			}
		}
		out.Link = &l
	}
	return out, nil
}
