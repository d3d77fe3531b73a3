package demo

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// geoTable lists where online shoppers of a brand like this live: province
// weight (share of orders, in percent), then cities with their weight within
// the province and some of their districts.
const geoTable = `
广东省 14: 广州市 30 天河区 越秀区 海珠区 番禺区 白云区 荔湾区; 深圳市 32 南山区 福田区 宝安区 龙岗区 龙华区 罗湖区; 东莞市 10 南城街道 东城街道 长安镇 虎门镇; 佛山市 10 禅城区 南海区 顺德区; 惠州市 5 惠城区 惠阳区; 珠海市 4 香洲区 金湾区; 中山市 4 石岐街道 东区街道; 汕头市 3 龙湖区 金平区; 江门市 2 蓬江区 新会区
浙江省 9: 杭州市 40 西湖区 上城区 拱墅区 滨江区 余杭区 萧山区; 宁波市 18 鄞州区 海曙区 江北区; 温州市 14 鹿城区 瓯海区 龙湾区; 金华市 8 婺城区 义乌市; 绍兴市 7 越城区 柯桥区; 嘉兴市 6 南湖区 秀洲区; 台州市 5 椒江区 路桥区; 湖州市 4 吴兴区 南浔区
江苏省 9: 苏州市 30 姑苏区 吴中区 相城区 虎丘区 吴江区 昆山市; 南京市 28 鼓楼区 玄武区 秦淮区 建邺区 江宁区; 无锡市 12 梁溪区 滨湖区 新吴区; 常州市 8 天宁区 钟楼区 武进区; 南通市 7 崇川区 通州区; 徐州市 6 鼓楼区 云龙区; 扬州市 4 广陵区 邗江区; 盐城市 3 亭湖区 盐都区
上海市 6: 上海市 1 浦东新区 徐汇区 静安区 长宁区 黄浦区 闵行区 杨浦区 普陀区 宝山区 松江区 虹口区
北京市 5.5: 北京市 1 朝阳区 海淀区 东城区 西城区 丰台区 通州区 昌平区 大兴区
山东省 6: 青岛市 30 市南区 崂山区 黄岛区 李沧区; 济南市 25 历下区 市中区 槐荫区; 烟台市 10 芝罘区 莱山区; 潍坊市 10 奎文区 潍城区; 临沂市 10 兰山区 河东区; 淄博市 6 张店区; 济宁市 6 任城区
四川省 5: 成都市 65 锦江区 武侯区 青羊区 成华区 金牛区 双流区; 绵阳市 8 涪城区; 德阳市 5 旌阳区; 宜宾市 5 翠屏区; 南充市 5 顺庆区; 乐山市 4 市中区
福建省 4.5: 厦门市 35 思明区 湖里区 集美区; 福州市 30 鼓楼区 台江区 仓山区 晋安区; 泉州市 25 丰泽区 鲤城区 晋江市; 漳州市 5 芗城区 龙文区; 莆田市 5 城厢区 荔城区
湖北省 4: 武汉市 60 武昌区 江汉区 洪山区 江岸区 硚口区; 宜昌市 10 西陵区; 襄阳市 10 襄城区 樊城区; 荆州市 6 沙市区
河南省 4.5: 郑州市 45 金水区 二七区 中原区 管城回族区; 洛阳市 12 洛龙区 西工区; 南阳市 8 卧龙区 宛城区; 新乡市 6 红旗区; 开封市 5 龙亭区 鼓楼区
湖南省 3.5: 长沙市 55 岳麓区 芙蓉区 天心区 开福区 雨花区; 株洲市 10 天元区 芦淞区; 湘潭市 8 岳塘区; 衡阳市 8 蒸湘区 雁峰区
安徽省 3: 合肥市 55 蜀山区 包河区 庐阳区 瑶海区; 芜湖市 15 镜湖区 鸠江区; 蚌埠市 8 蚌山区; 安庆市 6 迎江区
河北省 3: 石家庄市 30 长安区 桥西区 裕华区; 唐山市 15 路北区 路南区; 保定市 15 竞秀区 莲池区; 廊坊市 12 广阳区 安次区; 邯郸市 10 丛台区 邯山区
重庆市 2.2: 重庆市 1 渝中区 江北区 南岸区 渝北区 九龙坡区 沙坪坝区
天津市 1.5: 天津市 1 和平区 南开区 河西区 河东区 滨海新区
陕西省 2.2: 西安市 75 雁塔区 碑林区 未央区 莲湖区 新城区; 咸阳市 10 秦都区; 宝鸡市 8 渭滨区
辽宁省 2.2: 沈阳市 45 和平区 沈河区 浑南区 皇姑区; 大连市 40 中山区 沙河口区 甘井子区; 鞍山市 8 铁东区
江西省 2: 南昌市 50 东湖区 西湖区 红谷滩区 青山湖区; 赣州市 15 章贡区; 九江市 10 浔阳区; 上饶市 8 信州区
广西壮族自治区 2: 南宁市 50 青秀区 兴宁区 西乡塘区 良庆区; 柳州市 15 城中区 鱼峰区; 桂林市 15 秀峰区 七星区
云南省 1.8: 昆明市 65 五华区 盘龙区 官渡区 西山区; 曲靖市 8 麒麟区; 大理白族自治州 8 大理市
山西省 1.3: 太原市 60 小店区 迎泽区 杏花岭区; 大同市 10 平城区; 运城市 8 盐湖区
黑龙江省 1.2: 哈尔滨市 65 南岗区 道里区 香坊区; 大庆市 15 萨尔图区 让胡路区; 齐齐哈尔市 8 龙沙区
贵州省 1.2: 贵阳市 65 南明区 云岩区 观山湖区; 遵义市 20 红花岗区 汇川区
吉林省 0.9: 长春市 65 朝阳区 南关区 绿园区; 吉林市 20 船营区 丰满区
内蒙古自治区 0.7: 呼和浩特市 45 新城区 赛罕区; 包头市 35 昆都仑区 青山区; 鄂尔多斯市 20 东胜区
新疆维吾尔自治区 0.6: 乌鲁木齐市 80 天山区 沙依巴克区 新市区; 克拉玛依市 10 克拉玛依区
甘肃省 0.6: 兰州市 80 城关区 七里河区 安宁区; 天水市 10 秦州区
海南省 0.6: 海口市 60 美兰区 龙华区; 三亚市 40 吉阳区 天涯区
宁夏回族自治区 0.2: 银川市 1 兴庆区 金凤区
青海省 0.15: 西宁市 1 城西区 城东区 城中区
西藏自治区 0.05: 拉萨市 1 城关区
`

