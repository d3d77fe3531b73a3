package main

import (
	"fmt"
	"time"

	"siyu.dev/siyu"
)

// The seeded customers are numbered 0..n-1; number i always has the same
// phone, name and first order, so a rerun finds them again and repeat
// buyers can be drawn by number.

func phoneOf(i int) string { return fmt.Sprintf("13%09d", i) }

var (
	surnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "高", "罗"}
	given    = []string{"秀英", "静", "丽", "敏", "婷", "雪", "佳怡", "欣然", "思远", "晓雯", "梓涵", "子轩", "雨桐", "浩然", "一诺",
		"嘉怡", "诗涵", "语嫣", "若曦", "明轩", "俊杰", "文博", "天佑", "晨曦", "可馨", "芷若", "书瑶", "慧敏", "海燕", "春梅"}
	places = [][2]string{{"浙江", "杭州"}, {"上海", "上海"}, {"广东", "广州"}, {"广东", "深圳"}, {"北京", "北京"}, {"江苏", "南京"},
		{"四川", "成都"}, {"湖北", "武汉"}, {"福建", "厦门"}, {"山东", "青岛"}}
	channels = []siyu.Channel{siyu.ChannelTmall, siyu.ChannelTmall, siyu.ChannelTaobao, siyu.ChannelJD, siyu.ChannelDouyin,
		siyu.ChannelWeChat, siyu.ChannelYouzan, siyu.ChannelOffline}
)

// nameOf spreads the 600 names evenly (a multiplicative hash), so any
// name matches about n/600 customers.
func nameOf(i int) string {
	h := uint64(i) * 2654435761
	return surnames[h%uint64(len(surnames))] + given[(h/uint64(len(surnames)))%uint64(len(given))]
}

// seedOrder is customer i's first order, placed within the year before
// epoch.
func seedOrder(i int, epoch time.Time) siyu.OrderInput {
	h := uint64(i)*0x9E3779B97F4A7C15 + 1
	paid := epoch.Add(-time.Duration(h%(365*24*3600)) * time.Second)
	place := places[h%uint64(len(places))]
	return siyu.OrderInput{
		Channel:     channels[(h>>20)%uint64(len(channels))],
		ExternalID:  fmt.Sprintf("seed-%d", i),
		Status:      siyu.StatusCompleted,
		PlacedAt:    paid,
		PaidAt:      &paid,
		Amount:      siyu.Fen(9900 + (h>>32)%50000),
		BuyerName:   nameOf(i),
		Receiver:    nameOf(i),
		Province:    place[0],
		City:        place[1],
		Identifiers: []siyu.Identifier{{Kind: siyu.KindPhone, Value: phoneOf(i)}},
	}
}
