package emulator

import (
	"slices"
	"time"
	"unicode/utf8"

	"siyu.dev/siyu/wecom"
)

// followOf returns the relation between a member and a customer, or nil.
func (e *Emulator) followOf(userID, extID string) *follow {
	for _, f := range e.st.followers[extID] {
		if f.userID == userID {
			return f
		}
	}
	return nil
}

// addFollow makes p a customer of m. Callers check that they are not one
// already.
func (e *Emulator) addFollow(m *memberState, p *person, at time.Time, addWay int, oper, state string) *follow {
	f := &follow{
		userID:     m.UserID,
		extID:      p.ExternalUserID,
		createTime: at,
		addWay:     addWay,
		operUserID: oper,
		state:      state,
	}
	m.follows = append(m.follows, f)
	e.st.followers[f.extID] = append(e.st.followers[f.extID], f)
	return f
}

// removeFollow ends a relation.
func (e *Emulator) removeFollow(f *follow) {
	if m := e.st.memberBy[f.userID]; m != nil {
		m.follows = slices.DeleteFunc(m.follows, func(x *follow) bool { return x == f })
	}
	fs := slices.DeleteFunc(e.st.followers[f.extID], func(x *follow) bool { return x == f })
	if len(fs) == 0 {
		delete(e.st.followers, f.extID)
	} else {
		e.st.followers[f.extID] = fs
	}
}

// isCustomer reports whether the person follows anyone.
func (e *Emulator) isCustomer(extID string) bool { return len(e.st.followers[extID]) > 0 }

func (e *Emulator) externalContact(p *person) wecom.ExternalContact {
	return wecom.ExternalContact{
		ExternalUserID: p.ExternalUserID,
		Name:           p.Nickname,
		Avatar:         avatarURL(p.UnionID),
		Type:           wecom.ExternalTypeWeChat,
		Gender:         p.Gender,
		UnionID:        p.UnionID,
	}
}

func (e *Emulator) followUser(f *follow) wecom.FollowUser {
	fu := wecom.FollowUser{
		UserID:         f.userID,
		Remark:         f.remark,
		Description:    f.description,
		CreateTime:     wecom.Timestamp(f.createTime.Unix()),
		RemarkCorpName: f.remarkCorpName,
		RemarkMobiles:  slices.Clone(f.remarkMobiles),
		AddWay:         f.addWay,
		OperUserID:     f.operUserID,
		State:          f.state,
	}
	for _, id := range f.tags {
		if t := e.st.tags[id]; t != nil {
			fu.Tags = append(fu.Tags, wecom.FollowUserTag{
				GroupName: t.group.name, TagName: t.name, TagID: t.id, Type: wecom.TagTypeCorp,
			})
		}
	}
	return fu
}

func (e *Emulator) followInfo(f *follow) wecom.FollowInfo {
	return wecom.FollowInfo{
		UserID:         f.userID,
		Remark:         f.remark,
		Description:    f.description,
		CreateTime:     wecom.Timestamp(f.createTime.Unix()),
		TagID:          slices.Clone(f.tags),
		RemarkCorpName: f.remarkCorpName,
		RemarkMobiles:  slices.Clone(f.remarkMobiles),
		AddWay:         f.addWay,
		OperUserID:     f.operUserID,
		State:          f.state,
	}
}

// GET externalcontact/list?userid=
func apiListContacts(e *Emulator, c *call) (any, error) {
	m, err := e.member(c.q.Get(wecom.QueryUserID))
	if err != nil {
		return nil, err
	}
	if len(m.follows) == 0 && e.pol.EmptyListIs84061 {
		return nil, errorf(wecom.ErrCodeNoExternalContactRelation, "not external contact")
	}
	resp := wecom.ListExternalContactsResponse{Response: wecom.OK, ExternalUserID: []string{}}
	for _, f := range m.follows {
		resp.ExternalUserID = append(resp.ExternalUserID, f.extID)
	}
	return resp, nil
}

// maxFollowUsersPage is how many follow_user entries externalcontact/get
// returns before it pages them.
const maxFollowUsersPage = 500

