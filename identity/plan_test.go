package identity

import (
	"reflect"
	"testing"

	"siyu.dev/siyu"
)

func phone(v string) siyu.Identifier { return siyu.Identifier{Kind: siyu.KindPhone, Value: v} }
func union(v string) siyu.Identifier { return siyu.Identifier{Kind: siyu.KindUnionID, Value: v} }
func nick(v string) siyu.Identifier  { return siyu.Identifier{Kind: siyu.KindTaobaoNick, Value: v} }

func rec(ids ...siyu.Identifier) Record { return Record{Identifiers: ids} }

func TestPlanBatch(t *testing.T) {
	tests := []struct {
		name         string
		records      []Record
		owners       Owners
		blocked      [][2]int64
		wantAssign   []int64
		wantNew      []int64
		wantMerges   []Merge
		wantNewIdent int
	}{
		{
			name:         "unknown identifiers create one customer each",
			records:      []Record{rec(phone("13800000001")), rec(phone("13800000002"))},
			wantAssign:   []int64{-1, -2},
			wantNew:      []int64{-1, -2},
			wantNewIdent: 2,
		},
		{
			name:         "same identifier twice in a batch is one customer",
			records:      []Record{rec(phone("13800000001")), rec(phone("13800000001"), nick("小王"))},
			wantAssign:   []int64{-1, -1},
			wantNew:      []int64{-1},
			wantNewIdent: 2,
		},
		{
			name:         "known identifier attaches, new one is added to that customer",
			records:      []Record{rec(phone("13800000001"), nick("小王"))},
			owners:       Owners{phone("13800000001"): 7},
			wantAssign:   []int64{7},
			wantNewIdent: 1,
		},
		{
			name:       "record linking two customers merges into the older",
			records:    []Record{rec(union("u1"), phone("13800000001"))},
			owners:     Owners{phone("13800000001"): 9, union("u1"): 4},
			wantAssign: []int64{4},
			wantMerges: []Merge{{Survivor: 4, Merged: 9, Cause: phone("13800000001"), Record: 0}},
		},
		{
			name:       "unmerged pair is not merged again; record goes to the older",
			records:    []Record{rec(union("u1"), phone("13800000001"))},
			owners:     Owners{phone("13800000001"): 9, union("u1"): 4},
			blocked:    [][2]int64{{4, 9}},
			wantAssign: []int64{4},
		},
		{
			name: "new customer in the batch folds into a stored one it later links to",
			records: []Record{
				rec(phone("13800000001")),
				rec(phone("13800000001"), union("u1")),
			},
			owners:       Owners{union("u1"): 3},
			wantAssign:   []int64{3, 3},
			wantNewIdent: 1,
		},
		{
			name:         "a known customer takes the record and its new identifiers",
			records:      []Record{{Identifiers: []siyu.Identifier{{Kind: siyu.KindExternalUser, Value: "wm1"}}, Known: 6}},
			wantAssign:   []int64{6},
			wantNewIdent: 1,
		},
		{
			name:       "a known customer links to the owner of the record's identifier",
			records:    []Record{{Identifiers: []siyu.Identifier{union("u1")}, Known: 6, KnownCause: siyu.Identifier{Kind: "state", Value: "o:1"}}},
			owners:     Owners{union("u1"): 9},
			wantAssign: []int64{6},
			wantMerges: []Merge{{Survivor: 6, Merged: 9, Cause: union("u1"), Record: 0}},
		},
		{
			name: "chain of links in one batch merges three customers into the oldest",
			records: []Record{
				rec(phone("13800000001"), nick("a")),
				rec(nick("a"), union("u1")),
			},
			owners:     Owners{phone("13800000001"): 5, nick("a"): 8, union("u1"): 2},
			wantAssign: []int64{2, 2},
			wantMerges: []Merge{
				{Survivor: 5, Merged: 8, Cause: nick("a"), Record: 0},
				{Survivor: 2, Merged: 5, Cause: nick("a"), Record: 1},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocked := func(a, b int64) bool {
				for _, p := range tt.blocked {
					if (p[0] == a && p[1] == b) || (p[0] == b && p[1] == a) {
						return true
					}
				}
				return false
			}
			p := PlanBatch(tt.records, tt.owners, blocked)
			if !reflect.DeepEqual(p.Assign, tt.wantAssign) {
				t.Errorf("assign = %v, want %v", p.Assign, tt.wantAssign)
			}
			if len(p.NewCustomers) != len(tt.wantNew) || (len(tt.wantNew) > 0 && !reflect.DeepEqual(p.NewCustomers, tt.wantNew)) {
				t.Errorf("new customers = %v, want %v", p.NewCustomers, tt.wantNew)
			}
			if len(p.Merges) != len(tt.wantMerges) || (len(tt.wantMerges) > 0 && !reflect.DeepEqual(p.Merges, tt.wantMerges)) {
				t.Errorf("merges = %+v, want %+v", p.Merges, tt.wantMerges)
			}
			if len(p.NewIdentities) != tt.wantNewIdent {
				t.Errorf("new identities = %d, want %d", len(p.NewIdentities), tt.wantNewIdent)
			}
		})
	}
}

// The plan must not depend on map iteration order: the same input always
// gives the same plan.
func TestPlanBatchDeterministic(t *testing.T) {
	records := []Record{
		rec(phone("13800000001"), union("u1"), nick("a")),
		rec(nick("b"), union("u1")),
		rec(phone("13800000002"), nick("b")),
	}
	owners := Owners{phone("13800000001"): 11, union("u1"): 12, nick("b"): 13, phone("13800000002"): 10}
	first := PlanBatch(records, owners, nil)
	for range 50 {
		if got := PlanBatch(records, owners, nil); !reflect.DeepEqual(got, first) {
			t.Fatalf("plan changed between runs:\n%+v\n%+v", first, got)
		}
	}
	for _, a := range first.Assign {
		if a != 10 {
			t.Fatalf("all records should end with the oldest customer 10, got %v", first.Assign)
		}
	}
}
