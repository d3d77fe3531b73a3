// Package importer runs an order file through the parser and into the store:
// batches, the rejects file, strict mode and progress. The CLI and the
// console's upload page both use it.
package importer

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/orderfile"
)

// Sink stores orders; *store.Store is one.
type Sink interface {
	ImportOrders(ctx context.Context, workspaceID int64, rows []siyu.OrderInput, source string) (siyu.ImportResult, error)
}

// Options controls one import.
type Options struct {
	Format orderfile.Format
	// Strict imports nothing when any row is bad.
	Strict bool
	// RejectsPath, if set, receives the bad rows (UTF-8 CSV: the file's own
	// columns after line, field and error columns). Not written when no row
	// is bad.
	RejectsPath string
	// Progress, if set, receives progress: a bar when it is a terminal, a
	// line every few seconds otherwise.
	Progress io.Writer
	// BatchSize is how many rows go to the store at once (default 5000).
	BatchSize int
	// MaxErrors bounds how many row errors the result lists (default 1000);
	// all are counted and all go to the rejects file.
	MaxErrors int
}

// ErrStrict is returned when a strict import found bad rows and stored nothing.
var ErrStrict = errors.New("strict import: bad rows found, nothing imported")

// File imports the file at path.
func File(ctx context.Context, sink Sink, workspaceID int64, path string, opts Options) (siyu.ImportResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return siyu.ImportResult{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return siyu.ImportResult{}, err
	}
	return Reader(ctx, sink, workspaceID, path, f, st.Size(), opts)
}

// Reader imports from r, named name in errors. Strict mode reads r twice, so
// it must then be an io.Seeker.
func Reader(ctx context.Context, sink Sink, workspaceID int64, name string, r io.Reader, size int64, opts Options) (siyu.ImportResult, error) {
	start := time.Now()
	if opts.BatchSize <= 0 {
		opts.BatchSize = 5000
	}
	if opts.MaxErrors <= 0 {
		opts.MaxErrors = 1000
	}
	source := "import:" + string(opts.Format)
	var res siyu.ImportResult
	var mu sync.Mutex // res is shared with the storing goroutine
	var rejects *rejectWriter
	defer func() {
		if rejects != nil {
			rejects.close()
		}
	}()
	reject := func(p *pass, re siyu.RowError) error {
		re.File = name
		res.Rejected++
		if len(res.Errors) < opts.MaxErrors {
			res.Errors = append(res.Errors, re)
		}
		if opts.RejectsPath == "" {
			return nil
		}
		if rejects == nil {
			w, err := newRejectWriter(opts.RejectsPath, p.reader.Header())
			if err != nil {
				return err
			}
			rejects = w
		}
		return rejects.write(re, p.reader.Record())
	}

	if opts.Strict {
		seeker, ok := r.(io.Seeker)
		if !ok {
			return res, errors.New("strict import needs a seekable input")
		}
		p, err := newPass(r, size, opts, "检查 checking")
		if err != nil {
			return res, err
		}
		for {
			_, err := p.next()
			if err == io.EOF {
				break
			}
			var re siyu.RowError
			if errors.As(err, &re) {
				if err := reject(p, re); err != nil {
					return res, err
				}
				continue
			}
			if err != nil {
				return res, fmt.Errorf("%s: %w", name, err)
			}
		}
		p.done()
		if res.Rejected > 0 {
			res.Rows = p.rows
			res.Elapsed = time.Since(start)
			return res, ErrStrict
		}
		if _, err := seeker.Seek(0, io.SeekStart); err != nil {
			return res, err
		}
	}

	p, err := newPass(r, size, opts, "导入 importing")
	if err != nil {
		return res, fmt.Errorf("%s: %w", name, err)
	}
	// Parsing and storing overlap: this goroutine parses the next batch while
	// the store writes the previous one (two cores, two stages).
	batches := make(chan []siyu.OrderInput, 2)
	stored := make(chan error, 1)
	go func() {
		var err error
		for batch := range batches {
			if err != nil {
				continue // drain after a failure
			}
			var got siyu.ImportResult
			got, err = sink.ImportOrders(ctx, workspaceID, batch, source)
			mu.Lock()
			res.AddCounts(got)
			// The parser already ran Prepare, so the store should reject
			// nothing; if it does, report it like any other bad row.
			for _, re := range got.Errors {
				res.Rejected++
				re.File = name
				if len(res.Errors) < opts.MaxErrors {
					res.Errors = append(res.Errors, re)
				}
			}
			mu.Unlock()
		}
		stored <- err
	}()
	finish := func(readErr error) error {
		close(batches)
		if err := <-stored; err != nil {
			return err
		}
		return readErr
	}
	batch := make([]siyu.OrderInput, 0, opts.BatchSize)
	for {
		o, err := p.next()
		if err == io.EOF {
			break
		}
		var re siyu.RowError
		if errors.As(err, &re) {
			mu.Lock()
			err := reject(p, re)
			mu.Unlock()
			if err != nil {
				ferr := finish(err)
				return res, ferr
			}
			continue
		}
		if err != nil {
			ferr := finish(fmt.Errorf("%s: %w", name, err))
			return res, ferr
		}
		batch = append(batch, o)
		if len(batch) == opts.BatchSize {
			select {
			case batches <- batch:
			case err := <-stored:
				stored <- err
				ferr := finish(nil)
				return res, ferr
			}
			batch = make([]siyu.OrderInput, 0, opts.BatchSize)
			p.progress.report(p.rows, false)
		}
		if ctx.Err() != nil {
			ferr := finish(ctx.Err())
			return res, ferr
		}
	}
	if len(batch) > 0 {
		batches <- batch
	}
	if err := finish(nil); err != nil {
		return res, err
	}
	p.done()
	res.Rows = p.rows
	res.Elapsed = time.Since(start)
	return res, nil
}

// pass is one read through the file.
type pass struct {
	reader   *orderfile.Reader
	counter  *countingReader
	progress *progress
	rows     int
}

func newPass(r io.Reader, size int64, opts Options, label string) (*pass, error) {
	cr := &countingReader{r: r}
	rd, err := orderfile.NewReader(cr, opts.Format)
	if err != nil {
		return nil, err
	}
	return &pass{reader: rd, counter: cr, progress: newProgress(opts.Progress, label, size, cr)}, nil
}

func (p *pass) next() (siyu.OrderInput, error) {
	o, err := p.reader.Next()
	if err != io.EOF {
		p.rows++
	}
	if p.rows%2048 == 0 {
		p.progress.report(p.rows, false)
	}
	return o, err
}

func (p *pass) done() { p.progress.report(p.rows, true) }

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

// rejectWriter writes bad rows to a CSV file people can fix and re-import.
type rejectWriter struct {
	f *os.File
	w *csv.Writer
}

func newRejectWriter(path string, header []string) (*rejectWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	f.WriteString("\uFEFF") // so Excel opens the UTF-8 file as UTF-8
	w := csv.NewWriter(f)
	w.Write(append([]string{"line", "field", "error"}, header...))
	return &rejectWriter{f: f, w: w}, nil
}

func (r *rejectWriter) write(re siyu.RowError, record []string) error {
	return r.w.Write(append([]string{strconv.Itoa(re.Line), re.Field, re.Msg}, record...))
}

func (r *rejectWriter) close() error {
	r.w.Flush()
	if err := r.w.Error(); err != nil {
		r.f.Close()
		return err
	}
	return r.f.Close()
}
