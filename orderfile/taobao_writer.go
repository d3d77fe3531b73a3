package orderfile

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"siyu.dev/siyu"
)

// TaobaoRow is one order of a Taobao order report, for WriteTaobao.
type TaobaoRow struct {
	OrderID       string    // 订单编号
	BuyerNick     string    // 买家会员名
	AlipayAccount string    // 买家支付宝账号
	Status        string    // 订单状态 as the report spells it, e.g. TaobaoSuccess
	PlacedAt      time.Time // 订单创建时间
	PaidAt        time.Time // 订单付款时间; zero for an unpaid order
	Goods         siyu.Fen  // 买家应付货款
	Postage       siyu.Fen  // 买家应付邮费
	Paid          siyu.Fen  // 买家实际支付金额
	Refund        siyu.Fen  // 退款金额
	Receiver      string    // 收货人姓名
	Address       string    // 收货地址, parts separated by spaces
	Phone         string    // 联系电话
	Mobile        string    // 联系手机, full or masked (138****1234)
	Title         string    // 宝贝标题
	Kinds         int       // 宝贝种类; 1 when zero and Title is set
	Quantity      int       // 宝贝总数量
	Message       string    // 买家留言
	Memo          string    // 订单备注
	Carrier       string    // 物流公司
	TrackingNo    string    // 物流单号
	ShopID        string    // 店铺Id
	ShopName      string    // 店铺名称
	CloseReason   string    // 订单关闭原因
	FromPhone     bool      // 是否手机订单
	Tmall         bool      // adds a 店铺类型 column saying 天猫 (or 淘宝 for other rows)
}

// TaobaoHeader is the column list of the order report, in the report's order.
var TaobaoHeader = []string{
	"订单编号", "买家会员名", "买家支付宝账号", "支付单号", "买家应付货款", "买家应付邮费",
	"买家支付积分", "总金额", "返点积分", "买家实际支付金额", "买家实际支付积分", "订单状态",
	"买家留言", "收货人姓名", "收货地址", "运送方式", "联系电话", "联系手机", "订单创建时间",
	"订单付款时间", "宝贝标题", "宝贝种类", "物流单号", "物流公司", "订单备注", "宝贝总数量",
	"店铺Id", "店铺名称", "订单关闭原因", "卖家服务费", "买家服务费", "发票抬头", "是否手机订单",
	"分阶段订单信息", "特权订金订单id", "是否上传合同照片", "是否上传小票", "是否代付", "定金排名",
	"修改后的sku", "修改后的收货地址", "异常信息", "天猫卡券抵扣", "集分宝抵扣", "是否是O2O交易",
	"退款金额",
}

// WriteTaobao writes rows as the seller center exports them: GBK (GB18030
// for characters GBK lacks), CRLF line ends, long numbers written as ="..."
// and phones with a leading apostrophe so that Excel keeps them as text,
// times in China time.
func WriteTaobao(w io.Writer, rows []TaobaoRow) error {
	enc := transform.NewWriter(w, simplifiedchinese.GB18030.NewEncoder())
	bw := bufio.NewWriterSize(enc, 64<<10)
	tmall := false
	for _, r := range rows {
		tmall = tmall || r.Tmall
	}
	header := TaobaoHeader
	if tmall {
		header = append(header[:len(header):len(header)], tbShopType)
	}
	line := make([]byte, 0, 1024)
	for i, h := range header {
		line = appendCell(line, i, h)
	}
	line = append(line, '\r', '\n')
	if _, err := bw.Write(line); err != nil {
		return err
	}
	for _, r := range rows {
		line = appendTaobaoRow(line[:0], r, tmall)
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return enc.Close()
}

func appendTaobaoRow(b []byte, r TaobaoRow, shopTypeColumn bool) []byte {
	yuan := func(f siyu.Fen) string { return f.String() }
	when := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(siyu.Shanghai).Format(time.DateTime)
	}
	kinds := r.Kinds
	if kinds == 0 && r.Title != "" {
		kinds = 1
	}
	payNo := ""
	if !r.PaidAt.IsZero() {
		payNo = r.PaidAt.In(siyu.Shanghai).Format("20060102") + "22001" + r.OrderID
	}
	mobileOrder := "否"
	if r.FromPhone {
		mobileOrder = "手机订单"
	}
	cells := [...]string{
		excelText(r.OrderID), r.BuyerNick, r.AlipayAccount, excelText(payNo),
		yuan(r.Goods), yuan(r.Postage), "0", yuan(r.Goods + r.Postage), "0", yuan(r.Paid), "0",
		r.Status, r.Message, r.Receiver, r.Address, "快递", excelApostrophe(r.Phone), excelApostrophe(r.Mobile),
		when(r.PlacedAt), when(r.PaidAt), r.Title, strconv.Itoa(kinds), excelText(r.TrackingNo), r.Carrier,
		r.Memo, strconv.Itoa(r.Quantity), r.ShopID, r.ShopName, r.CloseReason, "0", "0.00", "", mobileOrder,
		"", "", "否", "否", "否", "", "", "", "", "0.00", "0.00", "否", yuan(r.Refund),
	}
	for i, c := range cells {
		b = appendCell(b, i, c)
	}
	if shopTypeColumn {
		t := "淘宝"
		if r.Tmall {
			t = "天猫"
		}
		b = appendCell(b, len(cells), t)
	}
	return append(b, '\r', '\n')
}

// excelTextMark starts a cell that appendCell writes as ="...".
const excelTextMark = "\x01"

// excelText marks a number to be written as the formula ="123", the export's
// way of keeping Excel from rounding it. The cell is written unquoted, as the
// seller center does, which is why the reader accepts bare quotes.
func excelText(s string) string {
	if s == "" {
		return ""
	}
	return excelTextMark + s
}

func excelApostrophe(s string) string {
	if s == "" {
		return ""
	}
	return "'" + s
}

// appendCell appends one CSV cell (with the comma before it unless first),
// quoting only when needed. A cell made by excelText is written as ="...".
func appendCell(b []byte, i int, s string) []byte {
	if i > 0 {
		b = append(b, ',')
	}
	if rest, ok := strings.CutPrefix(s, excelTextMark); ok {
		s = `="` + rest + `"`
		if !strings.ContainsAny(rest, "\",\r\n") {
			return append(b, s...)
		}
	}
	if !strings.ContainsAny(s, "\",\r\n") {
		return append(b, s...)
	}
	b = append(b, '"')
	b = append(b, strings.ReplaceAll(s, `"`, `""`)...)
	return append(b, '"')
}
