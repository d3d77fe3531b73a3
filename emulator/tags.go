package emulator

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"siyu.dev/siyu/wecom"
)

// maxCorpTags is the corp-wide tag limit (errcode 40126).
const maxCorpTags = 3000

const (
	errCodeMissingTagName  = 41018 // 缺少标签名
	errCodeTagNameLength   = 40072 // 不合法的标签名字长度
	errCodeTooManyCorpTags = 40126 // 企业标签个数达到上限
)

func checkTagName(name string) *Error {
	if strings.TrimSpace(name) == "" {
		return errorf(errCodeMissingTagName, "missing tag name")
	}
	if n := utf8.RuneCountInString(name); n > wecom.MaxTagNameLen {
		return errorf(errCodeTagNameLength, "tag name too long: %d chars, max %d", n, wecom.MaxTagNameLen)
	}
	return nil
}

func sortTagGroups(gs []*tagGroup) []*tagGroup {
	out := slices.Clone(gs)
	// Bigger order first; equal orders keep creation order.
	slices.SortStableFunc(out, func(a, b *tagGroup) int { return cmp.Compare(b.order, a.order) })
	return out
}

func sortTags(ts []*corpTag) []*corpTag {
	out := slices.Clone(ts)
	slices.SortStableFunc(out, func(a, b *corpTag) int { return cmp.Compare(b.order, a.order) })
	return out
}

func wireTagGroup(g *tagGroup, only func(*corpTag) bool) wecom.CorpTagGroup {
	w := wecom.CorpTagGroup{
		GroupID: g.id, GroupName: g.name, CreateTime: wecom.Timestamp(g.created.Unix()), Order: g.order, Tag: []wecom.CorpTag{},
	}
	for _, t := range sortTags(g.tags) {
		if only == nil || only(t) {
			w.Tag = append(w.Tag, wecom.CorpTag{ID: t.id, Name: t.name, CreateTime: wecom.Timestamp(t.created.Unix()), Order: t.order})
		}
	}
	return w
}

// createTags adds tags to a group named by id, or by name (created when
// missing). It is shared by add_corp_tag and the admin-console control call.
func (e *Emulator) createTags(groupID, groupName string, order uint32, tags []wecom.NewCorpTag, at time.Time) (*tagGroup, []*corpTag, bool, *Error) {
	if len(tags) == 0 {
		return nil, nil, false, errorf(errCodeMissingTagName, "missing tag")
	}
	var g *tagGroup
	switch {
	case groupID != "":
		if g = e.st.groupBy[groupID]; g == nil {
			return nil, nil, false, errorf(wecom.ErrCodeInvalidTagID, "invalid tag group id: %s", groupID)
		}
	case groupName != "":
		if err := checkTagName(groupName); err != nil {
			return nil, nil, false, err
		}
		for _, x := range e.st.tagGroups {
			if x.name == groupName {
				g = x
			}
		}
	default:
		return nil, nil, false, errorf(wecom.ErrCodeInvalidParameter, "group_id or group_name required")
	}
	if len(e.st.tags)+len(tags) > maxCorpTags {
		return nil, nil, false, errorf(errCodeTooManyCorpTags, "corp tag count exceeds %d", maxCorpTags)
	}
	seen := map[string]bool{}
	if g != nil {
		for _, t := range g.tags {
			seen[t.name] = true
		}
	}
	for _, t := range tags {
		if err := checkTagName(t.Name); err != nil {
			return nil, nil, false, err
		}
		if seen[t.Name] {
			return nil, nil, false, errorf(wecom.ErrCodeTagNameExists, "tag name exists: %s", t.Name)
		}
		seen[t.Name] = true
	}
	newGroup := g == nil
	if newGroup {
		g = &tagGroup{id: e.id.tagID(), name: groupName, created: at, order: order}
		e.st.tagGroups = append(e.st.tagGroups, g)
		e.st.groupBy[g.id] = g
	}
	var made []*corpTag
	for _, nt := range tags {
		t := &corpTag{id: e.id.tagID(), name: nt.Name, created: at, order: nt.Order, group: g}
		g.tags = append(g.tags, t)
		e.st.tags[t.id] = t
		made = append(made, t)
	}
	return g, made, newGroup, nil
}

// deleteTag removes a tag from the corp and from every customer.
func (e *Emulator) deleteTag(t *corpTag) {
	g := t.group
	g.tags = slices.DeleteFunc(g.tags, func(x *corpTag) bool { return x == t })
	delete(e.st.tags, t.id)
	for _, m := range e.st.members {
		for _, f := range m.follows {
			f.tags = slices.DeleteFunc(f.tags, func(id string) bool { return id == t.id })
		}
	}
	if len(g.tags) == 0 { // a group cannot be empty: it goes with its last tag
		e.deleteTagGroup(g)
	}
}

func (e *Emulator) deleteTagGroup(g *tagGroup) {
	for _, t := range slices.Clone(g.tags) {
		g.tags = slices.DeleteFunc(g.tags, func(x *corpTag) bool { return x == t })
		delete(e.st.tags, t.id)
		for _, m := range e.st.members {
			for _, f := range m.follows {
				f.tags = slices.DeleteFunc(f.tags, func(id string) bool { return id == t.id })
			}
		}
	}
	e.st.tagGroups = slices.DeleteFunc(e.st.tagGroups, func(x *tagGroup) bool { return x == g })
	delete(e.st.groupBy, g.id)
}

