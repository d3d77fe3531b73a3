package importer_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/importer"
	"siyu.dev/siyu/orderfile"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

var ctx = context.Background()

func setup(t *testing.T) (*store.Store, int64) {
	s := storetest.Open(t)
	w, err := s.CreateWorkspace(ctx, "brand", "Brand")
	if err != nil {
		t.Fatal(err)
	}
	return s, w.ID
}

func taobaoFile(t *testing.T, rows []orderfile.TaobaoRow) string {
	t.Helper()
	var buf bytes.Buffer
	if err := orderfile.WriteTaobao(&buf, rows); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ExportOrderList.csv")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func sampleTaobao() []orderfile.TaobaoRow {
	at := time.Date(2025, 11, 11, 0, 5, 0, 0, siyu.Shanghai)
	return []orderfile.TaobaoRow{
		{OrderID: "3912345678901234567", BuyerNick: "小芳爱买买", Status: orderfile.TaobaoSuccess, PlacedAt: at, PaidAt: at.Add(time.Minute),
			Goods: 12800, Paid: 12800, Receiver: "王芳", Address: "浙江省 杭州市 西湖区 文三路100号", Mobile: "13800138000", Title: "真丝衬衫", Quantity: 1},
		{OrderID: "3912345678901234568", BuyerNick: "小芳爱买买", Status: orderfile.TaobaoSuccess, PlacedAt: at.Add(time.Hour), PaidAt: at.Add(time.Hour),
			Goods: 25900, Paid: 25900, Receiver: "王芳", Address: "浙江省 杭州市 西湖区 文三路100号", Mobile: "138****8000", Title: "精华液", Quantity: 2},
		{OrderID: "3912345678901234569", BuyerNick: "tb_li", Status: orderfile.TaobaoSuccess, PlacedAt: at, PaidAt: at,
			Goods: 9900, Paid: 9900, Receiver: "李娜", Address: "上海 上海市 浦东新区 世纪大道1号", Mobile: "139****0000", Title: "防晒霜", Quantity: 1},
	}
}

func TestTaobaoImportIsIdempotent(t *testing.T) {
	s, ws := setup(t)
	path := taobaoFile(t, sampleTaobao())
	res, err := importer.File(ctx, s, ws, path, importer.Options{Format: orderfile.FormatTaobao})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 3 || res.Inserted != 3 || res.Rejected != 0 || res.NewCustomers != 2 {
		t.Fatalf("first import: %+v", res)
	}
	res, err = importer.File(ctx, s, ws, path, importer.Options{Format: orderfile.FormatTaobao})
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != 0 || res.Unchanged != 3 || res.NewCustomers != 0 {
		t.Fatalf("re-import added something: %+v", res)
	}
	page, err := s.SearchCustomers(ctx, ws, siyu.CustomerQuery{Query: "13800138000"})
	if err != nil || len(page.Customers) != 1 {
		t.Fatalf("phone search: %+v %v", page, err)
	}
	c := page.Customers[0]
	// The second order has only a masked phone but the same nick: same person.
	if c.OrderCount != 2 || c.TotalPaid != 12800+25900 || c.Name != "王芳" || c.City != "杭州" && c.City != "杭州市" {
		t.Fatalf("customer: %+v", c)
	}
	// A changed amount updates in place.
	rows := sampleTaobao()
	rows[0].Refund = 2800
	res, err = importer.File(ctx, s, ws, taobaoFile(t, rows), importer.Options{Format: orderfile.FormatTaobao})
	if err != nil || res.Updated != 1 || res.Inserted != 0 {
		t.Fatalf("update: %+v %v", res, err)
	}
}

const genericHeader = "channel,external_id,status,placed_at,paid_at,amount,name,phone\n"

