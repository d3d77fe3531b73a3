package campaign

import (
	"fmt"
	"strings"

	"siyu.dev/siyu"
)

// Variables are the personalisation variables a message may use, as
// {{name}} or with a fallback for an empty value, {{name|朋友}}.
var Variables = []string{"name", "city", "province"}

// Person is what personalises a message.
type Person struct {
	Name, City, Province string
}

func (p Person) value(v string) string {
	switch v {
	case "name":
		return p.Name
	case "city":
		return p.City
	case "province":
		return p.Province
	}
	return ""
}

// segment is a piece of a parsed template: literal text, or a variable
// with its fallback.
type segment struct {
	text     string
	variable string
	fallback string
}

// parseTemplate splits s into literal text and variables. The error gives
// the byte offset of the problem.
func parseTemplate(s string) ([]segment, error) {
	var out []segment
	for {
		i := strings.Index(s, "{{")
		j := strings.Index(s, "}}")
		if i < 0 {
			if j >= 0 {
				return nil, fmt.Errorf("a }} without {{")
			}
			if s != "" {
				out = append(out, segment{text: s})
			}
			return out, nil
		}
		if j >= 0 && j < i {
			return nil, fmt.Errorf("a }} without {{")
		}
		if i > 0 {
			out = append(out, segment{text: s[:i]})
		}
		end := strings.Index(s[i+2:], "}}")
		if end < 0 {
			return nil, fmt.Errorf("{{ is not closed with }}")
		}
		inner := s[i+2 : i+2+end]
		name, fallback, _ := strings.Cut(inner, "|")
		name = strings.TrimSpace(name)
		if !known(name) {
			return nil, fmt.Errorf("unknown variable {{%s}} (use %s)", name, strings.Join(Variables, ", "))
		}
		if strings.Contains(fallback, "{{") {
			return nil, fmt.Errorf("{{ inside {{%s}}", name)
		}
		out = append(out, segment{variable: name, fallback: fallback})
		s = s[i+2+end+2:]
	}
}

func known(v string) bool {
	for _, k := range Variables {
		if k == v {
			return true
		}
	}
	return false
}

// render fills in a template for one person.
func render(segs []segment, p Person) string {
	var b strings.Builder
	for _, s := range segs {
		if s.variable == "" {
			b.WriteString(s.text)
			continue
		}
		v := p.value(s.variable)
		if v == "" {
			v = s.fallback
		}
		b.WriteString(v)
	}
	return b.String()
}

// template is a message with its personalised fields parsed once.
type template struct {
	msg               siyu.Message
	text, title, desc []segment
	personal          bool
}

// compile parses the personalised fields of a message (text, and a link's
// title and description); errors name the field.
func compile(m siyu.Message, field string) (*template, error) {
	t := &template{msg: m}
	var err error
	parse := func(name, s string) []segment {
		if err != nil {
			return nil
		}
		segs, e := parseTemplate(s)
		if e != nil {
			err = fmt.Errorf("%w: %s.%s: %v", siyu.ErrInvalid, field, name, e)
		}
		for _, sg := range segs {
			if sg.variable != "" {
				t.personal = true
			}
		}
		return segs
	}
	t.text = parse("text", m.Text)
	if m.Link != nil {
		t.title = parse("link.title", m.Link.Title)
		t.desc = parse("link.desc", m.Link.Desc)
	}
	return t, err
}

// For returns the message for one person.
func (t *template) For(p Person) siyu.Message {
	if !t.personal {
		return t.msg
	}
	m := t.msg
	m.Text = render(t.text, p)
	if m.Link != nil {
		l := *m.Link
		l.Title, l.Desc = render(t.title, p), render(t.desc, p)
		m.Link = &l
	}
	return m
}

// Render personalises a message for one person; an unknown variable is an
// error naming it.
func Render(m siyu.Message, p Person) (siyu.Message, error) {
	t, err := compile(m, "message")
	if err != nil {
		return m, err
	}
	return t.For(p), nil
}
