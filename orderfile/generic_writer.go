package orderfile

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"siyu.dev/siyu"
)

// GenericHeader is the column list GenericWriter writes: every column of the
// generic format, identifier columns in siyu.IdentityKinds order.
var GenericHeader = func() []string {
	h := []string{gChannel, gExternalID, gStatus, gPlacedAt, gPaidAt, gAmount, gRefund, gName, gReceiver}
	for _, k := range siyu.IdentityKinds {
		h = append(h, string(k))
	}
	return append(h, gProvince, gCity, gAddress, gItemSKU, gItemTitle, gQuantity, gItemPrice)
}()

// GenericWriter writes orders in the generic format: UTF-8 without BOM, one
// row per order, amounts in yuan, times in RFC 3339 with the China offset.
type GenericWriter struct {
	csv    *csv.Writer
	col    map[string]int
	row    []string
	header bool
}

// NewGenericWriter returns a writer; the header is written with the first
// order (or by Flush if there is none).
func NewGenericWriter(w io.Writer) *GenericWriter {
	col := make(map[string]int, len(GenericHeader))
	for i, h := range GenericHeader {
		col[h] = i
	}
	return &GenericWriter{csv: csv.NewWriter(w), col: col, row: make([]string, len(GenericHeader))}
}

// Write writes one order. An order with more than one item, or with two
// identifiers of one kind, does not fit a row and is an error.
func (g *GenericWriter) Write(o siyu.OrderInput) error {
	if err := g.writeHeader(); err != nil {
		return err
	}
	if len(o.Items) > 1 {
		return fmt.Errorf("order %s has %d items; the generic format holds one item per order", o.ExternalID, len(o.Items))
	}
	clear(g.row)
	set := func(name, v string) { g.row[g.col[name]] = v }
	set(gChannel, string(o.Channel))
	set(gExternalID, o.ExternalID)
	set(gStatus, string(o.Status))
	if !o.PlacedAt.IsZero() {
		set(gPlacedAt, formatTime(o.PlacedAt))
	}
	if o.PaidAt != nil {
		set(gPaidAt, formatTime(*o.PaidAt))
	}
	set(gAmount, o.Amount.String())
	if o.Refund != 0 {
		set(gRefund, o.Refund.String())
	}
	set(gName, o.BuyerName)
	set(gReceiver, o.Receiver)
	for _, id := range o.Identifiers {
		i, ok := g.col[string(id.Kind)]
		if !ok {
			return fmt.Errorf("order %s: unknown identifier kind %q", o.ExternalID, id.Kind)
		}
		if g.row[i] != "" {
			return fmt.Errorf("order %s has two %s identifiers; the generic format holds one of each kind", o.ExternalID, id.Kind)
		}
		g.row[i] = id.Value
	}
	if o.MaskedPhone != "" && g.row[g.col[string(siyu.KindPhone)]] == "" {
		set(string(siyu.KindPhone), o.MaskedPhone)
	}
	set(gProvince, o.Province)
	set(gCity, o.City)
	set(gAddress, o.Address)
	if len(o.Items) == 1 {
		it := o.Items[0]
		set(gItemSKU, it.SKU)
		set(gItemTitle, it.Title)
		set(gQuantity, strconv.Itoa(it.Quantity))
		set(gItemPrice, it.Price.String())
	}
	return g.csv.Write(g.row)
}

// Flush writes any buffered data (and the header of an empty file).
func (g *GenericWriter) Flush() error {
	if err := g.writeHeader(); err != nil {
		return err
	}
	g.csv.Flush()
	return g.csv.Error()
}

func (g *GenericWriter) writeHeader() error {
	if g.header {
		return nil
	}
	g.header = true
	return g.csv.Write(GenericHeader)
}

func formatTime(t time.Time) string {
	return t.In(siyu.Shanghai).Format(time.RFC3339Nano)
}
