package orderfile

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"siyu.dev/siyu"
)

// Reader reads orders from an export file, one row at a time.
type Reader struct {
	csv    *csv.Reader
	src    *limitedSource
	text   textDecoder
	parser rowParser
	header []string
	used   []int           // the columns the parser reads
	raw    []string        // cells of the last row as read, valid until the next read
	cells  []string        // decoded used cells of the last row, reused
	err    error           // sticky: io.EOF or a fatal error
	line   int             // where the last record started
	order  siyu.OrderInput // scratch, so that parsing does not allocate it
}

// rowParser turns the decoded cells of one row into an order.
type rowParser interface {
	// used lists the columns parse reads; only those are decoded.
	used() []int
	// parse fills o from the decoded cells; the others are empty. Its errors are RowErrors naming the column; the
	// Reader adds the line.
	parse(cells []string, o *siyu.OrderInput) error
	// column maps a field name of OrderInput.Prepare's errors ("amount",
	// "identifiers[1].phone") to the header name of the column it came from
	// in the row parsed last.
	column(field string) string
	// accept is told of every row that passed Prepare; it may still refuse
	// it (a generic order id seen before in the file).
	accept(ch siyu.Channel, externalID string, line int) error
}

// NewReader reads the header of an export file. The error names the missing
// required columns.
func NewReader(r io.Reader, format Format) (*Reader, error) {
	return NewReaderOptions(r, format, Options{})
}

// NewReaderOptions is NewReader with options.
func NewReaderOptions(r io.Reader, format Format, opts Options) (*Reader, error) {
	if opts.Channel != "" && !opts.Channel.Valid() {
		return nil, fmt.Errorf("%w: unknown channel %q (want one of %v)", siyu.ErrInvalid, opts.Channel, siyu.Channels)
	}
	if format != FormatGeneric && format != FormatTaobao {
		return nil, fmt.Errorf("%w: unknown file format %q (want generic or taobao)", siyu.ErrInvalid, format)
	}
	br, src, enc, err := openSource(r)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // checked per row, with a clearer message
	cr.LazyQuotes = true    // exports write ="123" without quoting it
	cr.ReuseRecord = true
	rd := &Reader{csv: cr, src: src, text: textDecoder{enc: enc}}

	var raw []string
	for {
		raw, err = cr.Read()
		if err == io.EOF {
			return nil, fmt.Errorf("%w: the file is empty (no header row)", siyu.ErrInvalid)
		}
		var perr *csv.ParseError
		if err != nil && !errors.As(err, &perr) {
			return nil, fmt.Errorf("reading the header: %w", err)
		}
		if !isBlank(raw) {
			break
		}
	}
	for i, s := range raw {
		if len(s) > maxFieldBytes {
			return nil, fmt.Errorf("%w: header column %d is %d bytes long; is this an order export?", siyu.ErrInvalid, i+1, len(s))
		}
	}
	rd.text.decide(raw)
	names := make([]string, len(raw))
	for i, n := range raw {
		n, ok := rd.text.text(n)
		if !ok {
			return nil, fmt.Errorf("%w: header column %d is not valid UTF-8 text", siyu.ErrInvalid, i+1)
		}
		names[i] = strings.TrimSpace(strings.TrimPrefix(n, "\uFEFF"))
	}
	// A trailing comma on the header line alone must not make every row short.
	for len(names) > 0 && names[len(names)-1] == "" {
		names = names[:len(names)-1]
	}
	rd.header = names
	switch format {
	case FormatTaobao:
		rd.parser, err = newTaobaoParser(names, opts)
	default:
		rd.parser, err = newGenericParser(names, opts)
	}
	if err != nil {
		return nil, err
	}
	for _, col := range rd.parser.used() {
		if col >= 0 {
			rd.used = append(rd.used, col)
		}
	}
	return rd, nil
}

// Header returns the column names of the file, decoded and trimmed.
func (r *Reader) Header() []string { return slices.Clone(r.header) }

// Record returns a copy of the cells of the row last returned by Next, as
// they are in the file but decoded to UTF-8. It is also set when Next
// returned a RowError, which is what a rejects file is made of.
func (r *Reader) Record() []string {
	rec := make([]string, len(r.raw))
	for i, s := range r.raw {
		rec[i], _ = r.text.text(s)
	}
	return rec
}

