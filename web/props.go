package web

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"siyu.dev/siyu"
)

// formatProps shows an event's properties as "label: value" pairs, sorted by
// key so the page is stable. Known keys get a label from the catalogue,
// amounts in fen are shown as money, and numeric internal ids (order_id …)
// are left out: they mean nothing to a reader.
func formatProps(cat catalogue, p map[string]any) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		v := p[k]
		if v == nil || v == "" {
			continue
		}
		n, numeric := asInt(v)
		var shown string
		switch {
		case strings.HasSuffix(k, "_id") && numeric:
			continue
		case strings.HasSuffix(k, "_fen") && numeric:
			shown = formatMoney(siyu.Fen(n))
		case k == "channel":
			s := fmt.Sprint(v)
			shown = cat.optional("channel."+s, s)
		case k == "deleted_by":
			s := fmt.Sprint(v)
			shown = cat.optional("deleted_by."+s, s)
		default:
			shown = fmt.Sprint(v)
		}
		parts = append(parts, cat.optional("prop."+k, k)+": "+shown)
	}
	return strings.Join(parts, " · ")
}

// asInt reads a whole number from the types event properties arrive in:
// Go integers from the store, float64 or json.Number from decoded JSON.
func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int64:
		return x, true
	case int32:
		return int64(x), true
	case float64:
		if x == float64(int64(x)) {
			return int64(x), true
		}
	case json.Number:
		n, err := x.Int64()
		return n, err == nil
	}
	return 0, false
}
