package orderfile

import (
	"fmt"
	"hash/maphash"
	"strings"

	"siyu.dev/siyu"
)

// Column names of the generic format. Identifier columns are named after
// their siyu.IdentityKind (phone, email, wechat_unionid, ...).
const (
	gChannel      = "channel"
	gExternalID   = "external_id"
	gStatus       = "status"
	gPlacedAt     = "placed_at"
	gPaidAt       = "paid_at"
	gAmount       = "amount"
	gAmountFen    = "amount_fen"
	gRefund       = "refund"
	gRefundFen    = "refund_fen"
	gName         = "name"
	gReceiver     = "receiver"
	gProvince     = "province"
	gCity         = "city"
	gAddress      = "address"
	gItemSKU      = "item_sku"
	gItemTitle    = "item_title"
	gQuantity     = "quantity"
	gItemPrice    = "item_price"
	gItemPriceFen = "item_price_fen"
)

// kindColumn is an identifier column of a generic file.
type kindColumn struct {
	kind siyu.IdentityKind
	col  int
}

type genericParser struct {
	names          []string
	defaultChannel siyu.Channel

	channel, externalID, status, placed, paid int
	amount, amountFen, refund, refundFen      int
	name, receiver, province, city, address   int
	itemSKU, itemTitle, quantity              int
	itemPrice, itemPriceFen                   int
	kinds                                     []kindColumn

	idCols  []int // column of each identifier of the row parsed last
	columns []int // every column read

	// seen remembers the (channel, order id) of accepted rows by a 64-bit
	// hash, so that a million-row file costs a few MB rather than a copy of
	// every id. A false match needs a 64-bit collision.
	seen map[uint64]int
	hash maphash.Hash
}

func newGenericParser(names []string, opts Options) (*genericParser, error) {
	cols := newColumns(names, func(s string) string { return strings.ToLower(s) })
	p := &genericParser{
		names:          names,
		defaultChannel: opts.Channel,
		channel:        cols.find(gChannel),
		externalID:     cols.find(gExternalID),
		status:         cols.find(gStatus),
		placed:         cols.find(gPlacedAt),
		paid:           cols.find(gPaidAt),
		amount:         cols.find(gAmount),
		amountFen:      cols.find(gAmountFen),
		refund:         cols.find(gRefund),
		refundFen:      cols.find(gRefundFen),
		name:           cols.find(gName),
		receiver:       cols.find(gReceiver),
		province:       cols.find(gProvince),
		city:           cols.find(gCity),
		address:        cols.find(gAddress),
		itemSKU:        cols.find(gItemSKU),
		itemTitle:      cols.find(gItemTitle),
		quantity:       cols.find(gQuantity),
		itemPrice:      cols.find(gItemPrice),
		itemPriceFen:   cols.find(gItemPriceFen),
		seen:           map[uint64]int{},
	}
	used := []int{p.channel, p.externalID, p.status, p.placed, p.paid, p.amount, p.amountFen,
		p.refund, p.refundFen, p.name, p.receiver, p.province, p.city, p.address,
		p.itemSKU, p.itemTitle, p.quantity, p.itemPrice, p.itemPriceFen}
	for _, k := range siyu.IdentityKinds {
		if i := cols.find(string(k)); i >= 0 {
			p.kinds = append(p.kinds, kindColumn{kind: k, col: i})
			used = append(used, i)
		}
	}

	var missing []string
	if p.channel < 0 && opts.Channel == "" {
		missing = append(missing, gChannel)
	}
	if p.externalID < 0 {
		missing = append(missing, gExternalID)
	}
	if p.placed < 0 {
		missing = append(missing, gPlacedAt)
	}
	if p.amount < 0 && p.amountFen < 0 {
		missing = append(missing, gAmount+" (or "+gAmountFen+")")
	}
	if len(missing) > 0 {
		hint := ""
		if cols.has(tbOrderID) {
			hint = "this looks like a Taobao export; choose the taobao format"
		}
		return nil, missingColumns(missing, hint)
	}
	for _, pair := range [][2]int{{p.amount, p.amountFen}, {p.refund, p.refundFen}, {p.itemPrice, p.itemPriceFen}} {
		if pair[0] >= 0 && pair[1] >= 0 {
			return nil, fmt.Errorf("%w: header: both %s and %s; keep one of them", siyu.ErrInvalid, names[pair[0]], names[pair[1]])
		}
	}
	p.columns = used
	if err := cols.checkUsed(used...); err != nil {
		return nil, err
	}
	p.hash.SetSeed(maphash.MakeSeed())
	return p, nil
}

func (p *genericParser) bad(col int, format string, args ...any) error {
	return badCell(p.names, col, format, args...)
}

// text returns a trimmed cell of an optional column.
func text(c []string, col int) string {
	if col < 0 {
		return ""
	}
	return strings.TrimSpace(c[col])
}

