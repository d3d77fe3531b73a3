package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/demo"
	"siyu.dev/siyu/orderfile"
)

// readBack imports a generated file with the real reader, failing on any
// rejected row.
func readBack(t *testing.T, path string, format orderfile.Format) []siyu.OrderInput {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := orderfile.NewReader(f, format)
	if err != nil {
		t.Fatal(err)
	}
	var out []siyu.OrderInput
	for {
		o, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		out = append(out, o)
	}
}

func generate(t *testing.T, args ...string) (path string, stderr string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "orders.csv")
	var errOut bytes.Buffer
	args = append(args, "-out", path, "-now", "2025-11-20", "-progress", "0")
	if err := run(args, io.Discard, &errOut); err != nil {
		t.Fatal(err)
	}
	return path, errOut.String()
}

func TestGenericFileReadsBack(t *testing.T) {
	path, stderr := generate(t, "-customers", "2000", "-orders", "6000", "-seed", "3")
	got := readBack(t, path, orderfile.FormatGeneric)
	if len(got) < 5700 || len(got) > 6000 {
		t.Fatalf("asked for about 6000 orders, read back %d", len(got))
	}
	if !strings.Contains(stderr, strconv.Itoa(len(got))+" rows") {
		t.Errorf("progress summary %q does not count the rows", stderr)
	}

	// The rows are the demo's orders, whole except for item lines.
	var want []siyu.OrderInput
	cfg := demo.Config{Seed: 3, Customers: 2000, Now: time.Date(2025, 11, 20, 0, 0, 0, 0, siyu.Shanghai), OrdersPerCustomer: 3}
	demo.Stream(cfg, func(o siyu.OrderInput) error {
		want = append(want, o)
		return nil
	})
	for i, o := range got {
		w := want[i]
		if o.Channel != w.Channel || o.ExternalID != w.ExternalID || o.Amount != w.Amount || o.Refund != w.Refund ||
			o.Status != w.Status || !o.PlacedAt.Equal(w.PlacedAt) || o.MaskedPhone != w.MaskedPhone {
			t.Fatalf("row %d: read %+v, generated %+v", i+1, o, w)
		}
		ids := slices.Clone(w.Identifiers)
		slices.SortFunc(ids, func(a, b siyu.Identifier) int { return strings.Compare(string(a.Kind), string(b.Kind)) })
		slices.SortFunc(o.Identifiers, func(a, b siyu.Identifier) int { return strings.Compare(string(a.Kind), string(b.Kind)) })
		if !slices.Equal(o.Identifiers, ids) {
			t.Fatalf("row %d: identifiers %v, generated %v", i+1, o.Identifiers, ids)
		}
	}
}

func TestTaobaoFileReadsBack(t *testing.T) {
	// More than one batch, so the header is written once.
	path, _ := generate(t, "-customers", "15000", "-orders", "25000", "-format", "taobao")
	got := readBack(t, path, orderfile.FormatTaobao)
	if len(got) < 24000 || len(got) > 25000 {
		t.Fatalf("asked for about 25000 orders, read back %d", len(got))
	}
	channels := map[siyu.Channel]int{}
	statuses := map[siyu.OrderStatus]int{}
	masked := 0
	for _, o := range got {
		channels[o.Channel]++
		statuses[o.Status]++
		if o.MaskedPhone != "" {
			masked++
		}
		if o.Channel != siyu.ChannelTmall && o.Channel != siyu.ChannelTaobao {
			t.Fatalf("a %s order in a Taobao report", o.Channel)
		}
	}
	if channels[siyu.ChannelTmall] < channels[siyu.ChannelTaobao] || channels[siyu.ChannelTaobao] == 0 {
		t.Errorf("channels read back: %v", channels)
	}
	for _, st := range []siyu.OrderStatus{siyu.StatusCompleted, siyu.StatusRefunded, siyu.StatusClosed} {
		if statuses[st] == 0 {
			t.Errorf("no %s orders read back (%v)", st, statuses)
		}
	}
	if masked < 5000 {
		t.Errorf("only %d masked phones", masked)
	}
}

func TestSameFlagsSameFile(t *testing.T) {
	a, _ := generate(t, "-customers", "500", "-seed", "9")
	b, _ := generate(t, "-customers", "500", "-seed", "9")
	c, _ := generate(t, "-customers", "500", "-seed", "10")
	da, _ := os.ReadFile(a)
	db, _ := os.ReadFile(b)
	dc, _ := os.ReadFile(c)
	if !bytes.Equal(da, db) || bytes.Equal(da, dc) {
		t.Error("the seed does not decide the file")
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-format", "excel"}, {"-customers", "0"}, {"-orders", "-1"}, {"-now", "yesterday"}, {"extra"},
	} {
		if err := run(args, io.Discard, io.Discard); err == nil {
			t.Errorf("%v was accepted", args)
		}
	}
}

func TestSpacedAddress(t *testing.T) {
	for _, c := range []struct{ province, city, address, want string }{
		{"浙江省", "杭州市", "浙江省杭州市西湖区文三路478号", "浙江省 杭州市 西湖区 文三路478号"},
		{"上海市", "上海市", "上海市浦东新区世纪大道100号", "上海市 浦东新区 世纪大道100号"},
		{"广东省", "中山市", "广东省中山市东区街道人民路1号", "广东省 中山市 东区街道 人民路1号"},
		{"浙江省", "金华市", "浙江省金华市义乌市中山路1号", "浙江省 金华市 义乌市 中山路1号"},
		{"浙江省", "杭州市", "浙江省杭州市西湖区****", "浙江省 杭州市 西湖区 ****"},
		{"", "", "某地某路", "某地某路"},
	} {
		o := siyu.OrderInput{Province: c.province, City: c.city, Address: c.address}
		if got := spacedAddress(o); got != c.want {
			t.Errorf("spacedAddress(%q) = %q, want %q", c.address, got, c.want)
		}
	}
}

func FuzzParseNow(f *testing.F) {
	for _, s := range []string{"", "2025-11-20", "2025-11-20T15:04:05+08:00", "2025-13-01", "now"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseNow(s)
		if err == nil && got.IsZero() {
			t.Errorf("parseNow(%q) accepted a zero time", s)
		}
	})
}
