package orderfile

import (
	"fmt"
	"strings"

	"siyu.dev/siyu"
)

// Column names of the Taobao/Tmall order report (订单报表) that are read.
const (
	tbOrderID  = "订单编号"
	tbNick     = "买家会员名"
	tbPaid     = "买家实际支付金额"
	tbStatus   = "订单状态"
	tbReceiver = "收货人姓名"
	tbAddress  = "收货地址"
	tbTel      = "联系电话"
	tbMobile   = "联系手机"
	tbPlacedAt = "订单创建时间"
	tbPaidAt   = "订单付款时间"
	tbTitle    = "宝贝标题"
	tbQuantity = "宝贝总数量"
	tbRefund   = "退款金额"
	tbShopType = "店铺类型"
	tbType     = "订单类型"
)

var taobaoRequired = []string{tbOrderID, tbStatus, tbPlacedAt, tbPaid}

// Taobao order states as the report spells them.
const (
	TaobaoWaitPay     = "等待买家付款"
	TaobaoWaitShip    = "买家已付款，等待卖家发货"
	TaobaoWaitConfirm = "卖家已发货，等待买家确认"
	TaobaoSuccess     = "交易成功"
	TaobaoClosed      = "交易关闭"
)

// taobaoStates maps a report state (with commas and spaces removed) or a
// Taobao open-platform status code to an order status. StatusClosed here
// means "closed in some way": settleTaobao decides closed or refunded.
var taobaoStates = map[string]siyu.OrderStatus{
	"等待买家付款":          siyu.StatusPending,
	"等待买家付尾款":         siyu.StatusPending, // pre-sale: deposit paid, balance due
	"买家已付款等待卖家发货":     siyu.StatusPaid,
	TaobaoWaitShip:    siyu.StatusPaid, // found without removing the comma
	TaobaoWaitConfirm: siyu.StatusShipped,
	"买家已付款":           siyu.StatusPaid,
	"等待卖家发货":          siyu.StatusPaid,
	"卖家部分发货":          siyu.StatusShipped,
	"卖家已发货等待买家确认":     siyu.StatusShipped,
	"卖家已发货":           siyu.StatusShipped,
	"等待买家确认收货":        siyu.StatusShipped,
	"买家已签收":           siyu.StatusShipped,
	"交易成功":            siyu.StatusCompleted,
	"交易关闭":            siyu.StatusClosed,

	"WAIT_BUYER_PAY":           siyu.StatusPending,
	"TRADE_NO_CREATE_PAY":      siyu.StatusPending,
	"PAY_PENDING":              siyu.StatusPending,
	"WAIT_SELLER_SEND_GOODS":   siyu.StatusPaid,
	"SELLER_CONSIGNED_PART":    siyu.StatusShipped,
	"WAIT_BUYER_CONFIRM_GOODS": siyu.StatusShipped,
	"TRADE_BUYER_SIGNED":       siyu.StatusShipped,
	"TRADE_FINISHED":           siyu.StatusCompleted,
	"TRADE_CLOSED":             siyu.StatusClosed,
	"TRADE_CLOSED_BY_TAOBAO":   siyu.StatusClosed,
}

var stateNoise = strings.NewReplacer(",", "", "，", "", " ", "", "\u3000", "")

func taobaoStatus(s string) (siyu.OrderStatus, error) {
	if st, ok := taobaoStates[s]; ok {
		return st, nil
	}
	k := stateNoise.Replace(s)
	if st, ok := taobaoStates[k]; ok {
		return st, nil
	}
	if st, ok := taobaoStates[strings.ToUpper(k)]; ok {
		return st, nil
	}
	if strings.Contains(k, "关闭") { // 交易自动关闭, 付款以后用户退款成功，交易自动关闭, ...
		return siyu.StatusClosed, nil
	}
	if s == "" {
		return "", fmt.Errorf("missing order state")
	}
	return "", fmt.Errorf("unknown order state %q", s)
}

