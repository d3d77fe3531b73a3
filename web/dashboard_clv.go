package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"siyu.dev/siyu"
	"siyu.dev/siyu/analytics"
)

// The CLV summary is read through its JSON, not its fields: the page shows
// its histogram ("histogram": [{"label", "customers"}]) as bars and its
// other numbers, words and yes/no values as a list of model parameters,
// whatever they are, so the model may gain fields without the console
// changing. The summary's own numbers come first, in the order of its JSON,
// then those of nested objects (the fitted models) as "model.param".

type clvBar struct {
	Label     string `json:"label"`
	Customers int    `json:"customers"`
}

// clvParam is one number of the model. Name comes from the catalogue
// ("clv.param_<json key>") when it has one, else it is the key.
type clvParam struct {
	Name   string
	Value  string
	nested bool // of a nested object
}

type clvView struct {
	Histogram []clvBar   // nil when no customer is in any bar
	Params    []clvParam // the summary's own numbers
	Model     []clvParam // those of its nested objects: the fitted models
}

const (
	maxCLVParams = 30
	maxCLVDepth  = 3 // nested objects deeper than this are left out
)

func decodeCLV(s *analytics.CLVSummary, cat catalogue) (clvView, error) {
	if s == nil {
		return clvView{}, nil
	}
	b, err := json.Marshal(s)
	if err != nil {
		return clvView{}, err
	}
	return decodeCLVJSON(b, cat)
}

// decodeCLVJSON reads a CLV summary from its JSON, which must be an object.
func decodeCLVJSON(b []byte, cat catalogue) (clvView, error) {
	var v clvView
	fields, err := objectFields(b)
	if err != nil {
		return v, fmt.Errorf("clv summary: %w", err)
	}
	rest := fields[:0:0]
	for _, f := range fields {
		if f.key == "histogram" {
			v.Histogram = clvHistogram(f.value)
			continue
		}
		rest = append(rest, f)
	}
	all := appendCLVParams(nil, "", rest, cat, 0)
	if len(all) > maxCLVParams {
		all = all[:maxCLVParams]
	}
	for _, p := range all {
		if p.nested {
			v.Model = append(v.Model, p)
		} else {
			v.Params = append(v.Params, p)
		}
	}
	return v, nil
}

type jsonField struct {
	key   string
	value json.RawMessage
}

var errNotObject = errors.New("not a JSON object")

// objectFields lists the members of a JSON object in their order.
func objectFields(b []byte) ([]jsonField, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errNotObject
	}
	var out []jsonField
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, errNotObject
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		out = append(out, jsonField{key: key, value: raw})
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, err
	}
	return out, nil
}

// clvHistogram reads the bars, skipping anything that is not one. It
// returns nil when the bars hold nobody: an empty chart says nothing.
func clvHistogram(raw json.RawMessage) []clvBar {
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return nil
	}
	var out []clvBar
	total := 0
	for _, item := range items {
		var it struct {
			Label     string      `json:"label"`
			Customers json.Number `json:"customers"`
		}
		if json.Unmarshal(item, &it) != nil {
			continue
		}
		n, err := it.Customers.Int64()
		if it.Label == "" || err != nil || n < 0 || n > math.MaxInt32 {
			continue
		}
		out = append(out, clvBar{Label: it.Label, Customers: int(n)})
		total += int(n)
	}
	if total == 0 {
		return nil
	}
	return out
}

// appendCLVParams lists the plain values of an object, then those of its
// nested objects. Lists and nulls are left out.
func appendCLVParams(out []clvParam, prefix string, fields []jsonField, cat catalogue, depth int) []clvParam {
	var nested []jsonField
	for _, f := range fields {
		key := prefix + f.key
		raw := bytes.TrimSpace(f.value)
		if len(raw) == 0 {
			continue
		}
		name := cat.optional("clv.param_"+key, key)
		inner := depth > 0
		switch raw[0] {
		case '{':
			nested = append(nested, f)
		case '[', 'n': // lists and nulls: left out
		case '"':
			var s string
			if json.Unmarshal(raw, &s) == nil {
				out = append(out, clvParam{Name: name, Value: s, nested: inner})
			}
		case 't', 'f':
			word := "dashboard.no"
			if raw[0] == 't' {
				word = "dashboard.yes"
			}
			out = append(out, clvParam{Name: name, Value: cat.optional(word, string(raw)), nested: inner})
		default:
			out = append(out, clvParam{Name: name, Value: formatCLVNumber(key, json.Number(raw)), nested: inner})
		}
	}
	if depth >= maxCLVDepth {
		return out
	}
	for _, f := range nested {
		inner, err := objectFields(f.value)
		if err != nil {
			continue
		}
		out = appendCLVParams(out, prefix+f.key+".", inner, cat, depth+1)
	}
	return out
}

// formatCLVNumber shows an amount in fen (a key ending in "_fen") as money,
// a whole number as it is and any other with four significant digits.
func formatCLVNumber(key string, n json.Number) string {
	money := strings.HasSuffix(key, "_fen")
	if i, err := n.Int64(); err == nil {
		if money {
			return formatMoney(siyu.Fen(i))
		}
		return n.String()
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return n.String()
	}
	if money && math.Abs(f) < 1e17 {
		return formatMoney(siyu.Fen(math.Round(f)))
	}
	if math.Abs(f) >= 1e4 {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%.4g", f)
}
