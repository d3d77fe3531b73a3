package campaign

import (
	"errors"
	"strings"
	"testing"

	"siyu.dev/siyu"
)

func TestRender(t *testing.T) {
	p := Person{Name: "王芳", City: "杭州"}
	cases := []struct {
		in, want, err string
	}{
		{in: "你好", want: "你好"},
		{in: "{{name}}，{{city}}的新品到了", want: "王芳，杭州的新品到了"},
		{in: "{{ name }}!", want: "王芳!"},
		{in: "{{province|您所在的省}}包邮", want: "您所在的省包邮"},
		{in: "{{name|朋友}}", want: "王芳"},
		{in: "{{nmae}}", err: "unknown variable {{nmae}}"},
		{in: "hi {{name", err: "not closed"},
		{in: "hi }} there", err: "without {{"},
		{in: "{{name|{{city}}}}", err: "inside"},
	}
	for _, c := range cases {
		m, err := Render(siyu.Message{Text: c.in}, p)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "message.text") || !errors.Is(err, siyu.ErrInvalid) {
				t.Errorf("%q: error %v, want one naming message.text and %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || m.Text != c.want {
			t.Errorf("%q: got %q, %v; want %q", c.in, m.Text, err, c.want)
		}
	}
	// A link's title and description are personalised too; the original
	// message is not changed.
	orig := siyu.Message{Link: &siyu.LinkContent{Title: "{{name}}专属", URL: "https://x.cn/a?b={{c}}"}}
	m, err := Render(orig, p)
	if err != nil || m.Link.Title != "王芳专属" || orig.Link.Title != "{{name}}专属" || m.Link.URL != orig.Link.URL {
		t.Fatalf("link: %+v %v", m.Link, err)
	}
}

func FuzzParseTemplate(f *testing.F) {
	for _, s := range []string{"", "a", "{{name}}", "{{name|x}}y{{city}}", "{{", "}}", "{{{{name}}}}", "{{name|}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		segs, err := parseTemplate(s)
		if err != nil {
			return
		}
		// Without variables' values, rendering gives back the literal
		// text with each variable replaced by its fallback.
		out := render(segs, Person{})
		if !strings.Contains(s, "{{") && out != s {
			t.Fatalf("plain text %q rendered as %q", s, out)
		}
		for _, sg := range segs {
			if sg.variable != "" && !known(sg.variable) {
				t.Fatalf("accepted unknown variable %q", sg.variable)
			}
		}
	})
}
