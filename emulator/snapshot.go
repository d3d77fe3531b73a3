package emulator

import (
	"slices"
	"time"
)

// Snapshot is the emulator's whole state as WeCom holds it, for tests that
// compare it with what a client synced, and for the demo's inspector.
type Snapshot struct {
	Now          time.Time             `json:"now"`
	CorpID       string                `json:"corpid"`
	Members      []MemberSnapshot      `json:"members"`
	TagGroups    []TagGroupSnapshot    `json:"tag_groups"`
	Groups       []GroupSnapshot       `json:"groups"`
	ContactWays  []ContactWaySnapshot  `json:"contact_ways"`
	JoinWays     []JoinWaySnapshot     `json:"join_ways"`
	MassMessages []MassMessageSnapshot `json:"mass_messages"`
	Moments      []MomentSnapshot      `json:"moments"`
	Orders       int                   `json:"orders"`
	Events       int                   `json:"events"`
}

// MemberSnapshot is a member and their customers.
type MemberSnapshot struct {
	UserID   string            `json:"userid"`
	Name     string            `json:"name"`
	Resigned bool              `json:"resigned,omitempty"`
	Contacts []ContactSnapshot `json:"contacts"`
}

// ContactSnapshot is one customer of a member.
type ContactSnapshot struct {
	ExternalUserID string    `json:"external_userid"`
	UserIndex      int       `json:"user_index"` // in Users()
	Name           string    `json:"name"`
	UnionID        string    `json:"unionid"`
	State          string    `json:"state,omitempty"`
	AddWay         int       `json:"add_way"`
	AddedAt        time.Time `json:"added_at"`
	Remark         string    `json:"remark,omitempty"`
	Tags           []string  `json:"tags,omitempty"` // corp tag ids
	Welcomed       bool      `json:"welcomed,omitempty"`
}

// TagGroupSnapshot is a corp tag group.
type TagGroupSnapshot struct {
	ID    string        `json:"id"`
	Name  string        `json:"name"`
	Order uint32        `json:"order"`
	Tags  []TagSnapshot `json:"tags"`
}

// TagSnapshot is a corp tag.
type TagSnapshot struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Order uint32 `json:"order"`
}

// GroupSnapshot is a customer group.
type GroupSnapshot struct {
	ChatID    string                `json:"chat_id"`
	Name      string                `json:"name"`
	Owner     string                `json:"owner"`
	CreatedAt time.Time             `json:"created_at"`
	Status    int                   `json:"status"`
	Dismissed bool                  `json:"dismissed,omitempty"`
	Members   []GroupMemberSnapshot `json:"members"`
}

// GroupMemberSnapshot is a group member: a member (Type 1) or a WeChat user
// (Type 2, UserID is their external_userid).
type GroupMemberSnapshot struct {
	UserID    string    `json:"userid"`
	Type      int       `json:"type"`
	JoinScene int       `json:"join_scene"`
	JoinedAt  time.Time `json:"joined_at"`
	State     string    `json:"state,omitempty"`
}

