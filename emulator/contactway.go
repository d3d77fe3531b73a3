package emulator

import (
	"slices"
	"time"
	"unicode/utf8"

	"siyu.dev/siyu/wecom"
)

// Contact way limits beyond those in package wecom.
const (
	maxContactWayUsers      = 100 // 「联系我」使用人数 (41041)
	defaultTempExpiry       = 7 * 24 * time.Hour
	maxTempExpiry           = 14 * 24 * time.Hour
	defaultChatExpiry       = 24 * time.Hour
	maxListContactWaySpan   = 90 * 24 * time.Hour
	defaultListContactLimit = 100
	maxListContactLimit     = 1000

	errCodeMissingScene     = 41038
	errCodeInvalidType      = 41039
	errCodeInvalidScene     = 41040
	errCodeTooManyWayUsers  = 41041
	errCodeMissingConfigID  = 41043
	errCodeInvalidUserList  = 40031
	errCodeMissingJoinChats = 40050 // chatid不存在
)

func (e *Emulator) qrCode() string { return e.cfg.QRBaseURL + "/" + e.id.qrPath() + "/0" }

// checkWayUsers validates the members of a contact way.
func (e *Emulator) checkWayUsers(typ int, users []string, parties []int64) *Error {
	for _, u := range users {
		if _, err := e.member(u); err != nil {
			return errorf(errCodeInvalidUserList, "invalid userid list: %s", u)
		}
	}
	switch typ {
	case wecom.ContactWayTypeSingle:
		if len(users) != 1 || len(parties) > 0 {
			return errorf(wecom.ErrCodeInvalidParameter, "type 1 needs exactly one user")
		}
	case wecom.ContactWayTypeMulti:
		if len(users) == 0 && len(parties) == 0 {
			return errorf(wecom.ErrCodeInvalidParameter, "user and party are both empty")
		}
		if len(users) > maxContactWayUsers {
			return errorf(errCodeTooManyWayUsers, "contact way users exceed %d", maxContactWayUsers)
		}
	}
	return nil
}

func checkState(state string) *Error {
	if n := utf8.RuneCountInString(state); n > wecom.MaxStateLen {
		return errorf(wecom.ErrCodeInvalidParameter, "state too long: %d chars, max %d", n, wecom.MaxStateLen)
	}
	return nil
}

func checkRemark(remark string) *Error {
	if n := utf8.RuneCountInString(remark); n > wecom.MaxRemarkLen {
		return errorf(wecom.ErrCodeInvalidParameter, "remark too long: %d chars, max %d", n, wecom.MaxRemarkLen)
	}
	return nil
}

// POST add_contact_way
func apiAddContactWay(e *Emulator, c *call) (any, error) {
	var req wecom.AddContactWayRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	switch {
	case req.Type == 0:
		return nil, errorf(wecom.ErrCodeMissingContactWayType, "missing contact way type")
	case req.Type != wecom.ContactWayTypeSingle && req.Type != wecom.ContactWayTypeMulti:
		return nil, errorf(errCodeInvalidType, "invalid contact way type %d", req.Type)
	case req.Scene == 0:
		return nil, errorf(errCodeMissingScene, "missing contact way scene")
	case req.Scene != wecom.SceneMiniProgram && req.Scene != wecom.SceneQRCode:
		return nil, errorf(errCodeInvalidScene, "invalid contact way scene %d", req.Scene)
	}
	if err := e.checkWayUsers(req.Type, req.User, req.Party); err != nil {
		return nil, err
	}
	if err := checkState(req.State); err != nil {
		return nil, err
	}
	if err := checkRemark(req.Remark); err != nil {
		return nil, err
	}
	if req.IsTemp && req.Type != wecom.ContactWayTypeSingle {
		return nil, errorf(wecom.ErrCodeInvalidParameter, "a temporary contact way takes exactly one user")
	}
	expires, chatExpires, err := wayExpiries(req.IsTemp, req.ExpiresIn, req.ChatExpiresIn)
	if err != nil {
		return nil, err
	}
	if !req.IsTemp && e.pol.ContactWayQuota > 0 && e.st.permanentWays >= e.pol.ContactWayQuota {
		return nil, errorf(wecom.ErrCodeContactWayLimit, "api contact way count reaches limit")
	}
	w := &contactWay{
		ContactWay: wecom.ContactWay{
			ConfigID:    e.id.configID(),
			Type:        req.Type,
			Scene:       req.Scene,
			Style:       req.Style,
			Remark:      req.Remark,
			SkipVerify:  req.SkipVerify == nil || *req.SkipVerify,
			State:       req.State,
			User:        slices.Clone(req.User),
			Party:       slices.Clone(req.Party),
			IsTemp:      req.IsTemp,
			UnionID:     req.UnionID,
			IsExclusive: req.IsExclusive,
			Conclusions: storedConclusions(req.Conclusions),
		},
		created:    c.now,
		popularity: 0.2 + e.sim.Float64()*1.8,
	}
	if req.IsTemp {
		w.ExpiresIn = int(expires.Seconds())
		w.ChatExpiresIn = int(chatExpires.Seconds())
		w.expiresAt = c.now.Add(expires)
	}
	if req.Scene == wecom.SceneQRCode {
		w.QRCode = e.qrCode()
	}
	e.st.contactWays = append(e.st.contactWays, w)
	e.st.wayBy[w.ConfigID] = w
	if !w.IsTemp {
		e.st.permanentWays++
	}
	return wecom.AddContactWayResponse{Response: wecom.OK, ConfigID: w.ConfigID, QRCode: w.QRCode}, nil
}

