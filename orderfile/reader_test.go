package orderfile

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"siyu.dev/siyu"
)

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"taobao": FormatTaobao, " Generic ": FormatGeneric, "TAOBAO": FormatTaobao} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "jd", "tmall"} {
		if _, err := ParseFormat(in); !errors.Is(err, siyu.ErrInvalid) {
			t.Errorf("ParseFormat(%q) error = %v, want ErrInvalid", in, err)
		}
	}
	if _, err := NewReader(strings.NewReader("a\n"), "excel"); err == nil {
		t.Error("NewReader accepted an unknown format")
	}
}

const minimalHeader = "channel,external_id,placed_at,amount,name\r\n"

// outcome is one thing Next returned: an order's line, or an error's line and field.
type outcome struct {
	line  int
	field string // "!" marks an order
}

func outcomes(t *testing.T, data string) []outcome {
	t.Helper()
	res := readAll(t, []byte(data), FormatGeneric, Options{})
	var out []outcome
	for _, o := range res.orders {
		out = append(out, outcome{o.Line, "!"})
	}
	for _, e := range res.errs {
		out = append(out, outcome{e.Line, e.Field})
	}
	slices.SortFunc(out, func(a, b outcome) int { return a.line - b.line })
	return out
}

func TestRowStructure(t *testing.T) {
	big := strings.Repeat("x", maxFieldBytes+1)
	tests := []struct {
		name string
		body string
		want []outcome
	}{
		{"CRLF and blank lines", "jd,1,2024-03-01,1,n\r\n\r\n\r\njd,2,2024-03-01,1,n\r\n\r\n",
			[]outcome{{2, "!"}, {5, "!"}}},
		{"LF and quoted newlines", "jd,1,2024-03-01,1,\"a\nb\nc\"\njd,2,2024-03-01,1,\"x\r\ny\"\njd,3,2024-03-01,bad,\n",
			[]outcome{{2, "!"}, {5, "!"}, {7, "amount"}}},
		{"no newline at end", "jd,1,2024-03-01,1,n", []outcome{{2, "!"}}},
		{"too few cells", "jd,1,2024-03-01,1\njd,2,2024-03-01,1,n\n", []outcome{{2, ""}, {3, "!"}}},
		{"too many cells", "jd,1,2024-03-01,1,n,extra\njd,2,2024-03-01,1,n\n", []outcome{{2, ""}, {3, "!"}}},
		{"trailing empty cells", "jd,1,2024-03-01,1,n,,\n", []outcome{{2, "!"}}},
		{"rows of empty cells", "jd,1,2024-03-01,1,n\n,,,,\n , ,\t,,\n", []outcome{{2, "!"}}},
		{"huge cell", "jd,1,2024-03-01,1," + big + "\njd,2,2024-03-01,1,n\n", []outcome{{2, "name"}, {3, "!"}}},
		{"huge cell past the header", "jd,1,2024-03-01,1,n," + big + "\n", []outcome{{2, "column 6"}}},
		{"bare quotes are data", "jd,a\"b,2024-03-01,1,n\n", []outcome{{2, "!"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := outcomes(t, minimalHeader+tt.body)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestHeaderTrailingComma(t *testing.T) {
	got := outcomes(t, "channel,external_id,placed_at,amount,,\r\njd,1,2024-03-01,1\r\njd,2,2024-03-01,1,,\r\n")
	if want := []outcome{{2, "!"}, {3, "!"}}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestErrorMessages(t *testing.T) {
	res := readAll(t, []byte(minimalHeader+"jd,1,2024-03-01,1\njd,2,2024-03-01,1,"+strings.Repeat("y", maxFieldBytes+1)+"\n"), FormatGeneric, Options{})
	if len(res.errs) != 2 {
		t.Fatalf("errors %v", res.errs)
	}
	if got := res.errs[0].Error(); got != "2: row has 4 cells, the header has 5" {
		t.Errorf("first error %q", got)
	}
	if got := res.errs[1].Error(); !strings.HasPrefix(got, "3: name: cell is 65537 bytes long") {
		t.Errorf("second error %q", got)
	}
}

func TestRecord(t *testing.T) {
	data := minimalHeader + "jd,1,2024-03-01,1,张三\njd,2,2024-03-01,bad,\"李\n四\"\n"
	r, err := NewReader(strings.NewReader(data), FormatGeneric)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	first := r.Record()
	if !slices.Equal(first, []string{"jd", "1", "2024-03-01", "1", "张三"}) {
		t.Errorf("Record() = %q", first)
	}
	if _, err := r.Next(); err == nil {
		t.Fatal("want a row error")
	}
	if got := r.Record(); !slices.Equal(got, []string{"jd", "2", "2024-03-01", "bad", "李\n四"}) {
		t.Errorf("Record() after an error = %q", got)
	}
	if first[4] != "张三" {
		t.Errorf("an earlier Record() changed to %q", first)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("Next() = %v, want EOF", err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("Next() after EOF = %v, want EOF again", err)
	}
}

func TestRecordTooLong(t *testing.T) {
	// An unterminated quote would read the rest of the file into one cell.
	var b bytes.Buffer
	b.WriteString(minimalHeader + "jd,1,2024-03-01,1,n\njd,2,2024-03-01,1,\"never closed\n")
	line := strings.Repeat("z", 1023) + "\n"
	for b.Len() < maxRecordBytes+1<<20 {
		b.WriteString(line)
	}
	r, err := NewReader(&b, FormatGeneric)
	if err != nil {
		t.Fatal(err)
	}
	if o, err := r.Next(); err != nil || o.ExternalID != "1" {
		t.Fatalf("first row: %+v, %v", o, err)
	}
	_, err = r.Next()
	var re siyu.RowError
	if err == nil || err == io.EOF || errors.As(err, &re) {
		t.Fatalf("err = %v, want a fatal error", err)
	}
	if !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), "unterminated quote") {
		t.Errorf("err = %v, want it to name line 3 and the likely cause", err)
	}
	if _, again := r.Next(); again == nil || again.Error() != err.Error() {
		t.Errorf("second call gave %v, want the same fatal error", again)
	}
}

type failingReader struct{ data io.Reader }

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.data.Read(p)
	if err == io.EOF {
		return n, errors.New("disk on fire")
	}
	return n, err
}

func TestReadFailureIsFatal(t *testing.T) {
	// Longer than the sniffed prefix, so that the failure comes from Next.
	data := minimalHeader + strings.Repeat("jd,1,2024-03-01,1,"+strings.Repeat("n", 1000)+"\n", 100)
	r, err := NewReader(&failingReader{strings.NewReader(data)}, FormatGeneric)
	if err != nil {
		t.Fatal(err)
	}
	for {
		_, err := r.Next()
		if err == nil {
			continue
		}
		var re siyu.RowError
		if errors.As(err, &re) {
			continue // the repeated order id
		}
		if !strings.Contains(err.Error(), "disk on fire") {
			t.Fatalf("err = %v, want the read error", err)
		}
		break
	}
}

func TestEncodingDetection(t *testing.T) {
	// 100 KB of ASCII rows leave the encoding undecided past the sniffed
	// prefix; the first non-ASCII row then decides it.
	var ascii strings.Builder
	for i := 0; ascii.Len() < 100<<10; i++ {
		ascii.WriteString("jd,A" + itoa(i) + ",2024-03-01,1,name\r\n")
	}
	asciiRows := strings.Count(ascii.String(), "\n")
	late := minimalHeader + ascii.String() + "jd,Z1,2024-03-01,1,张三\r\njd,Z2,2024-03-01,1,李四\r\n"

	t.Run("GBK decided late", func(t *testing.T) {
		res := readAll(t, gbk(t, late), FormatGeneric, Options{})
		checkNames(t, res, asciiRows, "张三", "李四")
	})
	t.Run("UTF-8 decided late", func(t *testing.T) {
		res := readAll(t, []byte(late), FormatGeneric, Options{})
		checkNames(t, res, asciiRows, "张三", "李四")
	})
	t.Run("UTF-8 then a GBK row", func(t *testing.T) {
		// The sniffed prefix is UTF-8, so a GBK row later on is an error.
		var b strings.Builder
		b.WriteString(minimalHeader)
		for i := 0; b.Len() < 100<<10; i++ {
			b.WriteString("jd,U" + itoa(i) + ",2024-03-01,1,张三\n")
		}
		utf8Rows := strings.Count(b.String(), "\n") - 1
		data := append([]byte(b.String()), gbk(t, "jd,2,2024-03-01,1,李四\n")...)
		data = append(data, "jd,3,2024-03-01,1,王五\n"...)
		res := readAll(t, data, FormatGeneric, Options{})
		if len(res.orders) != utf8Rows+1 || res.orders[utf8Rows].BuyerName != "王五" || len(res.errs) != 1 ||
			res.errs[0].Line != utf8Rows+2 || res.errs[0].Field != "name" || !strings.Contains(res.errs[0].Msg, "UTF-8") {
			t.Fatalf("got %d orders, errors %v", len(res.orders), res.errs)
		}
	})
	t.Run("UTF-8 with one broken cell stays UTF-8", func(t *testing.T) {
		// One stray byte early in a UTF-8 file is that row's error; it must
		// not turn every name of the file into GBK mojibake.
		var b strings.Builder
		b.WriteString(minimalHeader)
		for i := range 50 {
			if i == 3 {
				b.WriteString("jd,B3,2024-03-01,1,张\xff三\n")
				continue
			}
			b.WriteString("jd,B" + itoa(i) + ",2024-03-01,1,张三\n")
		}
		res := readAll(t, []byte(b.String()), FormatGeneric, Options{})
		if len(res.orders) != 49 || len(res.errs) != 1 || res.errs[0].Line != 5 || res.errs[0].Field != "name" {
			t.Fatalf("got %d orders, errors %v", len(res.orders), res.errs)
		}
		for _, o := range res.orders {
			if o.BuyerName != "张三" {
				t.Fatalf("name read as %q", o.BuyerName)
			}
		}
	})
	t.Run("bytes that are not GBK are a row error", func(t *testing.T) {
		data := gbk(t, minimalHeader+"jd,1,2024-03-01,1,李四\n")
		data = append(data, "jd,2,2024-03-01,1,\xff\xff\n"...)
		res := readAll(t, data, FormatGeneric, Options{})
		if len(res.orders) != 1 || res.orders[0].BuyerName != "李四" || len(res.errs) != 1 || res.errs[0].Line != 3 || res.errs[0].Field != "name" {
			t.Fatalf("got %+v, errors %v", res.orders, res.errs)
		}
	})
	t.Run("mixed in the sniffed prefix means GBK", func(t *testing.T) {
		data := append([]byte(minimalHeader+"jd,1,2024-03-01,1,abc\n"), gbk(t, "jd,2,2024-03-01,1,李四\n")...)
		res := readAll(t, data, FormatGeneric, Options{})
		checkNames(t, res, 1, "李四")
	})
	t.Run("GB18030 four-byte characters", func(t *testing.T) {
		data := []byte(minimalHeader + "jd,1,2024-03-01,1,𠮷田\n")
		enc, err := gb18030Bytes(data)
		if err != nil {
			t.Fatal(err)
		}
		res := readAll(t, enc, FormatGeneric, Options{})
		if len(res.orders) != 1 || res.orders[0].BuyerName != "𠮷田" {
			t.Fatalf("got %+v", res)
		}
	})
}

func checkNames(t *testing.T, res result, skip int, names ...string) {
	t.Helper()
	if len(res.errs) > 0 || len(res.orders) != skip+len(names) {
		t.Fatalf("got %d orders, errors %v", len(res.orders), res.errs)
	}
	for i, n := range names {
		if got := res.orders[skip+i].BuyerName; got != n {
			t.Errorf("name %d = %q, want %q", i, got, n)
		}
	}
}
