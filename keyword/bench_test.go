package keyword

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// benchCorpus makes 200 keywords in 40 rules and comments of 8 to 60
// characters that look like Douyin and moment comments: Chinese text with
// emoji, punctuation, some Latin and a keyword in about one in five.
func benchCorpus(n int) ([]Rule, []string) {
	r := rand.New(rand.NewPCG(1, 2))
	syll := []rune("的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会家可下而过天去能对小多然于心学么之都好看起发当没成只如事把还用第样道想作种开美总从无情己面最女但现前些所同日手又行意动方期它头经长儿回位分爱老因很给名法间斯知世什两次使身者被高已亲其进此话常与活正感")
	topics := []string{"护肤", "面霜", "精华", "防晒", "真丝", "桑蚕丝", "连衣裙", "衬衫", "敏感肌", "补水", "口红", "粉底", "眼霜", "面膜", "香水", "发货", "快递", "退货", "优惠", "直播"}
	var rules []Rule
	for i := range 40 {
		var kws []string
		for j := range 5 {
			kws = append(kws, fmt.Sprintf("%s%c%c", topics[(i+j)%len(topics)], syll[r.IntN(len(syll))], syll[r.IntN(len(syll))]))
		}
		kws[0] = topics[i%len(topics)] // a short, common one per rule
		rules = append(rules, Rule{ID: fmt.Sprint(i), Keywords: kws})
	}
	decor := []string{"！", "～", "❤️", "😂", "👍🏻", "。。。", "?", " ", "ｔｄ", "OK"}
	comments := make([]string, n)
	for i := range comments {
		var b strings.Builder
		for range 8 + r.IntN(52) {
			switch x := r.IntN(100); {
			case x < 2:
				b.WriteString(topics[r.IntN(len(topics))])
			case x < 8:
				b.WriteString(decor[r.IntN(len(decor))])
			default:
				b.WriteRune(syll[r.IntN(len(syll))])
			}
		}
		comments[i] = b.String()
	}
	return rules, comments
}

// BenchmarkMatchComments is one comment per op; the published figure runs
// it for a million: go test -bench MatchComments -benchtime 1000000x ./keyword/
func BenchmarkMatchComments(b *testing.B) {
	rules, comments := benchCorpus(100_000)
	m, err := Compile(rules)
	if err != nil {
		b.Fatal(err)
	}
	var bytes int64
	for _, c := range comments {
		bytes += int64(len(c))
	}
	b.SetBytes(bytes / int64(len(comments)))
	b.ReportAllocs()
	b.ResetTimer()
	hits := 0
	for i := 0; i < b.N; i++ {
		hits += len(m.Match(comments[i%len(comments)]))
	}
	b.ReportMetric(float64(hits)/float64(b.N), "matches/op")
}

func BenchmarkNormalize(b *testing.B) {
	_, comments := benchCorpus(10_000)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Normalize(comments[i%len(comments)])
	}
}

// BenchmarkNaive is the baseline Match replaces: strings.Contains per
// keyword on the normalised text.
func BenchmarkNaive(b *testing.B) {
	rules, comments := benchCorpus(100_000)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		n := Normalize(comments[i%len(comments)])
		for _, r := range rules {
			for _, k := range r.Keywords {
				if strings.Contains(n, k) {
					break
				}
			}
		}
	}
}