// value returns a cell of an optional column holding an id, a number or a
// time, without an Excel ="..." wrapper.
func value(c []string, col int) string {
	if col < 0 {
		return ""
	}
	return unwrapExcelText(c[col])
}

func (p *genericParser) parse(c []string, o *siyu.OrderInput) error {
	p.idCols = p.idCols[:0]
	var err error

	o.Channel = siyu.Channel(strings.ToLower(text(c, p.channel)))
	if o.Channel == "" {
		if p.defaultChannel == "" {
			return p.bad(p.channel, "missing channel")
		}
		o.Channel = p.defaultChannel
	}
	o.ExternalID = value(c, p.externalID)
	if s := strings.ToLower(text(c, p.status)); s != "" {
		o.Status = siyu.OrderStatus(s)
		if !o.Status.Valid() {
			return p.bad(p.status, "unknown status %q (want pending, paid, shipped, completed, refunded or closed)", s)
		}
	}
	if s := value(c, p.placed); s != "" {
		if o.PlacedAt, err = parseGenericTime(s); err != nil {
			return p.bad(p.placed, "%v", err)
		}
	}
	if s := value(c, p.paid); s != "" {
		t, err := parseGenericTime(s)
		if err != nil {
			return p.bad(p.paid, "%v", err)
		}
		o.PaidAt = &t
	}
	if o.Amount, err = p.money(c, p.amount, p.amountFen, true); err != nil {
		return err
	}
	if o.Refund, err = p.money(c, p.refund, p.refundFen, false); err != nil {
		return err
	}
	if o.Status == siyu.StatusRefunded && value(c, max(p.refund, p.refundFen)) == "" {
		o.Refund = o.Amount // "refunded" means in full
	}

	o.BuyerName = text(c, p.name)
	o.Receiver = text(c, p.receiver)
	for _, k := range p.kinds {
		v := value(c, k.col)
		if k.kind == siyu.KindPhone {
			v = cleanCell(v) // '13800138000, Excel's text marker
		}
		if v == "" {
			continue
		}
		o.Identifiers = append(o.Identifiers, siyu.Identifier{Kind: k.kind, Value: v})
		p.idCols = append(p.idCols, k.col)
	}

	o.Address = text(c, p.address)
	o.Province = text(c, p.province)
	o.City = text(c, p.city)
	if o.Province != "" {
		o.Province = canonicalProvince(o.Province)
	} else if o.City == "" && o.Address != "" {
		o.Province, o.City = splitAddress(o.Address)
	}

	sku, title := text(c, p.itemSKU), text(c, p.itemTitle)
	if sku != "" || title != "" {
		it := siyu.OrderItem{SKU: sku, Title: title, Quantity: 1}
		if s := value(c, p.quantity); s != "" {
			if it.Quantity, err = parseCount(s); err != nil {
				return p.bad(p.quantity, "%v", err)
			}
		}
		if it.Price, err = p.money(c, p.itemPrice, p.itemPriceFen, false); err != nil {
			return err
		}
		o.Items = []siyu.OrderItem{it}
	}
	return nil
}

// money reads an amount from whichever of its yuan and fen columns exists.
func (p *genericParser) money(c []string, yuanCol, fenCol int, required bool) (siyu.Fen, error) {
	col, parse := yuanCol, siyu.ParseYuan
	if col < 0 {
		col, parse = fenCol, parseFen
	}
	s := value(c, col)
	if s == "" {
		if required {
			return 0, p.bad(col, "missing amount")
		}
		return 0, nil
	}
	f, err := parse(s)
	if err != nil {
		return 0, p.bad(col, "%v", err)
	}
	return f, nil
}

func (p *genericParser) column(field string) string {
	col := -1
	switch field {
	case "channel":
		col = p.channel
	case "external_id":
		col = p.externalID
	case "status":
		col = p.status
	case "placed_at":
		col = p.placed
	case "paid_at":
		col = p.paid
	case "amount":
		col = max(p.amount, p.amountFen)
	case "refund":
		col = max(p.refund, p.refundFen)
	case "items[0]":
		// Quantities are checked when parsed, so only a price can be wrong.
		col = max(p.itemPrice, p.itemPriceFen)
	default:
		if i, ok := identifierIndex(field); ok && i < len(p.idCols) {
			col = p.idCols[i]
		}
	}
	if col < 0 {
		return field
	}
	return p.names[col]
}

// accept refuses a second row for an order already in the file: one row is
// one order, and a repeated id usually means rows split per item, which would
// otherwise silently keep only the last item.
func (p *genericParser) accept(ch siyu.Channel, externalID string, line int) error {
	p.hash.Reset()
	p.hash.WriteString(string(ch))
	p.hash.WriteByte(0)
	p.hash.WriteString(externalID)
	k := p.hash.Sum64()
	if first, ok := p.seen[k]; ok {
		return p.bad(p.externalID, "duplicate order id %q (channel %s), first on line %d; the generic format has one row per order", externalID, ch, first)
	}
	p.seen[k] = line
	return nil
}

func (p *genericParser) used() []int { return p.columns }
