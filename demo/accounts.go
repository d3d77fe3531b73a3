package demo

import (
	"time"

	"siyu.dev/siyu"
)

// store is one of the brand's shops; its customers get member cards and are
// added on WeCom by the shop's associates.
type store struct {
	code   string // also the contact state suffix: store_hz01
	name   string
	short  string // what associates write in remarks
	city   string
	weight float64 // share of offline customers
}

var stores = []store{
	{"hz01", "杭州湖滨店", "湖滨店", "杭州市", 35},
	{"sh01", "上海静安店", "静安店", "上海市", 30},
	{"gz01", "广州天河店", "天河店", "广州市", 20},
	{"cd01", "成都太古里店", "太古里店", "成都市", 15},
}

var storePicker = newWeighted(stores, func(s store) float64 { return s.weight })

// Account roles, which decide who adds which customers.
const (
	roleFounder = "founder" // the founder persona, run by the operations team
	roleStore   = "store"   // a shop associate
	roleService = "service" // customer service
)

// accountSpec describes one WeCom member of the brand. Joined is in days
// after the window starts (negative: before it); LeftDaysAgo > 0 means the
// person has left and the account is inactive.
type accountSpec struct {
	userID, name, persona string
	role                  string
	store                 string
	joined, leftDaysAgo   int
}

var accountSpecs = []accountSpec{
	{"MuMianXiaoMian", "木棉·小棉", "创始人小棉（运营团队共同运营）", roleFounder, "", -400, 0},
	{"HZ01-LinXiao", "杭州湖滨店·小林", "", roleStore, "hz01", 120, 0},
	{"HZ01-AMei", "杭州湖滨店·阿梅", "", roleStore, "hz01", -300, 240},
	{"SH01-AWen", "上海静安店·阿雯", "", roleStore, "sh01", -200, 0},
	{"GZ01-ChenXiao", "广州天河店·小陈", "", roleStore, "gz01", -150, 0},
	{"CD01-TangXiao", "成都太古里店·小唐", "", roleStore, "cd01", 30, 0},
	{"Service-ChengZi", "木棉客服·橙子", "", roleService, "", -380, 0},
	{"Service-QiQi", "木棉客服·七七", "", roleService, "", 90, 0},
	{"AfterSale-AJie", "木棉售后·阿杰", "", roleService, "", -100, 0},
}

// account is an accountSpec placed on the calendar.
type account struct {
	accountSpec
	from, until time.Time // when it can add customers
}

func newAccounts(c *calendar) []account {
	out := make([]account, len(accountSpecs))
	for i, s := range accountSpecs {
		a := account{accountSpec: s, from: c.first.AddDate(0, 0, s.joined), until: c.now}
		if s.leftDaysAgo > 0 {
			a.until = c.now.AddDate(0, 0, -s.leftDaysAgo)
		}
		out[i] = a
	}
	return out
}

func (a account) domain() siyu.Account {
	return siyu.Account{
		WeComUserID: a.userID,
		Name:        a.name,
		Persona:     a.persona,
		Active:      a.leftDaysAgo == 0,
		CreatedAt:   a.from.UTC(),
	}
}
