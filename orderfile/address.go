package orderfile

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// provinces are the official names of the 34 provincial-level divisions.
var provinces = []string{
	"北京市", "天津市", "上海市", "重庆市",
	"河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省", "安徽省",
	"福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省",
	"四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省", "台湾省",
	"内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区",
	"香港特别行政区", "澳门特别行政区",
}

// municipalities are their own city.
var municipalities = map[string]bool{"北京市": true, "天津市": true, "上海市": true, "重庆市": true}

// provinceShort maps the short name (浙江, 内蒙古, 广西) to the official name.
var provinceShort = func() map[string]string {
	m := make(map[string]string, len(provinces))
	for _, p := range provinces {
		m[shortProvince(p)] = p
	}
	return m
}()

func shortProvince(p string) string {
	for _, suffix := range []string{"壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "省", "市"} {
		if s, ok := strings.CutSuffix(p, suffix); ok {
			return s
		}
	}
	return p
}

// matchProvince finds the province that s starts with and returns its
// official name and how many bytes of s named it (浙江省, 浙江, 内蒙古).
func matchProvince(s string) (name string, n int) {
	for _, full := range provinces {
		if strings.HasPrefix(s, full) {
			return full, len(full)
		}
	}
	// Short names are two runes, except 黑龙江 and 内蒙古.
	for _, runes := range []int{2, 3} {
		end := 0
		for i := 0; i < runes && end < len(s); i++ {
			_, size := utf8.DecodeRuneInString(s[end:])
			end += size
		}
		if full, ok := provinceShort[s[:end]]; ok {
			n = end
			for _, suffix := range []string{"省", "市", "自治区"} {
				if strings.HasPrefix(s[n:], suffix) {
					n += len(suffix)
					break
				}
			}
			return full, n
		}
	}
	return "", 0
}

// canonicalProvince turns a province cell (浙江, 浙江省) into the official name,
// or returns it unchanged if it is not a known province.
func canonicalProvince(s string) string {
	if name, n := matchProvince(s); n == len(s) {
		return name
	}
	return s
}

// splitAddress takes the province and city from an address such as
// "浙江省 杭州市 西湖区 文三路 100号" (the Taobao spelling, parts separated by
// spaces) or "浙江省杭州市西湖区文三路100号". For the four municipalities the
// city is the municipality. Addresses that do not start with a known
// province give empty strings: a wrong region is worse than none.
func splitAddress(addr string) (province, city string) {
	addr = strings.TrimSpace(addr)
	province, n := matchProvince(addr)
	if province == "" {
		return "", ""
	}
	if municipalities[province] {
		return province, province
	}
	// Taobao separates parts by spaces; without them the city ends at its
	// first administrative suffix.
	rest := strings.TrimLeftFunc(addr[n:], unicode.IsSpace)
	part, more := rest, false
	if i := strings.IndexFunc(rest, unicode.IsSpace); i >= 0 {
		part = rest[:i]
		more = strings.TrimSpace(rest[i:]) != ""
	}
	if part != "" {
		city = cityPrefix(part, more)
	}
	return province, city
}

// cityPrefix returns the city at the start of s: up to the earliest 市, 自治州,
// 地区 or 盟. A whole space-separated part is a city even without a suffix
// (香港 九龙) as long as it is short.
func cityPrefix(s string, wholePart bool) string {
	end := -1
	for _, suffix := range []string{"市", "自治州", "地区", "盟"} {
		if i := strings.Index(s, suffix); i > 0 && (end < 0 || i+len(suffix) < end) {
			end = i + len(suffix)
		}
	}
	if end > 0 {
		return s[:end]
	}
	if wholePart && utf8.RuneCountInString(s) <= 10 {
		return s
	}
	return ""
}
