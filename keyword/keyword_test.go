package keyword

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"退订", "退订"},
		{"退 订！", "退订"},
		{"「退订」。", "退订"},
		{"ＴＤ", "td"},
		{"Ｔ Ｄ", "t d"},
		{"回T退订", "回t退订"},
		{"TD", "td"},
		{"Unsubscribe!!", "unsubscribe"},
		{"opt-out", "opt out"},
		{"I   want to   UNSUBSCRIBE.", "i want to unsubscribe"},
		{"护肤 cream", "护肤cream"},
		{"面\u200b霜", "面霜"},               // zero-width space
		{"好看❤️❤️", "好看"},                 // emoji and its variation selector
		{"1️⃣号", "1号"},                   // keycap: digit, VS16, enclosing keycap
		{"👍🏻赞", "赞"},                     // skin tone modifier
		{"ｍｉｎｉ　ｐｒｏｇｒａｍ", "mini program"}, // ideographic space
		{"①②", "12"},                     // circled digits are compatibility forms
		{"", ""},
		{"...", ""},
		{"\xff退订", "退订"}, // invalid UTF-8 is dropped
	} {
		if got := Normalize(c.in); got != c.want {
			t.Errorf("Normalize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func optOutRules() []Rule {
	return []Rule{
		{ID: "optout", Keywords: []string{"退订", "TD", "unsubscribe", "取消订阅", "别再发了"}, Excludes: []string{"怎么退订", "不退订"}},
		{ID: "skincare", Keywords: []string{"护肤", "面霜", "精华"}},
		{ID: "cream", Keywords: []string{"面霜"}},
		{ID: "silk", Keywords: []string{"真丝", "桑蚕丝"}, Excludes: []string{"仿真丝"}},
	}
}

func TestMatch(t *testing.T) {
	m, err := Compile(optOutRules())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		text string
		want []string
	}{
		{"退订", []string{"optout"}},
		{"TD", []string{"optout"}},
		{"ｔｄ", []string{"optout"}},
		{"回TD退订", []string{"optout"}},
		{"std", nil},
		{"TDK", nil},
		{"td!", []string{"optout"}},
		{"please UNSUBSCRIBE me", []string{"optout"}},
		{"unsubscribed", nil},
		{"别再发了！！", []string{"optout"}},
		{"别 再 发 了", []string{"optout"}},
		{"请问怎么退订", nil},   // excluded
		{"我不退订，继续发", nil}, // excluded
		{"这款面霜好用吗", []string{"skincare", "cream"}},
		{"真丝衬衫", []string{"silk"}},
		{"仿真丝的吗", nil},
		{"仿真丝和真丝有什么区别", nil}, // an exclude wins over a keyword
		{"天气不错", nil},
		{"", nil},
		{"护肤精华面霜护肤", []string{"skincare", "cream"}},
	} {
		got := m.MatchIDs(c.text)
		if !slices.Equal(got, c.want) {
			t.Errorf("%q: got %v, want %v", c.text, got, c.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, rules := range [][]Rule{
		{{ID: "empty"}},
		{{ID: "punct", Keywords: []string{"！！"}}},
		{{ID: "ok", Keywords: []string{"a"}}, {ID: "badexclude", Keywords: []string{"b"}, Excludes: []string{" "}}},
	} {
		_, err := Compile(rules)
		if err == nil || !strings.Contains(err.Error(), rules[len(rules)-1].ID) {
			t.Errorf("%+v: error %v should name the rule", rules, err)
		}
	}
}

// Patterns that are suffixes and prefixes of one another exercise the
// failure and dictionary links.
func TestOverlappingPatterns(t *testing.T) {
	rules := []Rule{{ID: "he", Keywords: []string{"he"}}, {ID: "she", Keywords: []string{"she"}}, {ID: "his", Keywords: []string{"his"}}, {ID: "hers", Keywords: []string{"hers"}},
		{ID: "a", Keywords: []string{"霜"}}, {ID: "b", Keywords: []string{"面霜"}}, {ID: "c", Keywords: []string{"好面霜"}}}
	m, err := Compile(rules)
	if err != nil {
		t.Fatal(err)
	}
	// "ushers" as one word: he, she and hers are inside a longer word, so
	// the whole-word rule rejects them; with Chinese on both sides they
	// stand alone.
	if got := m.MatchIDs("ushers"); got != nil {
		t.Errorf("ushers: %v", got)
	}
	if got := m.MatchIDs("好面霜"); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("好面霜: %v", got)
	}
	if got := m.MatchIDs("面霜"); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("面霜: %v", got)
	}
}

// reference is the obvious implementation Match must agree with.
func reference(rules []Rule, text string) []int {
	var out []int
	for i, r := range rules {
		if Contains(text, r.Keywords...) && !Contains(text, r.Excludes...) {
			out = append(out, i)
		}
	}
	return out
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"退 订！", "ＴＤ", "opt-out", "1️⃣", "İstanbul", "ǅ", "\xff\xfe", "ﬁ", "Ⅻ", "㍿"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q: not UTF-8", s, n)
		}
		if again := Normalize(n); again != n {
			t.Fatalf("not idempotent: %q → %q → %q", s, n, again)
		}
		if strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") || strings.Contains(n, "  ") {
			t.Fatalf("Normalize(%q) = %q: stray spaces", s, n)
		}
	})
}

func FuzzMatch(f *testing.F) {
	f.Add("回TD退订", "td", "退订", "怎么退订")
	f.Add("ushers", "he", "she", "hers")
	f.Add("这款面霜好用吗", "面霜", "好面霜", "霜")
	f.Add("aaaa", "aa", "a", "aaa")
	f.Fuzz(func(t *testing.T, text, k1, k2, k3 string) {
		var rules []Rule
		for i, kws := range [][]string{{k1}, {k2}, {k1, k3}, {k3}} {
			r := Rule{ID: fmt.Sprint(i), Keywords: kws}
			if i == 1 {
				r.Excludes = []string{k3}
			}
			ok := true
			for _, k := range append(slices.Clone(r.Keywords), r.Excludes...) {
				if Normalize(k) == "" {
					ok = false
				}
			}
			if ok {
				rules = append(rules, r)
			}
		}
		if len(rules) == 0 {
			return
		}
		m, err := Compile(rules)
		if err != nil {
			t.Fatal(err)
		}
		got, want := m.Match(text), reference(rules, text)
		if !slices.Equal(got, want) {
			t.Fatalf("text %q rules %+v: Match %v, reference %v", text, rules, got, want)
		}
	})
}
