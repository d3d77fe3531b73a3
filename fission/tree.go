package fission

import (
	"cmp"
	"slices"
	"strconv"
	"time"
)

// Parents maps each participant brought by another participant to that
// inviter (both by participant id). A participant's parent is the inviter
// of the earliest invite that brought their customer and was not void or
// flagged: someone who was already a contact, or whose invite was abuse,
// starts a tree of their own.
func Parents(s Snapshot, o Outcome) map[int64]int64 {
	byCustomer := map[int64]int64{} // customer -> participant
	for _, p := range s.Participants {
		byCustomer[p.CustomerID] = p.ID
	}
	invites := sortedInvites(s.Invites)
	out := map[int64]int64{}
	for _, inv := range invites {
		child, ok := byCustomer[inv.CustomerID]
		if !ok || child == inv.InviterID {
			continue
		}
		if _, done := out[child]; done {
			continue
		}
		switch o.Invites[inv.ID].Status {
		case StatusCounted, StatusLeft, StatusPending:
			out[child] = inv.InviterID
		}
	}
	// A loop (A brought B, B brought A under another account) cannot come
	// from real adds in time order, but a merge of two customers can make
	// one: cut it where it closes.
	for child := range out {
		seen := map[int64]bool{child: true}
		for at := out[child]; at != 0; at = out[at] {
			if seen[at] {
				delete(out, child)
				break
			}
			seen[at] = true
		}
	}
	return out
}

// Depths gives every participant's generation: 0 for those nobody brought,
// 1 for those a generation-0 participant brought, and so on.
func Depths(s Snapshot, parents map[int64]int64) map[int64]int {
	out := map[int64]int{}
	var depth func(id int64, guard int) int
	depth = func(id int64, guard int) int {
		if d, ok := out[id]; ok {
			return d
		}
		parent, ok := parents[id]
		if !ok || guard > len(s.Participants) {
			out[id] = 0
			return 0
		}
		d := depth(parent, guard+1) + 1
		out[id] = d
		return d
	}
	for _, p := range s.Participants {
		depth(p.ID, 0)
	}
	return out
}

// Node is one node of the referral tree, shaped for an ECharts tree series.
type Node struct {
	Name     string    `json:"name"`
	Kind     string    `json:"kind"` // activity, participant, invitee, more
	ID       int64     `json:"id,omitempty"`
	Customer int64     `json:"customer_id,omitempty"`
	Status   string    `json:"status,omitempty"` // of the invite that brought this node
	Reasons  []string  `json:"reasons,omitempty"`
	At       time.Time `json:"at,omitzero"`
	Counted  int       `json:"counted,omitempty"` // participants: invites that count
	Flagged  bool      `json:"flagged,omitempty"`
	Value    int       `json:"value"` // the size of the subtree
	Children []*Node   `json:"children,omitempty"`
}

// Tree builds the referral tree: the activity, under it the participants
// nobody brought, under each participant the people who added through
// their code (themselves participants with their own subtree, or plain
// invitees). At most maxChildren children are kept per node; the rest are
// summed up in a "more" node. maxChildren <= 0 keeps all.
func Tree(s Snapshot, o Outcome, maxChildren int) *Node {
	parents := Parents(s, o)
	root := &Node{Name: s.Activity.Name, Kind: "activity", ID: s.Activity.ID}
	nodes := map[int64]*Node{}
	byCustomer := map[int64]int64{}
	for _, p := range s.Participants {
		st := o.Participants[p.ID]
		nodes[p.ID] = &Node{Name: nameOr(p.CustomerName, p.CustomerID), Kind: "participant", ID: p.ID, Customer: p.CustomerID,
			At: p.JoinedAt, Counted: st.Counted, Flagged: len(st.Flags) > 0}
		byCustomer[p.CustomerID] = p.ID
	}
	for _, inv := range sortedInvites(s.Invites) {
		from, ok := nodes[inv.InviterID]
		if !ok {
			continue
		}
		v := o.Invites[inv.ID]
		if child, ok := byCustomer[inv.CustomerID]; ok && parents[child] == inv.InviterID && nodes[child].Status == "" {
			n := nodes[child]
			n.Status, n.Reasons, n.At = v.Status, v.Reasons, inv.AddedAt
			from.Children = append(from.Children, n)
			continue
		}
		from.Children = append(from.Children, &Node{Name: nameOr(inv.CustomerName, inv.CustomerID), Kind: "invitee", ID: inv.ID,
			Customer: inv.CustomerID, Status: v.Status, Reasons: v.Reasons, At: inv.AddedAt})
	}
	for _, p := range s.Participants {
		if _, ok := parents[p.ID]; !ok {
			root.Children = append(root.Children, nodes[p.ID])
		}
	}
	finish(root, maxChildren, 0)
	return root
}

// finish sizes the subtrees and trims wide nodes. depth guards against a
// cycle that Parents should already have cut.
func finish(n *Node, maxChildren, depth int) int {
	if depth > 1000 {
		n.Children = nil
	}
	if maxChildren > 0 && len(n.Children) > maxChildren {
		rest := len(n.Children) - maxChildren
		n.Children = append(n.Children[:maxChildren:maxChildren], &Node{Name: "+" + strconv.Itoa(rest), Kind: "more", Value: rest})
	}
	size := 1
	for _, c := range n.Children {
		if c.Kind == "more" {
			size += c.Value
			continue
		}
		size += finish(c, maxChildren, depth+1)
	}
	n.Value = size
	return size
}

func nameOr(name string, customerID int64) string {
	if name != "" {
		return name
	}
	return "#" + strconv.FormatInt(customerID, 10)
}

func sortedInvites(in []Invite) []Invite {
	out := slices.Clone(in)
	slices.SortFunc(out, func(x, y Invite) int { return cmp.Or(x.AddedAt.Compare(y.AddedAt), cmp.Compare(x.ID, y.ID)) })
	return out
}
