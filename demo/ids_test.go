package demo

import (
	"testing"
	"time"
)

func TestPermuteIsABijection(t *testing.T) {
	for _, n := range []uint64{1, 2, 3, 10, 1000, 4096, 100_000} {
		seen := make([]bool, n)
		for x := range n {
			y := permute(x, n, 0xfeed)
			if y >= n || seen[y] {
				t.Fatalf("n=%d: permute(%d)=%d out of range or repeated", n, x, y)
			}
			seen[y] = true
		}
	}
}

func TestDerivedIdentifiersAreUnique(t *testing.T) {
	d := newIDs(9, 200_000)
	kinds := map[string]func(int) string{
		"phone": d.phone, "nick": d.taobaoNick, "jd": d.jdBuyerID, "douyin": d.douyinOpenID, "openid": d.openID,
		"unionid": d.unionID, "external": d.externalUserID, "member": d.memberNo, "youzan": d.youzanBuyerID,
	}
	for name, f := range kinds {
		seen := make(map[string]bool, 200_000)
		for i := range 200_000 {
			v := f(i)
			if seen[v] {
				t.Fatalf("%s %q derived twice", name, v)
			}
			seen[v] = true
		}
	}
}

func TestCalendar(t *testing.T) {
	c := newCalendar(testNow, 2)
	if got := c.total() / float64(c.days()); got < 0.99 || got > 1.01 {
		t.Errorf("mean day weight %.3f; want 1", got)
	}
	if c.dayStart(c.days()-1).After(testNow) || c.dayStart(0).Before(testNow.AddDate(-2, 0, 0)) {
		t.Errorf("window %v .. %v does not end at %v", c.dayStart(0), c.dayStart(c.days()-1), testNow)
	}
	double11 := c.dayOf(time.Date(2024, 11, 11, 12, 0, 0, 0, testNow.Location()))
	if c.weight[double11] < 5 || c.kind[double11] != midnightSale {
		t.Errorf("双11 weight %.1f", c.weight[double11])
	}
}
