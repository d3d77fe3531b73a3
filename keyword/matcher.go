package keyword

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Rule is a named set of keywords: it matches a text that contains any of
// Keywords and none of Excludes ("退订" but not "怎么退订"). Keywords are
// normalised like the text; one that begins or ends with an ASCII letter or
// digit only matches as a whole word on that side ("td" matches "回td退订"
// and "td", not "std").
type Rule struct {
	ID       string   `json:"id"`
	Keywords []string `json:"keywords"`
	Excludes []string `json:"excludes,omitempty"`
}

// Matcher finds which rules a text matches. It is built once by Compile and
// is safe for concurrent use.
type Matcher struct {
	rules []Rule

	// The automaton is a full DFA over byte classes: bytes that occur in no
	// pattern share class 0, so the table stays small for CJK patterns.
	class  [256]uint8
	stride int
	next   []int32 // state*stride + class → state

	// Output: the pattern a state completes (or -1) and the nearest state
	// on its failure chain that completes one (or -1).
	pattern  []int32
	dictLink []int32
	hasOut   []bool

	patterns []pattern
	scratch  sync.Pool
}

// pattern is one distinct normalised keyword and the rules that use it.
type pattern struct {
	length      int
	wordStart   bool // starts with an ASCII letter/digit: needs a boundary before
	wordEnd     bool
	owners      []int32 // rule indexes
	excludeFlag []bool  // parallel to owners: the keyword is an exclude of that rule
}

// Compile builds a matcher. A rule needs at least one keyword, and no
// keyword may be empty after normalisation; the error names the rule.
func Compile(rules []Rule) (*Matcher, error) {
	m := &Matcher{rules: slices.Clone(rules)}
	index := map[string]int32{}
	add := func(rule int, kw string, exclude bool) error {
		n := Normalize(kw)
		if n == "" {
			return fmt.Errorf("keyword: rule %q: keyword %q has no letters or digits", rules[rule].ID, kw)
		}
		p, ok := index[n]
		if !ok {
			p = int32(len(m.patterns))
			index[n] = p
			m.patterns = append(m.patterns, pattern{length: len(n), wordStart: isWordByte(n[0]), wordEnd: isWordByte(n[len(n)-1])})
		}
		pt := &m.patterns[p]
		for i, o := range pt.owners {
			if o == int32(rule) {
				pt.excludeFlag[i] = pt.excludeFlag[i] || exclude
				return nil
			}
		}
		pt.owners = append(pt.owners, int32(rule))
		pt.excludeFlag = append(pt.excludeFlag, exclude)
		return nil
	}
	for i, r := range rules {
		if len(r.Keywords) == 0 {
			return nil, fmt.Errorf("keyword: rule %q has no keywords", r.ID)
		}
		for _, kw := range r.Keywords {
			if err := add(i, kw, false); err != nil {
				return nil, err
			}
		}
		for _, kw := range r.Excludes {
			if err := add(i, kw, true); err != nil {
				return nil, err
			}
		}
	}
	words := make([]string, len(m.patterns))
	for n, p := range index {
		words[p] = n
	}
	m.build(words)
	m.scratch.New = func() any { return &scratch{state: make([]uint8, len(m.rules))} }
	return m, nil
}