// Next returns the next order, prepared (siyu.OrderInput.Prepare has run on
// it) and with Line set to the file line where its row starts. A bad row gives
// a siyu.RowError naming that line and the header name of the bad column, and
// the next call goes on with the next row. At the end of the file the error
// is io.EOF. Any other error (a read failure, a record that never ends) is
// fatal and returned again by every later call.
func (r *Reader) Next() (siyu.OrderInput, error) {
	for r.err == nil {
		r.src.reset()
		raw, err := r.csv.Read()
		r.raw = raw
		if err != nil {
			var perr *csv.ParseError
			if errors.As(err, &perr) && perr.Err != nil {
				return siyu.OrderInput{}, siyu.RowError{Line: perr.StartLine, Msg: perr.Err.Error()}
			}
			r.raw = nil
			if err == io.EOF {
				r.err = io.EOF
			} else {
				where := fmt.Sprintf("after line %d", r.line)
				if len(raw) > 0 {
					line, _ := r.csv.FieldPos(0)
					where = fmt.Sprintf("in the record starting on line %d", line)
				}
				r.err = fmt.Errorf("%w: reading the file stopped %s: %w", siyu.ErrInvalid, where, err)
			}
			break
		}
		r.line, _ = r.csv.FieldPos(0)
		if isBlank(raw) {
			continue // Excel leaves rows of empty cells at the end
		}
		return r.row(raw, r.line)
	}
	return siyu.OrderInput{}, r.err
}

func (r *Reader) row(raw []string, line int) (siyu.OrderInput, error) {
	fail := func(col int, format string, args ...any) error {
		return siyu.RowError{Line: line, Field: r.columnName(col), Msg: fmt.Sprintf(format, args...)}
	}
	for i, s := range raw {
		if len(s) > maxFieldBytes {
			return siyu.OrderInput{}, fail(i, "cell is %d bytes long, at most %d allowed", len(s), maxFieldBytes)
		}
	}
	if len(raw) < len(r.header) {
		return siyu.OrderInput{}, fail(-1, "row has %d cells, the header has %d", len(raw), len(r.header))
	}
	if len(raw) > len(r.header) {
		// A trailing comma is harmless; real data past the header is not.
		for _, c := range raw[len(r.header):] {
			if strings.TrimSpace(c) != "" {
				return siyu.OrderInput{}, fail(-1, "row has %d cells, the header has %d", len(raw), len(r.header))
			}
		}
	}
	// Only the columns the parser reads are decoded: the report has dozens
	// of others, and a bad byte in one of them does not matter.
	r.text.decide(raw)
	r.cells = slices.Grow(r.cells[:0], len(r.header))[:len(r.header)]
	clear(r.cells)
	for _, col := range r.used {
		t, ok := r.text.text(raw[col])
		if !ok {
			return siyu.OrderInput{}, fail(col, "not valid %s text (the encoding was decided by the first lines of the file)", r.text.enc)
		}
		r.cells[col] = t
	}
	r.order = siyu.OrderInput{Line: line}
	if err := r.parser.parse(r.cells, &r.order); err != nil {
		return siyu.OrderInput{}, withLine(err, line)
	}
	o := r.order
	if err := o.Prepare(); err != nil {
		var re siyu.RowError
		if errors.As(err, &re) {
			re.Line = line
			re.Field = r.parser.column(re.Field)
			return siyu.OrderInput{}, re
		}
		return siyu.OrderInput{}, siyu.RowError{Line: line, Msg: err.Error()}
	}
	if err := r.parser.accept(o.Channel, o.ExternalID, line); err != nil {
		return siyu.OrderInput{}, withLine(err, line)
	}
	return o, nil
}

func (r *Reader) columnName(col int) string {
	if col < 0 {
		return ""
	}
	if col < len(r.header) && r.header[col] != "" {
		return r.header[col]
	}
	return fmt.Sprintf("column %d", col+1)
}

func withLine(err error, line int) error {
	var re siyu.RowError
	if errors.As(err, &re) {
		re.Line = line
		return re
	}
	return siyu.RowError{Line: line, Msg: err.Error()}
}

func isBlank(raw []string) bool {
	for _, s := range raw {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}