func writeFile(t *testing.T, body string) string {
	path := filepath.Join(t.TempDir(), "orders.csv")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRejectsFileNamesLineAndField(t *testing.T) {
	s, ws := setup(t)
	path := writeFile(t, genericHeader+
		"taobao,A1,completed,2025-01-02 10:00:00,2025-01-02 10:01:00,128.00,王芳,13800138000\n"+
		"taobao,A2,completed,2025-01-02 10:00:00,2025-01-02 10:01:00,12.345,王芳,13800138000\n"+
		"taobao,A3,completed,not a time,,10.00,李娜,13900139000\n"+
		"taobao,A4,completed,2025-01-03 10:00:00,2025-01-03 10:00:00,99.00,李娜,13900139000\n")
	rejects := filepath.Join(t.TempDir(), "rejects.csv")
	res, err := importer.File(ctx, s, ws, path, importer.Options{Format: orderfile.FormatGeneric, RejectsPath: rejects})
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != 2 || res.Rejected != 2 {
		t.Fatalf("result: %+v", res)
	}
	if e := res.Errors[0]; e.Line != 3 || e.Field != "amount" || e.File != path {
		t.Errorf("first error %+v: want %s line 3 field amount", e, path)
	}
	if e := res.Errors[1]; e.Line != 4 || e.Field != "placed_at" {
		t.Errorf("second error %+v: want line 4 field placed_at", e)
	}
	f, err := os.Open(rejects)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || strings.TrimPrefix(recs[0][0], "\uFEFF") != "line" || recs[1][0] != "3" || recs[1][1] != "amount" || recs[1][4] != "A2" {
		t.Fatalf("rejects file: %q", recs)
	}
}

func TestStrictImportsNothingOnABadRow(t *testing.T) {
	s, ws := setup(t)
	var b strings.Builder
	b.WriteString(genericHeader)
	for i := range 50 {
		fmt.Fprintf(&b, "jd,J%d,completed,2025-01-02 10:00:00,2025-01-02 10:01:00,10.00,张伟,138%08d\n", i, i)
	}
	b.WriteString("jd,J99,completed,2025-01-02 10:00:00,2025-01-02 10:01:00,-1,张伟,13800000001\n")
	path := writeFile(t, b.String())
	res, err := importer.File(ctx, s, ws, path, importer.Options{Format: orderfile.FormatGeneric, Strict: true, BatchSize: 10})
	if !errors.Is(err, importer.ErrStrict) {
		t.Fatalf("err = %v, want ErrStrict", err)
	}
	if res.Rejected != 1 || res.Errors[0].Line != 52 {
		t.Fatalf("result: %+v", res)
	}
	page, _ := s.SearchCustomers(ctx, ws, siyu.CustomerQuery{})
	if page.Total != 0 {
		t.Fatalf("strict import stored %d customers", page.Total)
	}
	// Without the bad row, strict imports everything.
	good := strings.Join(strings.Split(b.String(), "\n")[:51], "\n") + "\n"
	res, err = importer.File(ctx, s, ws, writeFile(t, good), importer.Options{Format: orderfile.FormatGeneric, Strict: true, BatchSize: 10})
	if err != nil || res.Inserted != 50 {
		t.Fatalf("strict good file: %+v %v", res, err)
	}
}

func TestProgressIsReported(t *testing.T) {
	s, ws := setup(t)
	var b strings.Builder
	b.WriteString(genericHeader)
	for i := range 3000 {
		fmt.Fprintf(&b, "tmall,T%d,completed,2025-01-02 10:00:00,2025-01-02 10:01:00,10.00,用户%d,138%08d\n", i, i, i)
	}
	var progress bytes.Buffer
	res, err := importer.File(ctx, s, ws, writeFile(t, b.String()), importer.Options{Format: orderfile.FormatGeneric, Progress: &progress})
	if err != nil || res.Inserted != 3000 {
		t.Fatalf("%+v %v", res, err)
	}
	if !strings.Contains(progress.String(), "100%") || !strings.Contains(progress.String(), "3000 rows") {
		t.Fatalf("progress output: %q", progress.String())
	}
}
