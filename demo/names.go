package demo

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// surnameTable: the common surnames with their share of the population (per
// mille, rounded), 王 李 张 刘 陈 first.
const surnameTable = `王71 李70 张67 刘54 陈53 杨31 黄24 赵23 吴20 周19 徐15 孙15 马13 朱13 胡12 郭11 何11 高10 林10 罗9
郑9 梁9 谢6 宋6 唐6 许5 韩5 冯5 邓5 曹5 彭5 曾5 肖5 田4 董4 袁4 潘4 于4 蒋4 蔡4 余4 杜4 叶4 程3 苏3 魏3 吕3
丁3 任3 沈3 姚3 卢3 姜3 崔2 钟2 谭2 陆2 汪2 范2 金2 石2 廖2 贾2 夏2 韦2 付2 方2 白2 邹2 孟2 熊2 秦2 邱2 江2
尹2 薛2 闫2 段2 雷2 侯2 龙2 史2 陶1 黎1 贺1 顾1 毛1 郝1 龚1 邵1 万1 钱1 严1 覃1 武1 戴1 莫1 孔1 向1 汤1 欧阳1 上官1`

type surname struct {
	name   string
	weight float64
}

var surnames = func() weighted[surname] {
	var all []surname
	for _, f := range strings.Fields(surnameTable) {
		i := strings.IndexAny(f, "0123456789")
		w, err := strconv.Atoi(f[i:])
		if err != nil {
			panic("demo: bad surname table: " + f)
		}
		all = append(all, surname{f[:i], float64(w)})
	}
	return newWeighted(all, func(s surname) float64 { return s.weight })
}()

var (
	femaleNames = strings.Fields(`静 丽 敏 燕 娟 艳 芳 婷 雪 颖 琳 洁 晶 蕾 倩 悦 璐 薇
婷婷 晓燕 丽娟 丽华 海燕 晓丽 晓静 雅琴 慧敏 佳琪 佳怡 欣怡 欣然 雨婷 雨欣 雨桐 思琪 思雨 诗涵 诗琪 梦瑶 梦琪 梦洁
子涵 子萱 梓涵 梓萱 一诺 可欣 可馨 语嫣 雅婷 雅琪 雅静 静怡 心怡 文静 文婷 晓雪 晓彤 晓琳 佳慧 嘉欣 嘉怡 玉婷 玉洁
美玲 美琪 春梅 红梅 海霞 彩霞 丽萍 丽君 淑芬 艳红 若曦 安琪 婉清 婉婷 静雯 雯雯 露露 莉莉 楠楠 甜甜 蕾蕾 倩倩 亚楠
晨曦 语桐 欣妍 依依 佳佳 菲菲 琪琪 慧琳 晓慧 思彤 婧 明月 秋月 紫涵 芷若 沐晴 亦菲 清妍 书瑶 芊芊 舒雅 晓梅 玉兰`)
	maleNames = strings.Fields(`伟 强 磊 军 勇 杰 涛 斌 超 明 浩 鹏 俊杰 子轩 浩然 宇航 志强 建华 文博 一鸣 晨阳
梓豪 家豪 俊熙 天佑 思远 博文 明轩 嘉俊 志伟 建军`)
	// wechatNames are WeChat nicknames; few people use their real name.
	wechatNames = strings.Fields(`Lily Coco Vivian Amy Cherry Grace Luna Echo Yuki Sunny☀️ Mia Nancy Zoe Iris 小鱼儿 向日葵🌻
岁月静好 简单生活 阳光正好 momo 一颗柚子 橙子不酸 小确幸 慢慢来 快乐每一天 花开半夏 一只喵 芒果布丁 🌸静静 木子
安然 云朵 清风徐来 心若向阳 晴天☀️ 淡定 糖糖🍬 七七 Ms.王 ⭐️星星 兔兔 豆豆妈 乐乐妈妈 Annie 蓝莓 桃子🍑 南风`)
)

// newName draws a Chinese name: mostly women for this brand.
func newName(r *rand.Rand, female bool) (surname, name string) {
	surname = surnames.pick(r).name
	if female {
		return surname, surname + oneOf(r, femaleNames)
	}
	return surname, surname + oneOf(r, maleNames)
}

// maskName hides all but the surname, as platforms do: 王**.
func maskName(surname, name string) string {
	n := len([]rune(name)) - len([]rune(surname))
	return surname + strings.Repeat("*", max(n, 1))
}

// nickname is the name a customer shows on WeChat or Douyin.
func nickname(r *rand.Rand, surname, name string) string {
	switch x := r.IntN(10); {
	case x < 2:
		return name
	case x < 3:
		return strings.TrimPrefix(name, surname)
	default:
		return oneOf(r, wechatNames)
	}
}
