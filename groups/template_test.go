package groups

import (
	"errors"
	"strings"
	"testing"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
)

func TestCheckTemplate(t *testing.T) {
	ok := func() store.GroupTemplate {
		return store.GroupTemplate{Name: "考前冲刺", NamePattern: "考前冲刺群{{n}}", OwnerAccountID: 1}
	}
	tests := []struct {
		name   string
		edit   func(*store.GroupTemplate)
		field  string // "" = valid
		verify func(store.GroupTemplate) bool
	}{
		{"defaults", func(*store.GroupTemplate) {}, "", func(g store.GroupTemplate) bool { return g.MemberCap == DefaultMemberCap }},
		{"pattern without n gets it", func(g *store.GroupTemplate) { g.NamePattern = "冲刺群" }, "", func(g store.GroupTemplate) bool { return g.NamePattern == "冲刺群{{n}}" }},
		{"no pattern uses the name", func(g *store.GroupTemplate) { g.NamePattern = "" }, "", func(g store.GroupTemplate) bool { return g.NamePattern == "考前冲刺{{n}}" }},
		{"missing name", func(g *store.GroupTemplate) { g.Name = " " }, "name", nil},
		{"n twice", func(g *store.GroupTemplate) { g.NamePattern = "{{n}}群{{n}}" }, "name_pattern", nil},
		{"unknown variable", func(g *store.GroupTemplate) { g.NamePattern = "{{city}}群{{n}}" }, "name_pattern", nil},
		{"nothing before n", func(g *store.GroupTemplate) { g.NamePattern = "{{n}}班" }, "name_pattern", nil},
		{"base name too long", func(g *store.GroupTemplate) { g.NamePattern = strings.Repeat("群", 41) + "{{n}}" }, "name_pattern", nil},
		{"cap too big", func(g *store.GroupTemplate) { g.MemberCap = 501 }, "member_cap", nil},
		{"cap too small", func(g *store.GroupTemplate) { g.MemberCap = 1 }, "member_cap", nil},
		{"no owner", func(g *store.GroupTemplate) { g.OwnerAccountID = 0 }, "owner_account_id", nil},
		{"empty admin", func(g *store.GroupTemplate) { g.Admins = []string{"a", " "} }, "admins[1]", nil},
		{"long welcome", func(g *store.GroupTemplate) { g.Welcome = strings.Repeat("欢", 1400) }, "welcome", nil},
		{"layer without tutor", func(g *store.GroupTemplate) { g.Layers = []store.GroupLayer{{Name: "1组"}} }, "layers[0].tutor_account_id", nil},
		{"duplicate layer", func(g *store.GroupTemplate) {
			g.Layers = []store.GroupLayer{{Name: "1组", TutorAccountID: 2}, {Name: "1组", TutorAccountID: 3}}
		}, "layers[1].name", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := ok()
			tc.edit(&g)
			err := CheckTemplate(&g)
			if tc.field == "" {
				if err != nil || !tc.verify(g) {
					t.Fatalf("got %+v, %v", g, err)
				}
				return
			}
			if !errors.Is(err, siyu.ErrInvalid) || !strings.Contains(err.Error(), tc.field+":") {
				t.Fatalf("error %v, want one naming %s", err, tc.field)
			}
		})
	}
	if got := GroupName("考前冲刺群{{n}}", 12); got != "考前冲刺群12" {
		t.Fatalf("GroupName = %q", got)
	}
}

func TestJoinChatsKeepsGroupsWithRoom(t *testing.T) {
	g := func(chat string, members int, dismissed bool) store.ActivityGroup {
		ag := store.ActivityGroup{ChatID: chat, Members: members, Role: store.GroupRoleMain}
		if dismissed {
			ag.DismissedAt = new(ag.CreatedAt)
		}
		return ag
	}
	tests := []struct {
		groups []store.ActivityGroup
		want   string
		full   bool
	}{
		{[]store.ActivityGroup{g("a", 1, false)}, "a", false},
		{[]store.ActivityGroup{g("a", 4, false), g("b", 1, false)}, "b", false},
		{[]store.ActivityGroup{g("a", 4, false), g("b", 4, false)}, "b", true},
		{[]store.ActivityGroup{g("a", 0, true), g("b", 0, false), g("c", 0, false), g("d", 0, false), g("e", 0, false), g("f", 0, false), g("h", 0, false)}, "b c d e f", false},
	}
	for _, tc := range tests {
		chats, full := joinChats(tc.groups, 5)
		if strings.Join(chats, " ") != tc.want || full != tc.full {
			t.Errorf("joinChats(%v) = %v %v, want %s %v", tc.groups, chats, full, tc.want, tc.full)
		}
	}
}

func FuzzCheckTemplate(f *testing.F) {
	f.Add("考前冲刺", "考前冲刺群{{n}}", 200)
	f.Add("x", "{{n}}{{n}}", 0)
	f.Add("", "{{", -1)
	f.Fuzz(func(t *testing.T, name, pattern string, cap int) {
		g := store.GroupTemplate{Name: name, NamePattern: pattern, MemberCap: cap, OwnerAccountID: 1}
		if CheckTemplate(&g) != nil {
			return
		}
		if strings.Count(g.NamePattern, seqPlaceholder) != 1 || g.MemberCap < 2 || g.MemberCap > MaxMemberCap || roomBaseName(g.NamePattern) == "" {
			t.Fatalf("accepted %+v", g)
		}
	})
}