// settleTaobao turns the report's state and refund into status and refund.
// Taobao closes an order that was refunded in full, and reports partial
// refunds on orders that still succeeded, so 交易关闭 alone does not say
// whether money was taken.
func settleTaobao(st siyu.OrderStatus, paid bool, amount, refund siyu.Fen) (siyu.OrderStatus, siyu.Fen) {
	if st != siyu.StatusClosed {
		return st, refund
	}
	switch {
	case !paid:
		return siyu.StatusClosed, 0 // closed before payment: nothing to refund
	case refund == 0 || refund == amount:
		return siyu.StatusRefunded, amount
	}
	return siyu.StatusCompleted, refund // partly refunded; Prepare rejects refund > amount
}

type taobaoParser struct {
	names   []string
	channel siyu.Channel // forced by the caller, or ""

	id, status, placed, paid, amount             int
	refund, nick, receiver, address, tel, mobile int
	title, quantity                              int
	channelCols                                  []int

	idCols []int // column of each identifier of the row parsed last
}

func newTaobaoParser(names []string, opts Options) (*taobaoParser, error) {
	cols := newColumns(names, func(s string) string { return s })
	var missing []string
	for _, n := range taobaoRequired {
		if cols.find(n) < 0 {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		hint := ""
		switch {
		case cols.has("标题", "购买数量"):
			hint = "this looks like the item report (宝贝报表); import the order report (订单报表)"
		case newColumns(names, strings.ToLower).has("external_id"):
			hint = "this looks like a generic file; choose the generic format"
		}
		return nil, missingColumns(missing, hint)
	}
	p := &taobaoParser{
		names:    names,
		channel:  opts.Channel,
		id:       cols.find(tbOrderID),
		status:   cols.find(tbStatus),
		placed:   cols.find(tbPlacedAt),
		paid:     cols.find(tbPaidAt),
		amount:   cols.find(tbPaid),
		refund:   cols.find(tbRefund),
		nick:     cols.find(tbNick),
		receiver: cols.find(tbReceiver),
		address:  cols.find(tbAddress),
		tel:      cols.find(tbTel),
		mobile:   cols.find(tbMobile),
		title:    cols.find(tbTitle),
		quantity: cols.find(tbQuantity),
	}
	for _, n := range []string{tbShopType, tbType} {
		if i := cols.find(n); i >= 0 {
			p.channelCols = append(p.channelCols, i)
		}
	}
	err := cols.checkUsed(p.id, p.status, p.placed, p.paid, p.amount, p.refund, p.nick,
		p.receiver, p.address, p.tel, p.mobile, p.title, p.quantity)
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (p *taobaoParser) bad(col int, format string, args ...any) error {
	return badCell(p.names, col, format, args...)
}

// cell returns the cleaned cell of an optional column.
func cell(c []string, col int) string {
	if col < 0 {
		return ""
	}
	return cleanCell(c[col])
}

func (p *taobaoParser) parse(c []string, o *siyu.OrderInput) error {
	p.idCols = p.idCols[:0]
	var err error

	id := cleanCell(c[p.id])
	switch {
	case id == "":
		return p.bad(p.id, "missing order id")
	case isExcelFloat(id):
		return p.bad(p.id, "order id %q was turned into a number by Excel and lost digits; export the report again and import it without saving it in Excel", id)
	}
	o.ExternalID = id

	placed := cleanCell(c[p.placed])
	if placed == "" {
		return p.bad(p.placed, "missing order time")
	}
	if o.PlacedAt, err = parseShanghaiTime(placed); err != nil {
		return p.bad(p.placed, "%v", err)
	}
	if s := cell(c, p.paid); s != "" {
		t, err := parseShanghaiTime(s)
		if err != nil {
			return p.bad(p.paid, "%v", err)
		}
		o.PaidAt = &t
	}

	amount := cleanCell(c[p.amount])
	if amount == "" {
		return p.bad(p.amount, "missing amount")
	}
	if o.Amount, err = siyu.ParseYuan(amount); err != nil {
		return p.bad(p.amount, "%v", err)
	}
	var refund siyu.Fen
	if s := cell(c, p.refund); s != "" {
		if refund, err = siyu.ParseYuan(s); err != nil {
			return p.bad(p.refund, "%v", err)
		}
	}
	st, err := taobaoStatus(cleanCell(c[p.status]))
	if err != nil {
		return p.bad(p.status, "%v", err)
	}
	o.Status, o.Refund = settleTaobao(st, o.PaidAt != nil, o.Amount, refund)

	o.Channel = siyu.ChannelTaobao
	if p.channel != "" {
		o.Channel = p.channel
	} else {
		for _, col := range p.channelCols {
			if strings.Contains(c[col], "天猫") || strings.Contains(strings.ToLower(c[col]), "tmall") {
				o.Channel = siyu.ChannelTmall
			}
		}
	}

	// Taobao masks nicks in some exports (t**1); a masked nick would merge
	// strangers, so it is dropped. Real nicks cannot contain '*'.
	if nick := cell(c, p.nick); nick != "" && !strings.ContainsAny(nick, "*＊") {
		p.addID(o, siyu.KindTaobaoNick, nick, p.nick)
	}
	if err := p.phones(c, o); err != nil {
		return err
	}

	o.Receiver = cell(c, p.receiver)
	o.BuyerName = o.Receiver
	o.Address = cell(c, p.address)
	o.Province, o.City = splitAddress(o.Address)

	if title := cell(c, p.title); title != "" {
		qty := 1
		if s := cell(c, p.quantity); s != "" {
			if qty, err = parseCount(s); err != nil {
				return p.bad(p.quantity, "%v", err)
			}
		}
		o.Items = []siyu.OrderItem{{Title: title, Quantity: qty}}
	}
	return nil
}

// phones takes the buyer's mobile from 联系手机, else from 联系电话 when that
// holds a mobile rather than a landline. Masked numbers are only shown.
// Numbers outside the mainland are not identifiers and are skipped.
func (p *taobaoParser) phones(c []string, o *siyu.OrderInput) error {
	mob, mobClass := classifyPhone(cell(c, p.mobile))
	tel, telClass := classifyPhone(cell(c, p.tel))
	if mobClass == phoneInvalid {
		return p.bad(p.mobile, "invalid mobile number %q", mob)
	}
	switch {
	case mobClass == phoneMobile:
		p.addID(o, siyu.KindPhone, mob, p.mobile)
	case telClass == phoneMobile:
		p.addID(o, siyu.KindPhone, tel, p.tel)
	}
	switch {
	case mobClass == phoneMasked:
		o.MaskedPhone = mob
	case mobClass != phoneMobile && telClass == phoneMasked && isMobileShaped(tel):
		o.MaskedPhone = tel
	}
	return nil
}

func (p *taobaoParser) addID(o *siyu.OrderInput, kind siyu.IdentityKind, value string, col int) {
	o.Identifiers = append(o.Identifiers, siyu.Identifier{Kind: kind, Value: value})
	p.idCols = append(p.idCols, col)
}

func (p *taobaoParser) column(field string) string {
	col := -1
	switch field {
	case "external_id":
		col = p.id
	case "status":
		col = p.status
	case "placed_at":
		col = p.placed
	case "paid_at":
		col = p.paid
	case "amount":
		col = p.amount
	case "refund":
		col = p.refund
		if col < 0 {
			col = p.amount
		}
	case "items[0]":
		col = p.quantity
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

func (p *taobaoParser) accept(siyu.Channel, string, int) error { return nil }

func (p *taobaoParser) used() []int {
	return append([]int{p.id, p.status, p.placed, p.paid, p.amount, p.refund, p.nick,
		p.receiver, p.address, p.tel, p.mobile, p.title, p.quantity}, p.channelCols...)
}
