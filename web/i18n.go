package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Languages the console speaks. zh-CN is the default.
const (
	langZH = "zh-CN"
	langEN = "en"
)

var languages = []string{langZH, langEN}

func validLang(l string) bool { return l == langZH || l == langEN }

// catalogue maps a message key to its text in one language.
type catalogue map[string]string

// loadCatalogues reads, for every language, i18n/<lang>.json and the
// feature files i18n/<feature>.<lang>.json, and checks that the languages
// define the same keys, so a missing translation fails at start-up instead
// of showing a key to a user. A key defined twice is an error too.
func loadCatalogues() (map[string]catalogue, error) {
	cats := map[string]catalogue{}
	for _, l := range languages {
		files, err := fs.Glob(embedded, path.Join("i18n", "*"+l+".json"))
		if err != nil {
			return nil, err
		}
		c := catalogue{}
		for _, f := range files {
			if name := path.Base(f); name != l+".json" && !strings.HasSuffix(name, "."+l+".json") {
				continue // "*en.json" also matches "…-CN.json"-like names of other languages
			}
			b, err := embedded.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("web: message catalogue %s: %w", f, err)
			}
			var part catalogue
			if err := json.Unmarshal(b, &part); err != nil {
				return nil, fmt.Errorf("web: message catalogue %s: %w", f, err)
			}
			for k, v := range part {
				if _, dup := c[k]; dup {
					return nil, fmt.Errorf("web: message catalogue %s defines %q again", f, k)
				}
				c[k] = v
			}
		}
		if len(c) == 0 {
			return nil, fmt.Errorf("web: no message catalogue for %s", l)
		}
		cats[l] = c
	}
	ref := cats[langZH]
	for _, l := range languages {
		if missing := missingKeys(ref, cats[l]); len(missing) > 0 {
			return nil, fmt.Errorf("web: message catalogue %s lacks %v", l, missing)
		}
		if extra := missingKeys(cats[l], ref); len(extra) > 0 {
			return nil, fmt.Errorf("web: message catalogue %s lacks %v", langZH, extra)
		}
	}
	return cats, nil
}

func missingKeys(want, have catalogue) []string {
	var out []string
	for k := range want {
		if _, ok := have[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// translate returns the text of key, formatted with args like fmt.Sprintf.
// An unknown key is an error so that template execution fails loudly.
func (c catalogue) translate(key string, args ...any) (string, error) {
	s, ok := c[key]
	if !ok {
		return "", fmt.Errorf("no message %q", key)
	}
	if len(args) > 0 {
		s = fmt.Sprintf(s, args...)
	}
	return s, nil
}

// optional returns the text of key, or fallback when the catalogue has no
// such key: used for open-ended values like event types.
func (c catalogue) optional(key, fallback string) string {
	if s, ok := c[key]; ok {
		return s
	}
	return fallback
}
