package web

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"siyu.dev/siyu"
)

func TestFormatRate(t *testing.T) {
	for _, tc := range []struct {
		part, whole int
		want        string
	}{
		{0, 0, "—"},
		{3, 0, "—"},
		{0, 5, "0.0%"},
		{2, 3, "66.7%"},
		{1, 3, "33.3%"},
		{1, 8, "12.5%"},
		{1, 16, "6.3%"}, // 6.25 rounds half up
		{5, 5, "100.0%"},
		{1, 1000000, "0.0%"},
		{-1, 5, "—"},
	} {
		if got := formatRate(tc.part, tc.whole); got != tc.want {
			t.Errorf("formatRate(%d, %d) = %q, want %q", tc.part, tc.whole, got, tc.want)
		}
	}
}

func TestPerCustomer(t *testing.T) {
	for _, tc := range []struct {
		cost      siyu.Fen
		customers int
		want      siyu.Fen
		ok        bool
	}{
		{30000, 3, 10000, true},
		{100, 3, 33, true},
		{200, 3, 67, true}, // 66.67 rounds up
		{0, 3, 0, false},
		{30000, 0, 0, false},
		{-5, 2, 0, false},
	} {
		got, ok := perCustomer(tc.cost, tc.customers)
		if got != tc.want || ok != tc.ok {
			t.Errorf("perCustomer(%d, %d) = %d, %v; want %d, %v", tc.cost, tc.customers, got, ok, tc.want, tc.ok)
		}
	}
}