func wayExpiries(temp bool, expiresIn, chatExpiresIn int) (time.Duration, time.Duration, *Error) {
	if !temp {
		return 0, 0, nil
	}
	expires, chat := defaultTempExpiry, defaultChatExpiry
	if expiresIn > 0 {
		expires = time.Duration(expiresIn) * time.Second
	}
	if chatExpiresIn > 0 {
		chat = time.Duration(chatExpiresIn) * time.Second
	}
	if expires > maxTempExpiry || chat > maxTempExpiry {
		return 0, 0, errorf(wecom.ErrCodeInvalidParameter, "expires_in and chat_expires_in are at most 14 days")
	}
	return expires, chat, nil
}

// storedConclusions keeps the closing message as get_contact_way returns
// it: images come back as a pic_url rather than the media_id sent.
func storedConclusions(in *wecom.Conclusions) *wecom.Conclusions {
	if in == nil {
		return nil
	}
	out := *in
	if in.Image != nil {
		img := *in.Image
		if img.PicURL == "" && img.MediaID != "" {
			img.PicURL = "https://wework.qpic.cn/wwpic/" + img.MediaID + "/0"
		}
		img.MediaID = ""
		out.Image = &img
	}
	return &out
}

// wayByID returns a contact way that has not been deleted, or 41043/41044.
func (e *Emulator) wayByID(id string) (*contactWay, *Error) {
	if id == "" {
		return nil, errorf(errCodeMissingConfigID, "missing config_id")
	}
	w := e.st.wayBy[id]
	if w == nil || w.deleted {
		return nil, errorf(wecom.ErrCodeInvalidConfigID, "invalid config_id: %s", id)
	}
	return w, nil
}

// POST get_contact_way
func apiGetContactWay(e *Emulator, c *call) (any, error) {
	var req wecom.ConfigIDRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	w, err := e.wayByID(req.ConfigID)
	if err != nil {
		return nil, err
	}
	cw := w.ContactWay
	cw.User = slices.Clone(w.User)
	cw.Party = slices.Clone(w.Party)
	return wecom.GetContactWayResponse{Response: wecom.OK, ContactWay: cw}, nil
}

// POST list_contact_way: ways created through the API in a time span of at
// most 90 days, the last 90 days by default.
func apiListContactWay(e *Emulator, c *call) (any, error) {
	var req wecom.ListContactWayRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	end := c.now
	if req.EndTime > 0 {
		end = time.Unix(int64(req.EndTime), 0)
	}
	start := end.Add(-maxListContactWaySpan)
	if req.StartTime > 0 {
		start = time.Unix(int64(req.StartTime), 0)
	}
	if end.Sub(start) > maxListContactWaySpan || end.Before(start) {
		return nil, errorf(wecom.ErrCodeInvalidParameter, "start_time to end_time must span at most 90 days")
	}
	limit := req.Limit
	if limit <= 0 {
		limit = defaultListContactLimit
	}
	limit = min(limit, maxListContactLimit)
	var refs []wecom.ContactWayRef
	for _, w := range e.st.contactWays {
		if !w.deleted && !w.created.Before(start) && !w.created.After(end) {
			refs = append(refs, wecom.ContactWayRef{ConfigID: w.ConfigID})
		}
	}
	page, next, err := paginate(refs, req.Cursor, limit)
	if err != nil {
		return nil, err
	}
	return wecom.ListContactWayResponse{Response: wecom.OK, ContactWay: append([]wecom.ContactWayRef{}, page...), NextCursor: next}, nil
}

