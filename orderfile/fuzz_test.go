package orderfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"reflect"
	"testing"
	"time"

	"siyu.dev/siyu"
)

func FuzzTaobaoReader(f *testing.F) {
	if data, err := os.ReadFile("testdata/taobao_handwritten_gbk.csv"); err == nil {
		f.Add(data)
	}
	var buf bytes.Buffer
	if err := WriteTaobao(&buf, sampleTaobaoRows(6)); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(csvFile(tbHeader, tbBase)))
	f.Add([]byte("\uFEFF" + csvFile(tbHeader, merged(tbBase, map[string]string{"订单状态": "交易关闭", "退款金额": "12.00"}))))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkReader(t, data, FormatTaobao)
	})
}

func FuzzGenericReader(f *testing.F) {
	var buf bytes.Buffer
	w := NewGenericWriter(&buf)
	for _, o := range sampleOrders(6) {
		if err := w.Write(o); err != nil {
			f.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(csvFile(gHeader, gBase, merged(gBase, map[string]string{"external_id": "2", "phone": "138****1234"}))))
	f.Add([]byte(minimalHeader + "jd,1,2024-03-01,1,\"a\nb\"\r\n,,,\r\njd,1,2024-03-01T00:00:00Z,1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkReader(t, data, FormatGeneric)
	})
}

// checkReader reads data to the end and checks what every reader promises:
// no panic, rows in file order, returned orders already prepared.
func checkReader(t *testing.T, data []byte, format Format) {
	r, err := NewReader(bytes.NewReader(data), format)
	if err != nil {
		return
	}
	header := r.Header()
	lastLine := 0
	for range 100000 {
		o, err := r.Next()
		if err == io.EOF {
			return
		}
		var re siyu.RowError
		if errors.As(err, &re) {
			if re.Line <= lastLine {
				t.Fatalf("row error on line %d after line %d: %v", re.Line, lastLine, re)
			}
			lastLine = re.Line
			continue
		}
		if err != nil {
			return // fatal, e.g. a read error
		}
		if o.Line <= lastLine {
			t.Fatalf("order on line %d after line %d", o.Line, lastLine)
		}
		lastLine = o.Line
		if !o.Channel.Valid() || !o.Status.Valid() || o.ExternalID == "" {
			t.Fatalf("bad order %+v", o)
		}
		if o.PlacedAt.Location() != time.UTC || (o.PaidAt != nil && o.PaidAt.Location() != time.UTC) {
			t.Fatalf("times not UTC: %+v", o)
		}
		again := o
		again.Identifiers = append([]siyu.Identifier(nil), o.Identifiers...)
		if err := again.Prepare(); err != nil {
			t.Fatalf("returned order fails Prepare: %v (%+v)", err, o)
		}
		if !reflect.DeepEqual(again, o) && !(len(again.Identifiers) == 0 && len(o.Identifiers) == 0) {
			t.Fatalf("Prepare changed a returned order:\n%+v\n%+v", o, again)
		}
		if rec := r.Record(); len(rec) < len(header) {
			t.Fatalf("Record() has %d cells, header %d", len(rec), len(header))
		}
	}
	t.Fatal("reader did not reach the end")
}
