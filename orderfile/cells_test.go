package orderfile

import (
	"testing"
	"time"

	"siyu.dev/siyu"
)

func TestCleanCell(t *testing.T) {
	tests := map[string]string{
		"":               "",
		"123":            "123",
		`="123"`:         "123",
		` ="123" `:       "123",
		"\t123":          "123",
		"'123":           "123",
		"'+86 138":       "+86 138",
		"\u3000张三\u3000": "张三",
		`="`:             `="`,
		`=A1`:            `=A1`,
		"a'b":            "a'b",
	}
	for in, want := range tests {
		if got := cleanCell(in); got != want {
			t.Errorf("cleanCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsExcelFloat(t *testing.T) {
	for s, want := range map[string]bool{
		"3.36502812911234E+18": true, "1E+17": true, "1.2e+5": true,
		"3365028129112345678": false, "E+18": false, "1.2E+": false, "1.2E-5": false, "A1E+5": false,
	} {
		if got := isExcelFloat(s); got != want {
			t.Errorf("isExcelFloat(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestParseLocalTime(t *testing.T) {
	good := map[string]string{
		"2024-03-01 12:34:56": "2024-03-01 12:34:56",
		"2024/3/1 9:05":       "2024-03-01 09:05:00",
		"2024/03/01 09:05:07": "2024-03-01 09:05:07",
		"2024-03-01T23:59:59": "2024-03-01 23:59:59",
		"2024-03-01":          "2024-03-01 00:00:00",
		"2024-02-29 00:00:00": "2024-02-29 00:00:00",
	}
	for in, want := range good {
		got, err := parseLocalTime(in, siyu.Shanghai)
		if err != nil {
			t.Errorf("parseLocalTime(%q): %v", in, err)
			continue
		}
		if got.Format(time.DateTime) != want || got.Location() != siyu.Shanghai {
			t.Errorf("parseLocalTime(%q) = %v, want %s Shanghai", in, got, want)
		}
	}
	bad := []string{"", "2024", "2024-03", "2024-03-01 ", "2024-13-01", "2024-00-10", "2024-02-30",
		"2023-02-29", "2024-03-01 24:00:00", "2024-03-01 12:60", "2024-03-01 12:00:60", "2024-03/01",
		"2024-03-01 12", "2024-03-01 12:5", "24-03-01", "2024-03-01 12:00:00Z", "20240301", "２０２４-03-01"}
	for _, in := range bad {
		if got, err := parseLocalTime(in, siyu.Shanghai); err == nil {
			t.Errorf("parseLocalTime(%q) = %v, want an error", in, got)
		}
	}
}

func TestShanghaiToUTC(t *testing.T) {
	got, err := parseShanghaiTime("2024-03-01 08:00:00")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestSplitAddress(t *testing.T) {
	tests := []struct{ addr, province, city string }{
		{"浙江省 杭州市 西湖区 文三路 100号", "浙江省", "杭州市"},
		{"浙江 杭州市 西湖区", "浙江省", "杭州市"},
		{"浙江省杭州市西湖区文三路100号", "浙江省", "杭州市"},
		{"北京 北京市 朝阳区 建国路 1号", "北京市", "北京市"},
		{"北京市朝阳区建国路1号", "北京市", "北京市"},
		{"上海 上海市 浦东新区", "上海市", "上海市"},
		{"天津 天津市 和平区", "天津市", "天津市"},
		{"重庆 县 石柱土家族自治县", "重庆市", "重庆市"},
		{"内蒙古自治区 锡林郭勒盟 锡林浩特市", "内蒙古自治区", "锡林郭勒盟"},
		{"内蒙古 呼和浩特市", "内蒙古自治区", "呼和浩特市"},
		{"广西壮族自治区南宁市青秀区", "广西壮族自治区", "南宁市"},
		{"新疆维吾尔自治区伊犁哈萨克自治州伊宁市", "新疆维吾尔自治区", "伊犁哈萨克自治州"},
		{"黑龙江省大兴安岭地区漠河市", "黑龙江省", "大兴安岭地区"},
		{"黑龙江 哈尔滨市", "黑龙江省", "哈尔滨市"},
		{"陕西省 西安市", "陕西省", "西安市"},
		{"山西省 太原市", "山西省", "太原市"},
		{"香港特别行政区 九龙 油尖旺区", "香港特别行政区", "九龙"},
		{"湖北省　恩施土家族苗族自治州　恩施市", "湖北省", "恩施土家族苗族自治州"},
		{"浙江省", "浙江省", ""},
		{"浙江省 ", "浙江省", ""},
		{"火星 奥林匹斯山", "", ""},
		{"Room 5, Tokyo", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		p, c := splitAddress(tt.addr)
		if p != tt.province || c != tt.city {
			t.Errorf("splitAddress(%q) = %q, %q; want %q, %q", tt.addr, p, c, tt.province, tt.city)
		}
	}
}

func TestClassifyPhone(t *testing.T) {
	tests := []struct {
		in    string
		value string
		class phoneClass
	}{
		{"", "", phoneEmpty},
		{"13800138000", "13800138000", phoneMobile},
		{"+86 138 0013 8000", "13800138000", phoneMobile},
		{"0086-13800138000", "13800138000", phoneMobile},
		{"138****1234", "138****1234", phoneMasked},
		{"+86 138****1234", "138****1234", phoneMasked},
		{"138＊＊＊＊1234", "138****1234", phoneMasked},
		{"+852 9123 4567", "+852 9123 4567", phoneForeign},
		{"001 415 555 0100", "001 415 555 0100", phoneForeign},
		{"+86 0571 8888 6666", "+86 0571 8888 6666", phoneInvalid},
		{"0571-88886666", "0571-88886666", phoneInvalid},
		{"none", "none", phoneInvalid},
	}
	for _, tt := range tests {
		v, c := classifyPhone(tt.in)
		if v != tt.value || c != tt.class {
			t.Errorf("classifyPhone(%q) = %q, %d; want %q, %d", tt.in, v, c, tt.value, tt.class)
		}
	}
}

func TestParseCount(t *testing.T) {
	for in, want := range map[string]int{"0": 0, "3": 3, "2.00": 2, "10.": 10} {
		if got, err := parseCount(in); err != nil || got != want {
			t.Errorf("parseCount(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "1.5", "+2", "x", "1e3", "99999999999999999999"} {
		if got, err := parseCount(in); err == nil {
			t.Errorf("parseCount(%q) = %d, want an error", in, got)
		}
	}
}