// POST update_contact_way: fields present in the body replace the stored
// ones; user and party replace the old lists.
func apiUpdateContactWay(e *Emulator, c *call) (any, error) {
	var req wecom.UpdateContactWayRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	w, err := e.wayByID(req.ConfigID)
	if err != nil {
		return nil, err
	}
	users, parties := w.User, w.Party
	if c.has("user") {
		users = req.User
	}
	if c.has("party") {
		parties = req.Party
	}
	if err := e.checkWayUsers(w.Type, users, parties); err != nil {
		return nil, err
	}
	if err := checkState(req.State); err != nil {
		return nil, err
	}
	if err := checkRemark(req.Remark); err != nil {
		return nil, err
	}
	if w.IsTemp && (c.has("expires_in") || c.has("chat_expires_in")) {
		expires, chat, err := wayExpiries(true, req.ExpiresIn, req.ChatExpiresIn)
		if err != nil {
			return nil, err
		}
		w.ExpiresIn, w.ChatExpiresIn = int(expires.Seconds()), int(chat.Seconds())
		w.expiresAt = c.now.Add(expires)
	}
	w.User, w.Party = slices.Clone(users), slices.Clone(parties)
	if c.has("remark") {
		w.Remark = req.Remark
	}
	if req.SkipVerify != nil {
		w.SkipVerify = *req.SkipVerify
	}
	if c.has("style") {
		w.Style = req.Style
	}
	if c.has("state") {
		w.State = req.State
	}
	if c.has("unionid") {
		w.UnionID = req.UnionID
	}
	if c.has("conclusions") {
		w.Conclusions = storedConclusions(req.Conclusions)
	}
	return wecom.OK, nil
}

// POST del_contact_way
func apiDelContactWay(e *Emulator, c *call) (any, error) {
	var req wecom.ConfigIDRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	w, err := e.wayByID(req.ConfigID)
	if err != nil {
		return nil, err
	}
	w.deleted = true
	delete(e.st.wayBy, w.ConfigID)
	if !w.IsTemp {
		e.st.permanentWays--
	}
	return wecom.OK, nil
}

// POST close_temp_chat: ends a temporary session. The emulator keeps no
// session state beyond checking the relation exists.
func apiCloseTempChat(e *Emulator, c *call) (any, error) {
	var req wecom.CloseTempChatRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if _, err := e.member(req.UserID); err != nil {
		return nil, err
	}
	if e.followOf(req.UserID, req.ExternalUserID) == nil {
		return nil, errorf(wecom.ErrCodeNoExternalContactRelation, "not external contact")
	}
	return wecom.OK, nil
}

// usable reports whether the population can still add through w at t.
func (w *contactWay) usable(t time.Time) bool {
	if w.deleted {
		return false
	}
	if w.IsTemp && (w.used || !t.Before(w.expiresAt)) {
		return false
	}
	return true
}

// inTurn lists the way's members starting with the one whose turn it is,
// and moves the turn on: a several-member way hands new scans to its
// members in turn.
func (e *Emulator) inTurn(w *contactWay) []*memberState {
	ms := e.wayMembers(w)
	if len(ms) == 0 {
		return nil
	}
	start := w.turn % len(ms)
	w.turn++
	return append(ms[start:len(ms):len(ms)], ms[:start]...)
}

// wayMembers lists the members a scan of w can reach.
func (e *Emulator) wayMembers(w *contactWay) []*memberState {
	var out []*memberState
	for _, u := range w.User {
		if m, err := e.member(u); err == nil {
			out = append(out, m)
		}
	}
	if len(out) == 0 && len(w.Party) > 0 {
		// Departments are not modelled: a department-only way reaches any member.
		out = e.activeMembers()
	}
	return out
}