// build makes the trie, its failure links and the DFA.
func (m *Matcher) build(words []string) {
	var used [256]bool
	for _, w := range words {
		for i := 0; i < len(w); i++ {
			used[w[i]] = true
		}
	}
	classes := 1
	for b := range 256 {
		if used[b] {
			m.class[b] = uint8(classes)
			classes++
		}
	}
	// More than 255 distinct bytes cannot happen for UTF-8 (0xC0, 0xC1 and
	// 0xF5..0xFF never occur), so classes fits a uint8.
	m.stride = classes
	m.next = make([]int32, m.stride) // the root
	m.pattern = []int32{-1}
	for p, w := range words {
		s := int32(0)
		for i := 0; i < len(w); i++ {
			c := int(m.class[w[i]])
			t := m.next[int(s)*m.stride+c]
			if t == 0 {
				t = int32(len(m.pattern))
				m.next[int(s)*m.stride+c] = t
				m.next = append(m.next, make([]int32, m.stride)...)
				m.pattern = append(m.pattern, -1)
			}
			s = t
		}
		m.pattern[s] = int32(p)
	}
	states := len(m.pattern)
	fail := make([]int32, states)
	m.dictLink = make([]int32, states)
	m.hasOut = make([]bool, states)
	m.dictLink[0] = -1
	// Breadth first: a state's failure target is shallower, so it is done.
	queue := make([]int32, 0, states)
	for c := 1; c < m.stride; c++ {
		if t := m.next[c]; t != 0 {
			fail[t] = 0
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		f := fail[s]
		if m.pattern[f] >= 0 {
			m.dictLink[s] = f
		} else {
			m.dictLink[s] = m.dictLink[f]
		}
		m.hasOut[s] = m.pattern[s] >= 0 || m.dictLink[s] >= 0
		for c := 1; c < m.stride; c++ {
			i := int(s)*m.stride + c
			if t := m.next[i]; t != 0 {
				fail[t] = m.next[int(f)*m.stride+c]
				queue = append(queue, t)
			} else {
				m.next[i] = m.next[int(f)*m.stride+c]
			}
		}
	}
}

// scratch is the per-call state of each rule: 1 hit, 2 excluded.
type scratch struct {
	state   []uint8
	touched []int32
}

// Rules returns the rules the matcher was compiled from.
func (m *Matcher) Rules() []Rule { return m.rules }

// Match normalises text and returns the indexes (into the compiled rules,
// ascending) of the rules it matches.
func (m *Matcher) Match(text string) []int {
	return m.MatchNormalized(Normalize(text))
}

// MatchIDs is Match returning rule ids.
func (m *Matcher) MatchIDs(text string) []string {
	idx := m.Match(text)
	if len(idx) == 0 {
		return nil
	}
	out := make([]string, len(idx))
	for i, r := range idx {
		out[i] = m.rules[r].ID
	}
	return out
}

// MatchNormalized is Match for text that is already Normalize'd.
func (m *Matcher) MatchNormalized(t string) []int {
	sc := m.scratch.Get().(*scratch)
	defer m.scratch.Put(sc)
	next, class, stride := m.next, &m.class, m.stride
	s := int32(0)
	for i := 0; i < len(t); i++ {
		s = next[int(s)*stride+int(class[t[i]])]
		if !m.hasOut[s] {
			continue
		}
		for o := s; o >= 0; o = m.dictLink[o] {
			p := m.pattern[o]
			if p < 0 {
				continue
			}
			pt := &m.patterns[p]
			start, end := i+1-pt.length, i+1
			if pt.wordStart && start > 0 && isWordByte(t[start-1]) {
				continue
			}
			if pt.wordEnd && end < len(t) && isWordByte(t[end]) {
				continue
			}
			for k, r := range pt.owners {
				st := &sc.state[r]
				if *st == 0 {
					sc.touched = append(sc.touched, r)
				}
				if pt.excludeFlag[k] {
					*st = 2
				} else if *st == 0 {
					*st = 1
				}
			}
		}
	}
	var out []int
	for _, r := range sc.touched {
		if sc.state[r] == 1 {
			out = append(out, int(r))
		}
		sc.state[r] = 0
	}
	sc.touched = sc.touched[:0]
	slices.Sort(out)
	return out
}

// Contains reports whether text contains any of the keywords, normalised
// like Match: the one-rule case.
func Contains(text string, keywords ...string) bool {
	n := Normalize(text)
	for _, kw := range keywords {
		k := Normalize(kw)
		if k == "" {
			continue
		}
		for from := 0; from <= len(n)-len(k); {
			i := strings.Index(n[from:], k)
			if i < 0 {
				break
			}
			start, end := from+i, from+i+len(k)
			if !(isWordByte(k[0]) && start > 0 && isWordByte(n[start-1])) && !(isWordByte(k[len(k)-1]) && end < len(n) && isWordByte(n[end])) {
				return true
			}
			from = start + 1
		}
	}
	return false
}
