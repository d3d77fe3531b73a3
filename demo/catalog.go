package demo

import (
	"math"

	"siyu.dev/siyu"
)

// brand is the brand the demo data belongs to.
const brand = "木棉集"

// Sale seasons by month (index 1..12).
var (
	allYear      = [13]float64{0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	springSummer = [13]float64{0, .5, .7, 1.4, 1.6, 1.7, 1.6, 1.4, 1.1, .8, .5, .4, .4}
	summer       = [13]float64{0, .2, .3, .6, 1.2, 2, 2.2, 2.1, 1.6, .8, .3, .2, .2}
	autumnWinter = [13]float64{0, 1.6, 1.2, .6, .3, .2, .2, .2, .4, 1.2, 1.8, 1.9, 1.8}
	winter       = [13]float64{0, 2, 1.5, .8, .3, .1, .1, .1, .1, .4, 1.2, 2, 2.2}
	transitional = [13]float64{0, .4, .8, 1.8, 1.6, .6, .2, .2, .4, 1.6, 1.8, .8, .4}
	drySeason    = [13]float64{0, 1.4, 1.3, 1, .8, .7, .6, .6, .7, 1, 1.2, 1.4, 1.5}
	giftSeason   = [13]float64{0, 1.5, 1.2, 1.2, .3, .5, .3, .2, .2, .3, .6, 2.5, 2}
)

// product is one item of the catalogue; variants are its colours and sizes
// (clothes) or volumes (skincare).
type product struct {
	code       string
	category   string // what the operators call it: 连衣裙, 精华液 ...
	topic      string // the moments topic it belongs to
	name       string
	skincare   bool
	popularity float64
	season     *[13]float64
	logPrice   float64
	variants   weighted[variant]
}

type variant struct {
	sku    string
	title  string
	price  siyu.Fen
	weight float64
}

var sizes = []struct {
	name   string
	weight float64
}{{"S", 20}, {"M", 40}, {"L", 28}, {"XL", 12}}

func clothing(code, category, name string, yuan int, season *[13]float64, popularity float64, colours ...string) product {
	p := product{code: code, category: category, topic: "穿搭", name: name, popularity: popularity, season: season,
		logPrice: math.Log(float64(yuan))}
	if category == "连衣裙" {
		p.topic = "连衣裙"
	}
	var vs []variant
	for ci, colour := range colours {
		for _, size := range sizes {
			vs = append(vs, variant{
				sku:    "MM" + code + "-" + string(appendDigits(nil, uint64(ci+1), 2)) + "-" + size.name,
				title:  brand + " " + name + " " + colour + " " + size.name,
				price:  siyu.Fen(yuan * 100),
				weight: size.weight,
			})
		}
	}
	p.variants = newWeighted(vs, func(v variant) float64 { return v.weight })
	return p
}

// skincare takes volume/price pairs: "30ml", 359, "50ml", 499.
func skincare(code, category, name string, season *[13]float64, popularity float64, specs ...any) product {
	p := product{code: code, category: category, topic: "护肤", name: name, skincare: true, popularity: popularity, season: season}
	var vs []variant
	for i := 0; i+1 < len(specs); i += 2 {
		spec, yuan := specs[i].(string), specs[i+1].(int)
		vs = append(vs, variant{
			sku:    "MMS" + code + "-" + spec,
			title:  brand + " " + name + " " + spec,
			price:  siyu.Fen(yuan * 100),
			weight: 1 / float64(i/2+1), // the small size sells more
		})
		if i == 0 {
			p.logPrice = math.Log(float64(yuan))
		}
	}
	if code == "SS01" {
		p.topic = "防晒"
	}
	p.variants = newWeighted(vs, func(v variant) float64 { return v.weight })
	return p
}

// catalog is 木棉集's range: womenswear and its own skincare line.
var catalog = []product{
	clothing("D2403", "连衣裙", "法式碎花茶歇连衣裙", 399, &springSummer, 10, "雾蓝", "米白"),
	clothing("D2405", "连衣裙", "真丝缎面吊带连衣裙", 699, &summer, 4, "黑色", "香槟"),
	clothing("D2309", "连衣裙", "羊毛针织长款连衣裙", 459, &autumnWinter, 6, "燕麦", "黑色"),
	clothing("D2406", "连衣裙", "亚麻衬衫式连衣裙", 359, &summer, 6, "白色", "卡其"),
	clothing("K2309", "针织开衫", "羊毛混纺针织开衫", 359, &autumnWinter, 9, "燕麦", "灰粉", "黑色"),
	clothing("K2403", "针织开衫", "冰丝薄款针织开衫", 259, &springSummer, 7, "米白", "浅蓝"),
	clothing("S2403", "真丝衬衫", "桑蚕丝真丝衬衫", 599, &allYear, 6, "白色", "雾粉"),
	clothing("S2309", "真丝衬衫", "重磅真丝印花衬衫", 799, &transitional, 3, "墨绿印花", "酒红印花"),
	clothing("T2405", "T恤", "新疆长绒棉圆领T恤", 129, &summer, 14, "白色", "黑色", "灰色"),
	clothing("P2403", "阔腿裤", "高腰垂感阔腿裤", 299, &allYear, 8, "黑色", "杏色"),
	clothing("Q2403", "半身裙", "A字百褶半身裙", 259, &springSummer, 5, "卡其", "黑色"),
	clothing("C2309", "大衣", "双面羊毛大衣", 1599, &winter, 3, "驼色", "黑色"),
	clothing("C2403", "风衣", "中长款经典风衣", 899, &transitional, 3, "卡其", "藏青"),
	skincare("E01", "精华液", "玻色因紧致精华液", &allYear, 10, "30ml", 359, "50ml", 499),
	skincare("E02", "精华液", "烟酰胺亮肤精华液", &allYear, 7, "30ml", 259),
	skincare("F01", "面霜", "积雪草修护面霜", &drySeason, 7, "50g", 299),
	skincare("F02", "面霜", "神经酰胺保湿面霜", &allYear, 5, "50g", 239),
	skincare("SS01", "防晒霜", "清透防晒霜SPF50+", &summer, 8, "50ml", 149),
	skincare("C01", "洁面乳", "氨基酸温和洁面乳", &allYear, 12, "120g", 89),
	skincare("T01", "化妆水", "玻尿酸保湿化妆水", &allYear, 8, "150ml", 159),
	skincare("M01", "面膜", "修护补水面膜", &allYear, 10, "5片装", 119),
	skincare("Y01", "眼霜", "淡纹紧致眼霜", &allYear, 4, "15g", 269),
	skincare("H01", "护手霜", "柔润护手霜", &winter, 5, "30g", 49),
	skincare("G01", "礼盒", "修护精华面霜礼盒", &giftSeason, 1.5, "礼盒装", 699),
}

// seasonalWeight[m][p]: how well product p sells in month m.
var seasonalWeight = func() (w [13][]float64) {
	for m := 1; m <= 12; m++ {
		w[m] = make([]float64, len(catalog))
		for i, p := range catalog {
			w[m][i] = p.popularity * p.season[m]
		}
	}
	return w
}()