// markTags changes the corp tags on one relation.
func (e *Emulator) markTags(f *follow, add, remove []string) *Error {
	if len(add) == 0 && len(remove) == 0 {
		return errorf(wecom.ErrCodeInvalidParameter, "add_tag and remove_tag are both empty")
	}
	for _, id := range append(slices.Clone(add), remove...) {
		if e.st.tags[id] == nil {
			return errorf(wecom.ErrCodeInvalidTagID, "invalid tag id: %s", id)
		}
	}
	for _, id := range add {
		if !slices.Contains(f.tags, id) {
			f.tags = append(f.tags, id)
		}
	}
	f.tags = slices.DeleteFunc(f.tags, func(id string) bool { return slices.Contains(remove, id) && !slices.Contains(add, id) })
	return nil
}

// POST get_corp_tag_list
func apiGetCorpTagList(e *Emulator, c *call) (any, error) {
	var req wecom.GetCorpTagListRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	resp := wecom.GetCorpTagListResponse{Response: wecom.OK, TagGroup: []wecom.CorpTagGroup{}}
	for _, g := range sortTagGroups(e.st.tagGroups) {
		switch {
		case len(req.GroupID) > 0: // group_id wins over tag_id
			if slices.Contains(req.GroupID, g.id) {
				resp.TagGroup = append(resp.TagGroup, wireTagGroup(g, nil))
			}
		case len(req.TagID) > 0:
			w := wireTagGroup(g, func(t *corpTag) bool { return slices.Contains(req.TagID, t.id) })
			if len(w.Tag) > 0 {
				resp.TagGroup = append(resp.TagGroup, w)
			}
		default:
			resp.TagGroup = append(resp.TagGroup, wireTagGroup(g, nil))
		}
	}
	return resp, nil
}

// POST add_corp_tag
func apiAddCorpTag(e *Emulator, c *call) (any, error) {
	var req wecom.AddCorpTagRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	g, made, _, err := e.createTags(req.GroupID, req.GroupName, req.Order, req.Tag, c.now)
	if err != nil {
		return nil, err
	}
	w := wireTagGroup(g, func(t *corpTag) bool { return slices.Contains(made, t) })
	return wecom.AddCorpTagResponse{Response: wecom.OK, TagGroup: w}, nil
}

// POST edit_corp_tag
func apiEditCorpTag(e *Emulator, c *call) (any, error) {
	var req wecom.EditCorpTagRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.Name != "" {
		if err := checkTagName(req.Name); err != nil {
			return nil, err
		}
	}
	if t := e.st.tags[req.ID]; t != nil {
		if req.Name != "" && req.Name != t.name {
			for _, x := range t.group.tags {
				if x.name == req.Name {
					return nil, errorf(wecom.ErrCodeTagNameExists, "tag name exists: %s", req.Name)
				}
			}
			t.name = req.Name
		}
		if req.Order != nil {
			t.order = *req.Order
		}
		return wecom.OK, nil
	}
	if g := e.st.groupBy[req.ID]; g != nil {
		if req.Name != "" && req.Name != g.name {
			for _, x := range e.st.tagGroups {
				if x.name == req.Name {
					return nil, errorf(wecom.ErrCodeTagNameExists, "tag group name exists: %s", req.Name)
				}
			}
			g.name = req.Name
		}
		if req.Order != nil {
			g.order = *req.Order
		}
		return wecom.OK, nil
	}
	return nil, errorf(wecom.ErrCodeInvalidTagID, "invalid tag id: %s", req.ID)
}

// POST del_corp_tag
func apiDelCorpTag(e *Emulator, c *call) (any, error) {
	var req wecom.DelCorpTagRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if len(req.TagID) == 0 && len(req.GroupID) == 0 {
		return nil, errorf(wecom.ErrCodeInvalidTagID, "tag_id and group_id are both empty")
	}
	for _, id := range req.TagID {
		if e.st.tags[id] == nil {
			return nil, errorf(wecom.ErrCodeInvalidTagID, "invalid tag id: %s", id)
		}
	}
	for _, id := range req.GroupID {
		if e.st.groupBy[id] == nil {
			return nil, errorf(wecom.ErrCodeInvalidTagID, "invalid tag group id: %s", id)
		}
	}
	for _, id := range req.GroupID {
		if g := e.st.groupBy[id]; g != nil {
			e.deleteTagGroup(g)
		}
	}
	for _, id := range req.TagID {
		if t := e.st.tags[id]; t != nil {
			e.deleteTag(t)
		}
	}
	return wecom.OK, nil
}

// POST mark_tag
func apiMarkTag(e *Emulator, c *call) (any, error) {
	var req wecom.MarkTagRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if _, err := e.member(req.UserID); err != nil {
		return nil, err
	}
	f := e.followOf(req.UserID, req.ExternalUserID)
	if f == nil {
		return nil, errorf(wecom.ErrCodeNoExternalContactRelation, "not external contact")
	}
	if err := e.markTags(f, req.AddTag, req.RemoveTag); err != nil {
		return nil, err
	}
	return wecom.OK, nil
}