type city struct {
	province  string
	name      string
	weight    float64 // share of all orders
	districts []string
}

func parseGeo(table string) []city {
	var cities []city
	for line := range strings.Lines(strings.TrimSpace(table)) {
		head, rest, _ := strings.Cut(line, ":")
		province, pw, _ := strings.Cut(head, " ")
		provinceWeight, err := strconv.ParseFloat(pw, 64)
		if err != nil {
			panic("demo: bad geo table: " + line)
		}
		var group []city
		sum := 0.0
		for part := range strings.SplitSeq(rest, ";") {
			f := strings.Fields(part)
			w, err := strconv.ParseFloat(f[1], 64)
			if err != nil || len(f) < 3 {
				panic("demo: bad geo table: " + part)
			}
			group = append(group, city{province: province, name: f[0], weight: w, districts: f[2:]})
			sum += w
		}
		for _, c := range group {
			c.weight = provinceWeight * c.weight / sum
			cities = append(cities, c)
		}
	}
	return cities
}

var (
	allCities  = parseGeo(geoTable)
	cityPicker = newWeighted(allCities, func(c city) float64 { return c.weight })
)

func cityNamed(name string) city {
	for _, c := range allCities {
		if c.name == name {
			return c
		}
	}
	panic("demo: no city " + name)
}

var (
	streets = []string{
		"人民路", "中山路", "解放路", "建设路", "文化路", "和平路", "长江路", "新华路", "胜利路", "青年路",
		"光明路", "朝阳路", "学府路", "科技路", "创业路", "花园路", "滨江路", "东风路", "幸福路", "工农路",
		"金沙路", "迎宾大道", "世纪大道", "湖滨路", "文三路", "天府大道", "府前街", "环城北路", "望江路", "春晓路",
	}
	estates = []string{
		"阳光花园", "金色家园", "锦绣华庭", "翡翠城", "碧桂园", "万科城", "绿地世纪城", "保利花园", "中海国际社区",
		"恒大名都", "华润城", "融创壹号院", "紫金苑", "康乐小区", "滨江花园", "东方明珠苑", "书香名邸", "龙湖春江郦城",
		"蓝色港湾", "桂花园",
	}
	towers = []string{"国际金融中心", "环球中心", "时代广场", "财富中心", "万达广场", "创意产业园", "科技大厦", "银泰中心"}
)

// location is where a customer has parcels delivered.
type location struct {
	province, city, district string
	address                  string // full address line
	masked                   string // what a platform shows when it hides it
}

func newLocation(r *rand.Rand, c city) location {
	l := location{province: c.province, city: c.name, district: oneOf(r, c.districts)}
	var b strings.Builder
	b.Grow(128)
	b.WriteString(l.province)
	if l.city != l.province { // 上海市上海市 is written once
		b.WriteString(l.city)
	}
	b.WriteString(l.district)
	prefix := b.Len()
	b.WriteString(oneOf(r, streets))
	b.WriteString(strconv.Itoa(1 + r.IntN(800)))
	b.WriteString("号")
	if chance(r, 0.2) { // parcels to the office
		b.WriteString(oneOf(r, towers))
		b.WriteString(strconv.Itoa(3 + r.IntN(40)))
		b.WriteString("楼")
		if chance(r, 0.5) {
			b.WriteString("前台")
		}
	} else {
		b.WriteString(oneOf(r, estates))
		b.WriteString(strconv.Itoa(1 + r.IntN(30)))
		b.WriteString("栋")
		if chance(r, 0.6) {
			b.WriteString(strconv.Itoa(1 + r.IntN(4)))
			b.WriteString("单元")
		}
		b.WriteString(strconv.Itoa((1+r.IntN(32))*100 + 1 + r.IntN(6)))
		b.WriteString("室")
	}
	l.address = b.String()
	l.masked = l.address[:prefix] + "****"
	return l
}
