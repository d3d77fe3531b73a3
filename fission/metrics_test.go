package fission

import (
	"encoding/xml"
	"math"
	"reflect"
	"strings"
	"testing"
)

// A three-generation activity:
//
//	A (seed) ── B (joined, brought C) ── C (joined, brought nobody)
//	         └─ x (plain invitee)
//	         └─ A herself (self invite)
//	D (seed) ── y (left within the window)
func generations() Snapshot {
	return Snapshot{
		Activity: activity(),
		Participants: []Participant{
			{ID: 1, CustomerID: 100, CustomerName: "A", JoinedAt: at(0)},
			{ID: 2, CustomerID: 200, CustomerName: "B", JoinedAt: at(20)},
			{ID: 3, CustomerID: 300, CustomerName: "C", JoinedAt: at(40)},
			{ID: 4, CustomerID: 400, CustomerName: "D", JoinedAt: at(0)},
		},
		Invites: []Invite{
			{ID: 1, InviterID: 1, CustomerID: 200, CustomerName: "B", ExternalUserID: "wmB", AddedAt: at(10)},
			{ID: 2, InviterID: 1, CustomerID: 900, CustomerName: "x", ExternalUserID: "wmx", AddedAt: at(15)},
			{ID: 3, InviterID: 1, CustomerID: 100, CustomerName: "A", ExternalUserID: "wmA2", AddedAt: at(16)},
			{ID: 4, InviterID: 2, CustomerID: 300, CustomerName: "C", ExternalUserID: "wmC", AddedAt: at(30)},
			{ID: 5, InviterID: 4, CustomerID: 901, CustomerName: "y", ExternalUserID: "wmy", AddedAt: at(30), LeftAt: ptr(at(300))},
		},
		Rewards: []Reward{{ParticipantID: 1, Status: RewardIssued}, {ParticipantID: 4, Status: RewardClawedBack}},
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestMeasure(t *testing.T) {
	s := generations()
	o := Evaluate(s)
	m := Measure(s, o)
	want := Metrics{Participants: 4, Seeds: 2, Referred: 2, Referrers: 2, Completed: 1, Invites: 5, Counted: 3, Left: 1, Flagged: 1,
		FlaggedParticipants: 1, RewardsIssued: 1, RewardsClawedBack: 1}
	got := m
	got.Generations, got.Reasons = nil, nil
	got.InvitesPerParticipant, got.Conversion, got.KFactor, got.ReferralRate = 0, 0, 0, 0
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("counts\n got %+v\nwant %+v", got, want)
	}
	if !near(m.InvitesPerParticipant, 5.0/4) || !near(m.Conversion, 3.0/5) || !near(m.KFactor, 3.0/4) || !near(m.KFactor, m.InvitesPerParticipant*m.Conversion) {
		t.Fatalf("i %v c %v K %v", m.InvitesPerParticipant, m.Conversion, m.KFactor)
	}
	if !near(m.ReferralRate, 2.0/4) {
		t.Fatalf("referral rate %v", m.ReferralRate)
	}
	if m.Reasons[ReasonSelfInvite] != 1 || m.Reasons[ReasonLeft] != 1 {
		t.Fatalf("reasons %v", m.Reasons)
	}
	gens := []Generation{
		{Depth: 0, Participants: 2, Invites: 4, Counted: 2, Joined: 1, K: 1, Conversion: 0.5},
		{Depth: 1, Participants: 1, Invites: 1, Counted: 1, Joined: 1, K: 1, Conversion: 1},
		{Depth: 2, Participants: 1},
	}
	if len(m.Generations) != len(gens) {
		t.Fatalf("generations %+v", m.Generations)
	}
	for i, g := range gens {
		if m.Generations[i] != g {
			t.Errorf("generation %d: %+v, want %+v", i, m.Generations[i], g)
		}
	}
}

func TestMeasureEmpty(t *testing.T) {
	m := Measure(Snapshot{Activity: activity()}, Evaluate(Snapshot{Activity: activity()}))
	if m.KFactor != 0 || m.ReferralRate != 0 || len(m.Generations) != 0 {
		t.Fatalf("%+v", m)
	}
}

func TestTree(t *testing.T) {
	s := generations()
	o := Evaluate(s)
	root := Tree(s, o, 0)
	var render func(n *Node, depth int) string
	render = func(n *Node, depth int) string {
		line := strings.Repeat("  ", depth) + n.Kind + ":" + n.Name
		if n.Status != "" {
			line += " " + n.Status
		}
		out := line + "\n"
		for _, c := range n.Children {
			out += render(c, depth+1)
		}
		return out
	}
	want := `activity:期中试卷
  participant:A
    participant:B counted
      participant:C counted
    invitee:x counted
    invitee:A flagged
  participant:D
    invitee:y left
`
	if got := render(root, 0); got != want {
		t.Fatalf("tree\n%s\nwant\n%s", got, want)
	}
	if root.Value != 8 {
		t.Fatalf("root value %d", root.Value)
	}
	trimmed := Tree(s, o, 1)
	a := trimmed.Children[0]
	if len(a.Children) != 2 || a.Children[1].Kind != "more" || a.Children[1].Name != "+2" {
		t.Fatalf("trimmed children %+v", a.Children)
	}
}

func TestParentsIgnoreVoidAndFlaggedInvites(t *testing.T) {
	s := generations()
	// B was a contact before A's invite: B starts a tree of her own.
	s.Invites[0].PriorContactAt = ptr(at(-100))
	o := Evaluate(s)
	p := Parents(s, o)
	if _, ok := p[2]; ok {
		t.Fatalf("B should be a seed: %v", p)
	}
	if p[3] != 2 {
		t.Fatalf("C's parent %d", p[3])
	}
	d := Depths(s, p)
	if d[2] != 0 || d[3] != 1 {
		t.Fatalf("depths %v", d)
	}
}

func TestPosterEscapesAndParses(t *testing.T) {
	svg := Poster(PosterInput{Activity: `邀请 2 位家长 <script>alert(1)</script> 领取期中试卷全套电子版及答案解析`, Reward: `试卷 & "答案"`, Goal: 2,
		Inviter: "王妈妈", QRCode: `https://wework.qpic.cn/wwpic/abc"onload="x/0`, Code: "fx1-abcdefghjk"})
	s := string(svg)
	if strings.Contains(s, "<script>") || strings.Contains(s, `"onload`) {
		t.Fatalf("unescaped input:\n%s", s)
	}
	d := xml.NewDecoder(strings.NewReader(s))
	texts := 0
	for {
		tok, err := d.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("not well-formed: %v", err)
			}
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "text" {
			texts++
		}
	}
	if texts < 5 || !strings.Contains(s, "邀请 2 位好友") || !strings.Contains(s, "王妈妈") || !strings.Contains(s, "fx1-abcdefghjk") {
		t.Fatalf("poster misses text (%d text elements):\n%s", texts, s)
	}
	if en := string(Poster(PosterInput{Activity: "x", Reward: "y", Goal: 3, Lang: "en"})); !strings.Contains(en, "Invite 3 friends") || strings.Contains(en, "<image") {
		t.Fatalf("english poster without QR:\n%s", en)
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		in    string
		n, ls int
		want  []string
	}{
		{"短", 4, 2, []string{"短"}},
		{"一二三四五六", 4, 2, []string{"一二三四", "五六"}},
		{"一二三四五六七八九", 4, 2, []string{"一二三四", "五六七…"}},
		{"  a   b  ", 4, 2, []string{"a b"}},
		{"", 4, 2, nil},
	}
	for _, tt := range tests {
		got := wrap(tt.in, tt.n, tt.ls)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("wrap(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