func TestTruncateAndShortID(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"你好", 5, "你好"},
		{"你好，欢迎光临本店", 5, "你好，欢…"},
		{"line one\n  line two", 40, "line one line two"},
		{"abcdef", 6, "abcdef"},
		{"abcdefg", 6, "abcde…"},
	} {
		if got := truncate(tc.in, tc.n); got != tc.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
	for in, want := range map[string]string{
		"wmZhao000000000000000000000001": "wmZhao…0001",
		"short":                          "short",
		"wm123456789012":                 "wm123456789012", // 14: not worth cutting
		"wm1234567890123":                "wm1234…0123",
	} {
		if got := shortID(in); got != want {
			t.Errorf("shortID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseTags(t *testing.T) {
	for in, want := range map[string][]string{
		"":                        nil,
		" , ，":                    nil,
		"抖音":                      {"抖音"},
		"大促，直播, 大促":               {"大促", "直播"},
		"a、b;c；d\ne":              {"a", "b", "c", "d", "e"},
		"  new   customer , vip ": {"new customer", "vip"},
	} {
		if got := parseTags(in); !slices.Equal(got, want) {
			t.Errorf("parseTags(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseTags(f *testing.F) {
	for _, s := range []string{"", "抖音, 直播", "a、b;c；d\ne", " , ，", "\xff,\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tags := parseTags(s)
		for _, tag := range tags {
			if tag == "" || tag != strings.TrimSpace(tag) || strings.ContainsAny(tag, tagSeparators) {
				t.Fatalf("parseTags(%q) gave tag %q", s, tag)
			}
		}
		// Joining the tags and parsing them again gives the same tags.
		if again := parseTags(strings.Join(tags, ",")); !slices.Equal(again, tags) {
			t.Fatalf("parseTags(%q) = %q, but again %q", s, tags, again)
		}
	})
}

func TestParseCodeForm(t *testing.T) {
	valid := codeForm{Name: " 抖音直播间 ", Kind: siyu.CodeCampaign, State: " dy_live ", Accounts: []string{"zhangsan", "lisi", "zhangsan", " "},
		Tags: "抖音，直播", Welcome: " 欢迎！ ", Cost: "¥1,200.50"}
	code, problem := parseCodeForm(valid)
	if problem != nil {
		t.Fatalf("valid form: %+v", problem)
	}
	want := siyu.ChannelCode{Name: "抖音直播间", Kind: siyu.CodeCampaign, State: "dy_live", Accounts: []string{"zhangsan", "lisi"},
		Tags: []string{"抖音", "直播"}, Welcome: "欢迎！", Cost: 120050}
	if code.Name != want.Name || code.Kind != want.Kind || code.State != want.State || !slices.Equal(code.Accounts, want.Accounts) ||
		!slices.Equal(code.Tags, want.Tags) || code.Welcome != want.Welcome || code.Cost != want.Cost || code.OrderID != 0 {
		t.Fatalf("code %+v, want %+v", code, want)
	}
	perOrder := valid
	perOrder.Kind, perOrder.OrderID, perOrder.Cost = siyu.CodeOrder, "#42", ""
	if code, problem := parseCodeForm(perOrder); problem != nil || code.OrderID != 42 || code.Cost != 0 {
		t.Fatalf("per-order form: %+v %+v", code, problem)
	}

	for _, tc := range []struct {
		name  string
		edit  func(*codeForm)
		field string
	}{
		{"blank name", func(f *codeForm) { f.Name = " " }, "name"},
		{"long name", func(f *codeForm) { f.Name = strings.Repeat("名", 65) }, "name"},
		{"no kind", func(f *codeForm) { f.Kind = "" }, "kind"},
		{"blank state", func(f *codeForm) { f.State = "  " }, "state"},
		{"31-character state", func(f *codeForm) { f.State = strings.Repeat("码", 31) }, "state"},
		{"blank accounts", func(f *codeForm) { f.Accounts = []string{" ", ""} }, "accounts"},
		{"long tag", func(f *codeForm) { f.Tags = "ok," + strings.Repeat("t", 65) }, "tags"},
		{"long welcome", func(f *codeForm) { f.Welcome = strings.Repeat("字", 1334) }, "welcome"},
		{"zero order", func(f *codeForm) { f.OrderID = "0" }, "order_id"},
		{"order number", func(f *codeForm) { f.OrderID = "TB2026" }, "order_id"},
		{"order kind without order", func(f *codeForm) { f.Kind = siyu.CodeOrder }, "order_id"},
		{"cost in words", func(f *codeForm) { f.Cost = "一百" }, "cost"},
		{"negative cost", func(f *codeForm) { f.Cost = "-1" }, "cost"},
		{"sub-fen cost", func(f *codeForm) { f.Cost = "0.001" }, "cost"},
	} {
		f := valid
		f.Accounts = slices.Clone(valid.Accounts)
		tc.edit(&f)
		_, problem := parseCodeForm(f)
		if problem == nil || problem.Field != tc.field || problem.Key == "" {
			t.Errorf("%s: problem %+v, want one with field %s", tc.name, problem, tc.field)
		}
	}
	// The limits are WeCom's: 30 characters of state, 4000 bytes of welcome.
	edge := valid
	edge.State, edge.Welcome = strings.Repeat("码", 30), strings.Repeat("字", 1333)
	if _, problem := parseCodeForm(edge); problem != nil || utf8.RuneCountInString(edge.State) != 30 {
		t.Errorf("at the limits: %+v", problem)
	}
}

func TestBuildCodeChart(t *testing.T) {
	if buildCodeChart(nil) != nil || buildCodeChart([]siyu.ChannelCode{{Name: "空"}}) != nil {
		t.Fatal("a chart without contacts")
	}
	var codes []siyu.ChannelCode
	for i := range 12 {
		codes = append(codes, siyu.ChannelCode{ID: int64(i + 1), Name: "渠道活码名称很长很长的第" + string(rune('A'+i)),
			Stats: siyu.ChannelCodeStats{Adds: i * 10, Deletions: i}})
	}
	ch := buildCodeChart(codes)
	// 11 codes brought contacts; the 10 with the most are drawn, most first.
	if len(ch.Rows) != 10 || ch.More != 1 {
		t.Fatalf("%d rows, %d more", len(ch.Rows), ch.More)
	}
	top := ch.Rows[0]
	if top.ID != 12 || top.Adds != 110 || top.Deletions != 11 || top.Rate != "10.0%" {
		t.Fatalf("top row %+v", top)
	}
	plot := ch.Width - ch.BarX - codeChartValueRoom
	if top.AddsW != plot || top.DelsW != plot*11/110 {
		t.Errorf("top bars %d and %d, plot %d", top.AddsW, top.DelsW, plot)
	}
	if ch.Rows[9].ID != 3 || ch.Rows[9].AddsW != plot*20/110 {
		t.Errorf("last row %+v", ch.Rows[9])
	}
	if utf8.RuneCountInString(top.Label) > codeChartLabelLen || !strings.HasSuffix(top.Label, "…") {
		t.Errorf("label %q", top.Label)
	}
	for i, r := range ch.Rows {
		if r.AddsValueX+codeChartValueRoom-5 > ch.Width || r.DelsY+r.BarH > ch.Height || (i > 0 && r.AddsY <= ch.Rows[i-1].DelsY) {
			t.Errorf("row %d out of place: %+v (chart %dx%d)", i, r, ch.Width, ch.Height)
		}
	}
	// A single deletion still shows as a bar.
	one := buildCodeChart([]siyu.ChannelCode{{Name: "a", Stats: siyu.ChannelCodeStats{Adds: 1000, Deletions: 1}}})
	if one.Rows[0].DelsW < 2 {
		t.Errorf("a deletion of a thousand adds is %dpx wide", one.Rows[0].DelsW)
	}
}

func TestPageNav(t *testing.T) {
	urlOf := func(p int) string { return "/x?page=" + string(rune('0'+p)) }
	n := newPageNav(1, 50, 55, 50, urlOf)
	if n.From != 1 || n.To != 50 || n.Pages != 2 || n.PrevURL != "" || n.NextURL != "/x?page=2" {
		t.Errorf("first page: %+v", n)
	}
	n = newPageNav(2, 50, 55, 5, urlOf)
	if n.From != 51 || n.To != 55 || n.PrevURL != "/x?page=1" || n.NextURL != "" {
		t.Errorf("last page: %+v", n)
	}
	// Past the end, "previous" leads to the last page.
	n = newPageNav(9, 50, 55, 0, urlOf)
	if n.From != 0 || n.PrevURL != "/x?page=2" || n.NextURL != "" {
		t.Errorf("past the end: %+v", n)
	}
	n = newPageNav(1, 50, 0, 0, urlOf)
	if n.Pages != 0 || n.PrevURL != "" || n.NextURL != "" {
		t.Errorf("empty: %+v", n)
	}
}
