package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// genericCSV has two good orders (one customer, new), and a bad row.
const genericCSV = `channel,external_id,status,placed_at,paid_at,amount,name,phone,member_no,item_title,quantity,item_price
youzan,YZ-100,paid,2026-06-01 10:00:00,2026-06-01 10:01:00,88.00,赵六,13900139000,,红茶,1,88.00
youzan,YZ-101,completed,2026-06-02 11:00:00,2026-06-02 11:00:00,"1,200.00",赵六,13900139000,VIP-9,绿茶,3,400.00
youzan,YZ-102,paid,2026-06-03 12:00:00,2026-06-03 12:00:00,not-money,钱七,13700137000,,,,
`

func TestImportUpload(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.loggedIn("operator")
	form := c.get("/import")
	if form.status != http.StatusOK {
		t.Fatalf("GET /import: %d", form.status)
	}
	mustContain(t, form.body, `enctype="multipart/form-data"`, "通用格式", "严格模式")
	tok := csrfOf(t, form.body)

	p := c.upload(tok, "generic", false, "六月订单.csv", genericCSV)
	if p.status != http.StatusOK {
		t.Fatalf("upload: %d\n%s", p.status, p.body)
	}
	mustContain(t, p.body, "导入结果", "六月订单.csv",
		`id="res-rows">3<`, `id="res-inserted">2<`, `id="res-rejected">1<`, `id="res-new">1<`,
		"amount") // the bad row's field
	if !strings.Contains(p.body, `<td class="num">4</td>`) {
		t.Errorf("the bad row's line (4) is not shown:\n%s", p.body)
	}
	// The data is there.
	list := c.get("/customers?q=13900139000")
	mustContain(t, list.body, "赵六", "¥1,288.00")

	// Again: idempotent.
	p = c.upload(tok, "generic", false, "六月订单.csv", genericCSV)
	mustContain(t, p.body, `id="res-inserted">0<`, `id="res-unchanged">2<`)

	// Strict mode stops at the bad row, and says so.
	p = c.upload(tok, "generic", true, "again.csv", strings.ReplaceAll(genericCSV, "YZ-1", "YZ-2"))
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("strict: %d", p.status)
	}
	mustContain(t, p.body, "导入未完成", "nothing imported")
	if l := c.get("/customers?q=YZ-200"); strings.Contains(l.body, "赵六") {
		t.Error("strict import stored rows")
	}
}

func TestImportRefusesBadUploads(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.loggedIn("admin")
	tok := c.csrf()
	if p := c.upload(tok, "excel", false, "a.csv", genericCSV); p.status != http.StatusBadRequest {
		t.Errorf("unknown format: %d", p.status)
	}
	p := c.upload(tok, "generic", false, "empty.csv", "")
	if p.status != http.StatusBadRequest {
		t.Errorf("empty file: %d", p.status)
	}
	mustContain(t, p.body, "请选择一个非空的 CSV 文件")
	// A taobao export sent as generic: the importer's message is shown.
	p = c.upload(tok, "generic", false, "tb.csv", "订单编号,买家会员名\n1,x\n")
	if p.status != http.StatusUnprocessableEntity {
		t.Errorf("wrong format: %d", p.status)
	}
	mustContain(t, p.body, "missing required column")
	if p := c.postWith("/import", nil, map[string]string{"Origin": f.srv.URL, "X-CSRF-Token": tok}); p.status != http.StatusBadRequest {
		t.Errorf("not multipart: %d", p.status)
	}
}