// ContactWaySnapshot is a contact way (「联系我」).
type ContactWaySnapshot struct {
	ConfigID   string    `json:"config_id"`
	State      string    `json:"state,omitempty"`
	Users      []string  `json:"users"`
	SkipVerify bool      `json:"skip_verify"`
	IsTemp     bool      `json:"is_temp,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// JoinWaySnapshot is a join way (「加入群聊」).
type JoinWaySnapshot struct {
	ConfigID string   `json:"config_id"`
	State    string   `json:"state,omitempty"`
	ChatIDs  []string `json:"chat_ids"`
	AutoRoom bool     `json:"auto_create_room"`
}

// MassMessageSnapshot is a mass message and where it stands.
type MassMessageSnapshot struct {
	MsgID    string             `json:"msgid"`
	ChatType string             `json:"chat_type"`
	Canceled bool               `json:"canceled,omitempty"`
	Tasks    []MassTaskSnapshot `json:"tasks"`
}

// MassTaskSnapshot is one sender's part of a mass message. Sent counts the
// recipients by send status (0 not sent, 1 sent, 2 not a friend, 3 capped).
type MassTaskSnapshot struct {
	UserID    string      `json:"userid"`
	Confirmed bool        `json:"confirmed"`
	Status    map[int]int `json:"status"`
}

// MomentSnapshot is a corp moment and its reach.
type MomentSnapshot struct {
	MomentID string               `json:"moment_id"`
	Canceled bool                 `json:"canceled,omitempty"`
	Tasks    []MomentTaskSnapshot `json:"tasks"`
}

// MomentTaskSnapshot is one member's post of a moment.
type MomentTaskSnapshot struct {
	UserID    string `json:"userid"`
	Published bool   `json:"published"`
	Reached   int    `json:"reached"`
	Likes     int    `json:"likes"`
	Comments  int    `json:"comments"`
}

// Snapshot returns the current state.
func (e *Emulator) Snapshot() Snapshot {
	now := e.lockedNow()
	defer e.mu.Unlock()
	s := Snapshot{Now: now, CorpID: e.cfg.CorpID, Orders: len(e.orders), Events: len(e.events)}
	for _, m := range e.st.members {
		ms := MemberSnapshot{UserID: m.UserID, Name: m.Name, Resigned: m.resigned, Contacts: []ContactSnapshot{}}
		for _, f := range m.follows {
			p := e.personBy[f.extID]
			ms.Contacts = append(ms.Contacts, ContactSnapshot{
				ExternalUserID: f.extID, UserIndex: p.Index, Name: p.Nickname, UnionID: p.UnionID, State: f.state,
				AddWay: f.addWay, AddedAt: f.createTime, Remark: f.remark, Tags: slices.Clone(f.tags), Welcomed: !f.welcomed.IsZero(),
			})
		}
		s.Members = append(s.Members, ms)
	}
	for _, g := range sortTagGroups(e.st.tagGroups) {
		tg := TagGroupSnapshot{ID: g.id, Name: g.name, Order: g.order}
		for _, t := range sortTags(g.tags) {
			tg.Tags = append(tg.Tags, TagSnapshot{ID: t.id, Name: t.name, Order: t.order})
		}
		s.TagGroups = append(s.TagGroups, tg)
	}
	for _, g := range e.st.groups {
		gs := GroupSnapshot{ChatID: g.chatID, Name: g.name, Owner: g.owner, CreatedAt: g.created, Status: g.status, Dismissed: g.dismissed}
		for _, m := range g.members {
			gs.Members = append(gs.Members, GroupMemberSnapshot{UserID: m.userID, Type: m.typ, JoinScene: m.joinScene, JoinedAt: m.joinTime, State: m.state})
		}
		s.Groups = append(s.Groups, gs)
	}
	for _, w := range e.st.contactWays {
		if !w.deleted {
			s.ContactWays = append(s.ContactWays, ContactWaySnapshot{
				ConfigID: w.ConfigID, State: w.State, Users: slices.Clone(w.User), SkipVerify: w.SkipVerify, IsTemp: w.IsTemp, CreatedAt: w.created,
			})
		}
	}
	for _, w := range e.st.joinWays {
		if !w.deleted {
			s.JoinWays = append(s.JoinWays, JoinWaySnapshot{ConfigID: w.ConfigID, State: w.State, ChatIDs: slices.Clone(w.ChatIDList), AutoRoom: w.AutoCreateRoom == 1})
		}
	}
	for _, m := range e.st.massMsgs {
		ms := MassMessageSnapshot{MsgID: m.msgID, ChatType: m.chatType, Canceled: m.canceled}
		for _, t := range m.tasks {
			ts := MassTaskSnapshot{UserID: t.userID, Confirmed: t.status == 2, Status: map[int]int{}}
			for _, tg := range t.targets {
				ts.Status[tg.status]++
			}
			ms.Tasks = append(ms.Tasks, ts)
		}
		s.MassMessages = append(s.MassMessages, ms)
	}
	for _, m := range e.st.moments {
		ms := MomentSnapshot{MomentID: m.id, Canceled: m.canceled}
		for _, t := range m.tasks {
			ms.Tasks = append(ms.Tasks, MomentTaskSnapshot{
				UserID: t.userID, Published: t.published, Reached: len(t.delivered), Likes: len(t.likes), Comments: len(t.comments),
			})
		}
		s.Moments = append(s.Moments, ms)
	}
	return s
}
