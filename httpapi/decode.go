package httpapi

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"time"

	"siyu.dev/siyu"
)

// readJSONBody checks the content type and reads at most MaxBodyBytes.
func readJSONBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || mt != "application/json" {
		return nil, &apiError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Message: fmt.Sprintf("Content-Type %q is not accepted; send Content-Type: application/json", ct)}
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return nil, &apiError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Message: fmt.Sprintf("charset %q is not accepted; JSON must be UTF-8", cs)}
	}
	if r.ContentLength > MaxBodyBytes {
		return nil, tooLarge()
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, tooLarge()
	}
	if err != nil {
		return nil, badRequest("unreadable_body", "", "could not read the request body: %v", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, badRequest("empty_body", "", "the request body is empty")
	}
	return body, nil
}

func tooLarge() error {
	return &apiError{Status: http.StatusRequestEntityTooLarge, Code: "body_too_large",
		Message: fmt.Sprintf("the request body is larger than %d MB; split it into smaller batches (at most %d rows each)", MaxBodyBytes>>20, MaxRowsPerBatch)}
}

// decodeBatch decodes a body of the form {"<key>":[T, ...]}. Rows are decoded
// one at a time so that an error names its row (key[i].field) and a batch
// over MaxRowsPerBatch is refused without decoding the rest.
func decodeBatch[T any](body []byte, key string) ([]T, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	shape := func() error {
		return badRequest("malformed_json", "", `the body must be a JSON object {"%s":[...]}`, key)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxError(body, err)
	}
	if tok != json.Delim('{') {
		return nil, shape()
	}
	var rows []T
	seen := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, syntaxError(body, err)
		}
		name, _ := tok.(string)
		if name != key {
			return nil, badRequest("unknown_field", name, "unknown field %q (the body is {\"%s\":[...]})", name, key)
		}
		if seen {
			return nil, badRequest("malformed_json", key, "%q given twice", key)
		}
		seen = true
		if tok, err = dec.Token(); err != nil {
			return nil, syntaxError(body, err)
		}
		if tok != json.Delim('[') {
			return nil, badRequest("malformed_json", key, "%q must be an array", key)
		}
		rows = []T{}
		for i := 0; dec.More(); i++ {
			if i == MaxRowsPerBatch {
				return nil, &apiError{Status: http.StatusRequestEntityTooLarge, Code: "too_many_rows", Field: key,
					Message: fmt.Sprintf("more than %d %s in one request; split the batch", MaxRowsPerBatch, key)}
			}
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, syntaxError(body, err)
			}
			var row T
			if err := unmarshalStrict(raw, &row); err != nil {
				path, leaf := locate(raw, reflect.TypeFor[T]())
				if leaf == nil {
					leaf = err
				}
				return nil, badRequest(valueErrorCode(leaf), fmt.Sprintf("%s[%d]%s", key, i, path), "%s", describeValueError(leaf))
			}
			if path := findNUL(reflect.ValueOf(row), ""); path != "" {
				return nil, badRequest("invalid_value", fmt.Sprintf("%s[%d]%s", key, i, path), `text must not contain the NUL character (\u0000)`)
			}
			rows = append(rows, row)
		}
		if _, err := dec.Token(); err != nil { // ]
			return nil, syntaxError(body, err)
		}
	}
	if _, err := dec.Token(); err != nil { // }
		return nil, syntaxError(body, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, syntaxError(body, err)
	}
	if !seen {
		return nil, badRequest("missing_field", key, "missing %q", key)
	}
	return rows, nil
}

