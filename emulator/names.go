package emulator

import (
	"math/rand/v2"
	"strings"
)

// Name material for the simulated WeChat users. Surnames are listed
// roughly in order of frequency and drawn with a bias to the front.
var (
	surnameList = strings.Fields(`王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹
彭 曾 肖 田 董 袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 石 廖 贾 夏 韦 方 白 邹 孟 秦 江 欧阳`)
	femaleGiven = strings.Fields(`静 丽 敏 燕 娟 艳 芳 婷 雪 颖 琳 洁 晶 蕾 倩 悦 璐 薇 婷婷 晓燕 丽娟 海燕 晓丽 雅琴 慧敏 佳琪 佳怡
欣怡 欣然 雨婷 雨桐 思琪 思雨 诗涵 梦瑶 梦洁 子涵 子萱 梓涵 一诺 可欣 语嫣 雅婷 静怡 心怡 文静 晓雪 晓彤 嘉欣 玉洁 美玲 春梅
丽萍 淑芬 若曦 安琪 婉清 露露 莉莉 楠楠 晨曦 依依 菲菲 慧琳 明月 芷若 沐晴 清妍 书瑶 芊芊 舒雅 晓梅 玉兰`)
	maleGiven = strings.Fields(`伟 强 磊 军 勇 杰 涛 斌 超 明 浩 鹏 俊杰 子轩 浩然 宇航 志强 建华 文博 一鸣 晨阳 梓豪 家豪 天佑
思远 博文 明轩 嘉俊 志伟 建军`)
	// Few people use their real name on WeChat.
	nicknames = strings.Fields(`Lily Coco Vivian Amy Cherry Grace Luna Echo Yuki Sunny☀️ Mia Nancy Zoe Iris 小鱼儿 向日葵🌻
岁月静好 简单生活 阳光正好 momo 一颗柚子 橙子不酸 小确幸 慢慢来 快乐每一天 花开半夏 一只喵 芒果布丁 🌸静静 木子 安然 云朵
清风徐来 心若向阳 晴天☀️ 淡定 糖糖🍬 七七 兔兔 豆豆妈 乐乐妈妈 Annie 蓝莓 桃子🍑 南风 阿杰 大鹏 老张 Kevin Leo 路人甲`)
	places = [][2]string{
		{"浙江省", "杭州市"}, {"浙江省", "宁波市"}, {"浙江省", "温州市"}, {"上海市", "上海市"}, {"江苏省", "南京市"},
		{"江苏省", "苏州市"}, {"江苏省", "无锡市"}, {"北京市", "北京市"}, {"广东省", "广州市"}, {"广东省", "深圳市"},
		{"四川省", "成都市"}, {"湖北省", "武汉市"}, {"福建省", "厦门市"}, {"山东省", "青岛市"}, {"湖南省", "长沙市"},
		{"安徽省", "合肥市"}, {"天津市", "天津市"}, {"重庆市", "重庆市"}, {"陕西省", "西安市"}, {"河南省", "郑州市"},
	}
	districts = strings.Fields(`西湖区 滨江区 拱墅区 鄞州区 鹿城区 静安区 浦东新区 徐汇区 玄武区 姑苏区 梁溪区 朝阳区 海淀区 天河区
南山区 武侯区 江汉区 思明区 市南区 岳麓区 蜀山区 和平区 渝中区 雁塔区 金水区`)
	streets = strings.Fields(`文三路 学院路 解放路 中山路 人民路 建设路 新华路 长江路 和平路 南京路 黄河路 友谊路`)
)

// pickSurname favours common surnames: the index is drawn from a
// geometric-like distribution over the list.
func pickSurname(r *rand.Rand) string {
	n := len(surnameList)
	i := int(float64(n) * r.Float64() * r.Float64())
	return surnameList[min(i, n-1)]
}

func oneOf[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }
