package emulator

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"siyu.dev/siyu"
)

// User is one simulated WeChat user: who they are on WeChat (Nickname,
// UnionID), what the corp sees of them (ExternalUserID), and what the shops
// know (real Name, Phone, shop account names) so that their orders can be
// joined to their WeChat identity.
type User struct {
	Index          int          `json:"index"`
	Name           string       `json:"name"`     // real name, as on parcels
	Nickname       string       `json:"nickname"` // WeChat name, what WeCom shows as external_contact.name
	Gender         int          `json:"gender"`   // 1 male, 2 female
	UnionID        string       `json:"unionid"`
	ExternalUserID string       `json:"external_userid"`
	Phone          string       `json:"phone,omitempty"` // empty when no shop knows it
	Province       string       `json:"province"`
	City           string       `json:"city"`
	Address        string       `json:"address"`
	TaobaoNick     string       `json:"taobao_nick"`
	JDBuyerID      string       `json:"jd_buyer_id"`
	DouyinOpenID   string       `json:"douyin_open_id"`
	Channel        siyu.Channel `json:"channel"` // where they usually shop
}

// person is a User plus the traits that drive their behaviour.
type person struct {
	User
	buyRate    float64 // orders per year when not a customer
	engagement float64 // scales likes and comments, 0.2..1.8
}

// channelShares: where the brand's buyers shop.
var channelShares = []struct {
	ch siyu.Channel
	w  float64
}{
	{siyu.ChannelWeChat, 30}, {siyu.ChannelTmall, 30}, {siyu.ChannelTaobao, 10}, {siyu.ChannelJD, 15},
	{siyu.ChannelYouzan, 5}, {siyu.ChannelDouyin, 10},
}

func pickChannel(r *rand.Rand) siyu.Channel {
	total := 0.0
	for _, s := range channelShares {
		total += s.w
	}
	x := r.Float64() * total
	for _, s := range channelShares {
		if x < s.w {
			return s.ch
		}
		x -= s.w
	}
	return channelShares[0].ch
}

// newPeople draws the population. It depends only on the seed, the corp and
// the Population settings, never on the Policy or on calls made later.
func newPeople(r *rand.Rand, corpID string, pop Population) []*person {
	people := make([]*person, max(pop.Users, 0))
	seen := map[string]bool{}
	unique := func(gen func() string) string {
		for {
			v := gen()
			if !seen[v] {
				seen[v] = true
				return v
			}
		}
	}
	for i := range people {
		p := &person{}
		p.Index = i
		female := r.Float64() < 0.8 // the demo brand sells mostly to women
		surname := pickSurname(r)
		if female {
			p.Gender = 2
			p.Name = surname + oneOf(r, femaleGiven)
		} else {
			p.Gender = 1
			p.Name = surname + oneOf(r, maleGiven)
		}
		if r.Float64() < 0.25 {
			p.Nickname = p.Name
		} else {
			p.Nickname = oneOf(r, nicknames)
		}
		p.UnionID = unique(func() string { return "o" + randString(r, idChars, 27) })
		p.ExternalUserID = externalUserID(corpID, p.UnionID)
		if r.Float64() < pop.PhoneShare {
			p.Phone = unique(func() string {
				return "1" + strconv.Itoa(3+r.IntN(7)) + fmt.Sprintf("%09d", r.IntN(1_000_000_000))
			})
		}
		place := oneOf(r, places)
		p.Province, p.City = place[0], place[1]
		p.Address = oneOf(r, districts) + oneOf(r, streets) + strconv.Itoa(1+r.IntN(300)) + "号"
		p.TaobaoNick = unique(func() string { return oneOf(r, nicknames) + strconv.Itoa(1000+r.IntN(9000)) })
		p.JDBuyerID = unique(func() string { return "jd_" + randString(r, "0123456789abcdefghijklmnopqrstuvwxyz", 10) })
		p.DouyinOpenID = "_000" + externalUserID("douyin", p.UnionID)[2:]
		p.Channel = pickChannel(r)
		// Purchase rates are skewed: most people buy rarely, a few often
		// (a gamma with shape 0.5 has that shape; the sum of squared normals
		// gives it without a gamma sampler).
		z := r.NormFloat64()
		p.buyRate = pop.OrdersPerYear * z * z
		p.engagement = 0.2 + 1.6*r.Float64()
		people[i] = p
	}
	return people
}

// maxDelay bounds simulated waiting times: beyond it something simply never
// happens (and time.Duration would overflow).
const maxDelay = 50 * 365 * 24 * time.Hour

// expDelay draws an exponential waiting time with the given mean; ok is
// false when it is longer than maxDelay.
func expDelay(r *rand.Rand, mean time.Duration) (d time.Duration, ok bool) {
	x := -float64(mean) * math.Log(1-r.Float64())
	if x >= float64(maxDelay) {
		return maxDelay, false
	}
	return time.Duration(x), true
}
