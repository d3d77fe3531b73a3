package orderfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"siyu.dev/siyu"
)

// result is what reading one file gave: the orders and the row errors.
type result struct {
	orders []siyu.OrderInput
	errs   []siyu.RowError
}

// readAll reads a whole file and fails the test on anything but row errors.
func readAll(t testing.TB, data []byte, format Format, opts Options) result {
	t.Helper()
	r, err := NewReaderOptions(bytes.NewReader(data), format, opts)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	var res result
	for {
		o, err := r.Next()
		if err == io.EOF {
			return res
		}
		var re siyu.RowError
		switch {
		case errors.As(err, &re):
			res.errs = append(res.errs, re)
		case err != nil:
			t.Fatalf("Next: fatal error %v", err)
		default:
			res.orders = append(res.orders, o)
		}
	}
}

// readOne reads a file that should hold exactly one row.
func readOne(t testing.TB, data []byte, format Format, opts Options) (siyu.OrderInput, *siyu.RowError) {
	t.Helper()
	res := readAll(t, data, format, opts)
	switch {
	case len(res.orders)+len(res.errs) != 1:
		t.Fatalf("got %d orders and %d errors, want one row: %+v %v", len(res.orders), len(res.errs), res.orders, res.errs)
	case len(res.errs) == 1:
		return siyu.OrderInput{}, &res.errs[0]
	}
	return res.orders[0], nil
}

func gbk(t testing.TB, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encoding GBK: %v", err)
	}
	return b
}

// csvFile builds a CSV text from a header and rows given as column -> cell.
// Cells are written as given: the test writes the quoting it wants.
func csvFile(header []string, rows ...map[string]string) string {
	var b strings.Builder
	b.WriteString(strings.Join(header, ","))
	b.WriteString("\r\n")
	for _, row := range rows {
		for i, h := range header {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(row[h])
		}
		b.WriteString("\r\n")
	}
	return b.String()
}

// merged returns base with the changes applied.
func merged(base, changes map[string]string) map[string]string {
	m := make(map[string]string, len(base)+len(changes))
	for k, v := range base {
		m[k] = v
	}
	for k, v := range changes {
		m[k] = v
	}
	return m
}

// shanghai returns the UTC instant of a China wall-clock time.
func shanghai(s string) time.Time {
	t, err := time.ParseInLocation(time.DateTime, s, siyu.Shanghai)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func shanghaiPtr(s string) *time.Time {
	t := shanghai(s)
	return &t
}

func sprint(o siyu.OrderInput) string { return fmt.Sprintf("%+v", o) }

func gb18030Bytes(b []byte) ([]byte, error) {
	return simplifiedchinese.GB18030.NewEncoder().Bytes(b)
}
