package orderfile

import (
	"bytes"
	"io"
	"testing"
)

const benchRows = 20000

func BenchmarkGenericReader(b *testing.B) {
	var buf bytes.Buffer
	w := NewGenericWriter(&buf)
	for _, o := range sampleOrders(benchRows) {
		if err := w.Write(o); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	benchRead(b, buf.Bytes(), FormatGeneric)
}

func BenchmarkTaobaoReader(b *testing.B) {
	var buf bytes.Buffer
	if err := WriteTaobao(&buf, sampleTaobaoRows(benchRows)); err != nil {
		b.Fatal(err)
	}
	benchRead(b, buf.Bytes(), FormatTaobao)
}

func benchRead(b *testing.B, data []byte, format Format) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	rows := 0
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data), format)
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			rows++
		}
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(0, "ns/op")
}