// findNUL returns the path of the first string in v that contains U+0000,
// or "". PostgreSQL cannot store that character in text, so it is refused
// here rather than failing deep in the store.
func findNUL(v reflect.Value, path string) string {
	switch v.Kind() {
	case reflect.String:
		if strings.IndexByte(v.String(), 0) >= 0 {
			return cmp.Or(path, ".")
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return findNUL(v.Elem(), path)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if p := findNUL(v.Field(i), path+"."+cmp.Or(name, f.Name)); p != "" {
				return p
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if p := findNUL(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			k := fmt.Sprint(iter.Key().Interface())
			if strings.IndexByte(k, 0) >= 0 {
				return path
			}
			if p := findNUL(iter.Value(), path+"."+k); p != "" {
				return p
			}
		}
	}
	return ""
}

func unmarshalStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// syntaxError names the byte offset (and line and column) of malformed JSON.
// The offsets of json.Decoder errors are not from the start of the body, so
// the body is scanned again as a whole, which only happens on this error path.
func syntaxError(body []byte, err error) error {
	var raw json.RawMessage
	var se *json.SyntaxError
	if !errors.As(json.Unmarshal(body, &raw), &se) {
		return badRequest("malformed_json", "", "malformed JSON: %v", err)
	}
	if strings.HasPrefix(se.Error(), "unexpected end") {
		return badRequest("malformed_json", "", "malformed JSON: the body ends early, at byte offset %d", len(body))
	}
	// Offset counts the bytes read, including the offending one.
	offset := min(max(se.Offset-1, 0), int64(len(body)))
	line, col := position(body, offset)
	return badRequest("malformed_json", "", "malformed JSON at byte offset %d (line %d, column %d): %v", offset, line, col, se)
}

// position turns a byte offset into a 1-based line and column (in bytes).
func position(body []byte, offset int64) (line, col int) {
	before := body[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = len(before) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// locate finds which field of a JSON value does not decode into t, because
// encoding/json does not name the field for unknown fields or bad times. It
// returns the path below the value (".identifiers[0].kind") and the error of
// that innermost field.
func locate(raw json.RawMessage, t reflect.Type) (string, error) {
	err := unmarshalStrict(raw, reflect.New(t).Interface())
	if err == nil {
		return "", nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) {
		return "", err
	}
	switch t.Kind() {
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return "", err
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			f, ok := fieldByJSONName(t, k)
			if !ok {
				return "." + k, errUnknownField
			}
			if path, ferr := locate(obj[k], f.Type); ferr != nil {
				return "." + k + path, ferr
			}
		}
	case reflect.Slice, reflect.Array:
		var elems []json.RawMessage
		if json.Unmarshal(raw, &elems) != nil {
			return "", err
		}
		for i, el := range elems {
			if path, eerr := locate(el, t.Elem()); eerr != nil {
				return fmt.Sprintf("[%d]%s", i, path), eerr
			}
		}
	}
	return "", err
}

var (
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	errUnknownField = errors.New("unknown field")
)

// fieldByJSONName finds the struct field encoding/json would fill from key:
// an exact tag match first, then a case-insensitive one, as encoding/json does.
func fieldByJSONName(t reflect.Type, key string) (reflect.StructField, bool) {
	var fold *reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if name == key {
			return f, true
		}
		if fold == nil && strings.EqualFold(name, key) {
			fold = &f
		}
	}
	if fold != nil {
		return *fold, true
	}
	return reflect.StructField{}, false
}

func valueErrorCode(err error) string {
	if errors.Is(err, errUnknownField) || strings.Contains(err.Error(), "unknown field") {
		return "unknown_field"
	}
	return "invalid_value"
}

// describeValueError says what a field wanted, in JSON terms rather than Go's.
func describeValueError(err error) string {
	var te *json.UnmarshalTypeError
	var pe *time.ParseError
	switch {
	case errors.Is(err, errUnknownField):
		return "unknown field"
	case errors.As(err, &te):
		if k := te.Type.Kind(); k == reflect.Float32 || k == reflect.Float64 {
			return fmt.Sprintf("%s is out of range", te.Value)
		}
		return fmt.Sprintf("want %s, got %s", jsonKind(te.Type), te.Value)
	case errors.As(err, &pe), strings.HasPrefix(err.Error(), "Time.UnmarshalJSON"):
		return "want an RFC 3339 time string such as \"2024-06-18T20:30:00+08:00\""
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func jsonKind(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[time.Time]():
		return "an RFC 3339 time string"
	case reflect.TypeFor[siyu.Fen]():
		return "an integer amount in fen (1 yuan = 100 fen)"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}
