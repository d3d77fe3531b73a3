package web

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"
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

// loadCatalogues reads i18n/<lang>.json for every language and checks that
// they define the same keys, so a missing translation fails at start-up
// instead of showing a key to a user.
func loadCatalogues() (map[string]catalogue, error) {
	cats := map[string]catalogue{}
	for _, l := range languages {
		b, err := embedded.ReadFile(path.Join("i18n", l+".json"))
		if err != nil {
			return nil, fmt.Errorf("web: message catalogue %s: %w", l, err)
		}
		var c catalogue
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("web: message catalogue %s: %w", l, err)
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