// GET externalcontact/get?external_userid=&cursor=
func apiGetContact(e *Emulator, c *call) (any, error) {
	extID := c.q.Get(wecom.QueryExternalUserID)
	if extID == "" {
		return nil, errorf(41035, "missing external_userid")
	}
	p := e.personBy[extID]
	if p == nil {
		return nil, errorf(wecom.ErrCodeInvalidExternalUserID, "invalid external_userid: %s", extID)
	}
	fs := e.st.followers[extID]
	if len(fs) == 0 {
		return nil, errorf(wecom.ErrCodeNoExternalContactRelation, "not external contact")
	}
	pageFs, next, err := paginate(fs, c.q.Get(wecom.QueryCursor), maxFollowUsersPage)
	if err != nil {
		return nil, err
	}
	resp := wecom.GetExternalContactResponse{Response: wecom.OK, ExternalContact: e.externalContact(p), NextCursor: next}
	for _, f := range pageFs {
		resp.FollowUser = append(resp.FollowUser, e.followUser(f))
	}
	return resp, nil
}

// POST externalcontact/batch/get_by_user
func apiBatchGetByUser(e *Emulator, c *call) (any, error) {
	var req wecom.BatchGetByUserRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if len(req.UserIDList) == 0 {
		return nil, errorf(41009, "missing userid_list")
	}
	if len(req.UserIDList) > wecom.MaxBatchUserIDs {
		return nil, errorf(wecom.ErrCodeInvalidParameter, "userid_list exceeds %d", wecom.MaxBatchUserIDs)
	}
	var all []*follow
	for _, u := range req.UserIDList {
		m, err := e.anyMember(u)
		if err != nil {
			return nil, err
		}
		all = append(all, m.follows...)
	}
	limit := req.Limit
	if limit <= 0 {
		limit = wecom.DefaultBatchLimit
	}
	limit = min(limit, wecom.MaxBatchLimit)
	page, next, err := paginate(all, req.Cursor, limit)
	if err != nil {
		return nil, err
	}
	resp := wecom.BatchGetByUserResponse{Response: wecom.OK, ExternalContactList: []wecom.ExternalContactFollow{}, NextCursor: next}
	for _, f := range page {
		resp.ExternalContactList = append(resp.ExternalContactList, wecom.ExternalContactFollow{
			ExternalContact: e.externalContact(e.personBy[f.extID]),
			FollowInfo:      e.followInfo(f),
		})
	}
	return resp, nil
}

// POST externalcontact/remark. Fields absent from the body are left alone.
func apiRemark(e *Emulator, c *call) (any, error) {
	var req wecom.RemarkRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if _, err := e.member(req.UserID); err != nil {
		return nil, err
	}
	if req.ExternalUserID == "" {
		return nil, errorf(41035, "missing external_userid")
	}
	f := e.followOf(req.UserID, req.ExternalUserID)
	if f == nil {
		return nil, errorf(wecom.ErrCodeNoExternalContactRelation, "not external contact")
	}
	for _, lim := range []struct {
		field, value string
		max          int
	}{{"remark", req.Remark, 20}, {"description", req.Description, 150}, {"remark_company", req.RemarkCompany, 20}} {
		if n := utf8.RuneCountInString(lim.value); n > lim.max {
			return nil, errorf(wecom.ErrCodeInvalidParameter, "%s too long: %d chars, max %d", lim.field, n, lim.max)
		}
	}
	if len(req.RemarkMobiles) > 5 {
		return nil, errorf(wecom.ErrCodeInvalidParameter, "remark_mobiles exceeds 5")
	}
	if c.has("remark") {
		f.remark = req.Remark
	}
	if c.has("description") {
		f.description = req.Description
	}
	if c.has("remark_company") {
		f.remarkCorpName = req.RemarkCompany
	}
	if c.has("remark_mobiles") {
		f.remarkMobiles = slices.Clone(req.RemarkMobiles)
	}
	return wecom.OK, nil
}

// GET externalcontact/get_follow_user_list
func apiFollowUserList(e *Emulator, c *call) (any, error) {
	resp := wecom.GetFollowUserListResponse{Response: wecom.OK, FollowUser: []string{}}
	for _, m := range e.activeMembers() {
		resp.FollowUser = append(resp.FollowUser, m.UserID)
	}
	return resp, nil
}
