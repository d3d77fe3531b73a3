package fission

// Metrics sum up an activity. Rates are fractions (0.25 = 25%); a rate
// whose denominator is zero is 0.
type Metrics struct {
	Participants int `json:"participants"`
	Seeds        int `json:"seeds"`     // generation 0: nobody brought them
	Referred     int `json:"referred"`  // brought by another participant
	Referrers    int `json:"referrers"` // brought at least one counted invite
	Completed    int `json:"completed"` // reached the goal

	Invites int `json:"invites"` // every add through a participant's code
	Counted int `json:"counted"`
	Pending int `json:"pending"`
	Left    int `json:"left"`
	Void    int `json:"void"`
	Flagged int `json:"flagged"`

	FlaggedParticipants int `json:"flagged_participants"`
	RewardsIssued       int `json:"rewards_issued"`      // rewards standing now
	RewardsClawedBack   int `json:"rewards_clawed_back"` // rewards taken back and not earned again

	// The viral loop: K = i × c.
	InvitesPerParticipant float64 `json:"invites_per_participant"` // i = Invites / Participants
	Conversion            float64 `json:"conversion"`              // c = Counted / Invites
	KFactor               float64 `json:"k_factor"`                // i × c = Counted / Participants
	// ReferralRate (转介绍率) = Referrers / Participants.
	ReferralRate float64 `json:"referral_rate"`

	Generations []Generation   `json:"generations"`
	Reasons     map[string]int `json:"reasons"` // invites per reason
}

// Generation is one depth of the referral tree.
type Generation struct {
	Depth        int `json:"depth"`
	Participants int `json:"participants"`
	Invites      int `json:"invites"`
	Counted      int `json:"counted"`
	// Joined: invitees of this generation who took part themselves (the
	// participants of the next generation).
	Joined int `json:"joined"`
	// K = Counted / Participants; Conversion = Joined / Counted.
	K          float64 `json:"k"`
	Conversion float64 `json:"conversion"`
}

// Measure computes the metrics of an evaluated snapshot.
func Measure(s Snapshot, o Outcome) Metrics {
	m := Metrics{Participants: len(s.Participants), Reasons: map[string]int{}}
	parents := Parents(s, o)
	depths := Depths(s, parents)
	gens := map[int]*Generation{}
	gen := func(d int) *Generation {
		g, ok := gens[d]
		if !ok {
			g = &Generation{Depth: d}
			gens[d] = g
		}
		return g
	}
	for _, p := range s.Participants {
		st := o.Participants[p.ID]
		d := depths[p.ID]
		g := gen(d)
		g.Participants++
		g.Invites += st.Invites
		g.Counted += st.Counted
		if d == 0 {
			m.Seeds++
		} else {
			m.Referred++
			gen(d-1).Joined++
		}
		if st.Counted > 0 {
			m.Referrers++
		}
		if st.Qualifies {
			m.Completed++
		}
		if len(st.Flags) > 0 {
			m.FlaggedParticipants++
		}
	}
	for _, inv := range s.Invites {
		v := o.Invites[inv.ID]
		m.Invites++
		switch v.Status {
		case StatusCounted:
			m.Counted++
		case StatusPending:
			m.Pending++
		case StatusLeft:
			m.Left++
		case StatusVoid:
			m.Void++
		case StatusFlagged:
			m.Flagged++
		}
		for _, r := range v.Reasons {
			m.Reasons[r]++
		}
	}
	for _, r := range s.Rewards {
		switch r.Status {
		case RewardIssued:
			m.RewardsIssued++
		case RewardClawedBack:
			m.RewardsClawedBack++
		}
	}
	m.InvitesPerParticipant = ratio(m.Invites, m.Participants)
	m.Conversion = ratio(m.Counted, m.Invites)
	m.KFactor = ratio(m.Counted, m.Participants)
	m.ReferralRate = ratio(m.Referrers, m.Participants)
	for d := 0; d < len(gens); d++ {
		g, ok := gens[d]
		if !ok {
			continue
		}
		g.K = ratio(g.Counted, g.Participants)
		g.Conversion = ratio(g.Joined, g.Counted)
		m.Generations = append(m.Generations, *g)
	}
	return m
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
