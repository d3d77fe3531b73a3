package siyu

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Prepare validates an incoming order and normalises it in place: identifiers
// are normalised and deduplicated, a masked phone given as a phone identifier
// is moved to MaskedPhone (it must never merge anyone), times become UTC. The
// error is a RowError that names the field.
func (o *OrderInput) Prepare() error {
	bad := func(field, format string, args ...any) error {
		return RowError{Line: o.Line, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	o.ExternalID = strings.TrimSpace(o.ExternalID)
	if o.ExternalID == "" {
		return bad("external_id", "missing order id")
	}
	if len(o.ExternalID) > 128 {
		return bad("external_id", "order id too long (%d bytes, max 128)", len(o.ExternalID))
	}
	if !o.Channel.Valid() {
		return bad("channel", "unknown channel %q (want one of %v)", o.Channel, Channels)
	}
	if o.Status == "" {
		if o.PaidAt != nil {
			o.Status = StatusPaid
		} else {
			o.Status = StatusPending
		}
	}
	if !o.Status.Valid() {
		return bad("status", "unknown status %q", o.Status)
	}
	if o.PlacedAt.IsZero() {
		if o.PaidAt == nil {
			return bad("placed_at", "missing order time")
		}
		o.PlacedAt = *o.PaidAt
	}
	o.PlacedAt = o.PlacedAt.UTC()
	if o.PaidAt != nil {
		t := o.PaidAt.UTC()
		o.PaidAt = &t
	}
	if o.Status.Paid() && o.PaidAt == nil {
		return bad("paid_at", "status %s needs a payment time", o.Status)
	}
	if o.Amount < 0 {
		return bad("amount", "negative amount %s", o.Amount)
	}
	if o.Amount > MaxAmount {
		return bad("amount", "amount %s over the limit of %s", o.Amount, MaxAmount)
	}
	if o.Refund < 0 || o.Refund > o.Amount {
		return bad("refund", "refund %s outside 0..%s", o.Refund, o.Amount)
	}
	for i, it := range o.Items {
		if it.Quantity < 0 || it.Price < 0 || it.Quantity > MaxQuantity || it.Price > MaxAmount {
			return bad(fmt.Sprintf("items[%d]", i), "quantity or price out of range")
		}
		if err := checkText(fmt.Sprintf("items[%d].title", i), it.Title, 512); err != nil {
			return RowError{Line: o.Line, Field: err.Field, Msg: err.Msg}
		}
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{{"external_id", o.ExternalID, 128}, {"buyer_name", o.BuyerName, 128}, {"receiver", o.Receiver, 128},
		{"province", o.Province, 64}, {"city", o.City, 64}, {"address", o.Address, 1024}, {"masked_phone", o.MaskedPhone, 32}} {
		if err := checkText(f.name, f.value, f.max); err != nil {
			return RowError{Line: o.Line, Field: err.Field, Msg: err.Msg}
		}
	}
	ids := o.Identifiers[:0:0]
	seen := map[Identifier]bool{}
	for i, id := range o.Identifiers {
		if id.Kind == KindPhone && IsMaskedPhone(id.Value) {
			o.MaskedPhone = strings.TrimSpace(id.Value)
			continue
		}
		n, err := NormalizeIdentifier(id)
		if err != nil {
			return bad(fmt.Sprintf("identifiers[%d].%s", i, id.Kind), "%v", err)
		}
		if !seen[n] {
			seen[n] = true
			ids = append(ids, n)
		}
	}
	o.Identifiers = ids
	o.BuyerName = strings.TrimSpace(o.BuyerName)
	o.Receiver = strings.TrimSpace(o.Receiver)
	return nil
}

// Prepare validates and normalises an incoming event like OrderInput.Prepare.
func (e *EventInput) Prepare() error {
	bad := func(field, format string, args ...any) error {
		return RowError{Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	e.Type = strings.TrimSpace(e.Type)
	if e.Type == "" || len(e.Type) > 64 {
		return bad("type", "event type must be 1..64 bytes")
	}
	for _, f := range []struct{ name, value string }{{"type", e.Type}, {"source", e.Source}, {"name", e.Name}} {
		if err := checkText(f.name, f.value, 128); err != nil {
			return *err
		}
	}
	if e.OccurredAt.IsZero() {
		e.OccurredAt = time.Now()
	}
	e.OccurredAt = e.OccurredAt.UTC()
	if e.CustomerID == 0 && len(e.Identifiers) == 0 {
		return bad("identifiers", "an event needs a customer_id or at least one identifier")
	}
	ids := e.Identifiers[:0:0]
	for i, id := range e.Identifiers {
		if id.Kind == KindPhone && IsMaskedPhone(id.Value) {
			continue
		}
		n, err := NormalizeIdentifier(id)
		if err != nil {
			return bad(fmt.Sprintf("identifiers[%d].%s", i, id.Kind), "%v", err)
		}
		ids = append(ids, n)
	}
	e.Identifiers = ids
	if e.CustomerID == 0 && len(ids) == 0 {
		return bad("identifiers", "no usable identifier (masked phones do not identify anyone)")
	}
	return nil
}

// Bounds of incoming orders: far above any real order, low enough that no
// customer's total can overflow.
const (
	MaxAmount   Fen = 1_000_000_000_000 // ¥10,000,000,000.00 per order
	MaxQuantity     = 1_000_000
)

// checkText refuses text that no database should store: invalid UTF-8, NUL
// bytes (PostgreSQL rejects them) and runaway lengths.
func checkText(field, s string, maxRunes int) *RowError {
	if !utf8.ValidString(s) {
		return &RowError{Field: field, Msg: "not valid UTF-8"}
	}
	if strings.IndexByte(s, 0) >= 0 {
		return &RowError{Field: field, Msg: "contains a NUL character"}
	}
	if n := utf8.RuneCountInString(s); n > maxRunes {
		return &RowError{Field: field, Msg: fmt.Sprintf("too long (%d characters, max %d)", n, maxRunes)}
	}
	return nil
}
