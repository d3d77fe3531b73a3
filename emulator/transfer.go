package emulator

import (
	"slices"
	"time"
	"unicode/utf8"

	"siyu.dev/siyu/wecom"
)

const (
	errCodeNotResigned        = 40097 // 该成员尚未离职
	errCodeTransferTooOften   = 40128 // 90个自然日内，在职成员的每位客户仅可被转接2次
	errCodeTransferInProgress = 40129 // 当前客户正在转接中
	errCodeSameTakeover       = 40130 // 原跟进人与接手人一样
	errCodeNotFollower        = 40131 // handover_userid 并不是外部联系人的跟进人
	maxOnJobTransfers         = 2
	onJobTransferWindow       = 90 * 24 * time.Hour
	transferResultPage        = 1000
	maxUnassignedPage         = 1000
)

// startTransfers checks each customer and starts the ones that can move.
func (e *Emulator) startTransfers(handover, takeover string, ids []string, resigned bool, now time.Time) ([]wecom.TransferCustomerResult, *Error) {
	if handover == takeover {
		return nil, errorf(errCodeSameTakeover, "handover_userid and takeover_userid are the same")
	}
	if len(ids) == 0 || len(ids) > wecom.MaxTransferCustomers {
		return nil, errorf(wecom.ErrCodeInvalidParameter, "external_userid must list 1..%d customers", wecom.MaxTransferCustomers)
	}
	var out []wecom.TransferCustomerResult
	for _, id := range ids {
		code := 0
		switch {
		case e.followOf(handover, id) == nil:
			code = errCodeNotFollower
		case slices.ContainsFunc(e.st.transfers, func(t *transferRec) bool {
			return t.extID == id && t.handover == handover && t.status == wecom.TransferWaiting
		}):
			code = errCodeTransferInProgress
		case !resigned && e.recentOnJobTransfers(id, now) >= maxOnJobTransfers:
			code = errCodeTransferTooOften
		}
		out = append(out, wecom.TransferCustomerResult{ExternalUserID: id, ErrCode: code})
		if code != 0 {
			continue
		}
		rec := &transferRec{
			handover: handover, takeover: takeover, extID: id, resigned: resigned,
			status: wecom.TransferWaiting, started: now, takeoverTime: now.Add(e.pol.TransferDelay),
		}
		e.st.transfers = append(e.st.transfers, rec)
		e.sched.add(rec.takeoverTime, func(at time.Time) { e.completeTransfer(rec, at) })
	}
	return out, nil
}

func (e *Emulator) recentOnJobTransfers(extID string, now time.Time) int {
	n := 0
	for _, t := range e.st.transfers {
		if t.extID == extID && !t.resigned && t.status != wecom.TransferRefused && now.Sub(t.started) < onJobTransferWindow {
			n++
		}
	}
	return n
}

// completeTransfer is the automatic takeover 24 h after the request: the
// customer may refuse, or the takeover member may be full.
func (e *Emulator) completeTransfer(rec *transferRec, at time.Time) {
	if rec.status != wecom.TransferWaiting {
		return
	}
	old := e.followOf(rec.handover, rec.extID)
	taker := e.st.memberBy[rec.takeover]
	fail := func(status int, reason string) {
		rec.status = status
		e.emit(wecom.Event{
			Event: wecom.EventChangeExternalContact, ChangeType: wecom.ChangeTransferFail,
			UserID: rec.takeover, ExternalUserID: rec.extID, FailReason: reason,
		}, at)
	}
	switch {
	case old == nil || taker == nil || taker.resigned:
		rec.status = wecom.TransferRefused
	case e.sim.Float64() < e.pol.TransferRefuseRate:
		fail(wecom.TransferRefused, wecom.FailCustomerRefused)
	case e.pol.MemberCustomerCap > 0 && len(taker.follows) >= e.pol.MemberCustomerCap:
		fail(wecom.TransferLimitExceeded, wecom.FailCustomerLimitExceed)
	default:
		rec.status = wecom.TransferDone
		rec.takeoverTime = at
		e.removeFollow(old)
		if e.followOf(rec.takeover, rec.extID) == nil {
			f := e.addFollow(taker, e.personBy[rec.extID], at, wecom.AddWayAssignedAdmin, rec.handover, old.state)
			f.remark, f.description, f.remarkCorpName = old.remark, old.description, old.remarkCorpName
			f.remarkMobiles, f.tags = slices.Clone(old.remarkMobiles), slices.Clone(old.tags)
		}
	}
}

func (e *Emulator) transferResults(handover, takeover, cursor string, resigned bool) (any, error) {
	var list []wecom.TransferStatus
	for _, t := range e.st.transfers {
		if t.handover == handover && t.takeover == takeover && t.resigned == resigned {
			list = append(list, wecom.TransferStatus{ExternalUserID: t.extID, Status: t.status, TakeoverTime: ts(t.takeoverTime)})
		}
	}
	page, next, err := paginate(list, cursor, transferResultPage)
	if err != nil {
		return nil, err
	}
	return wecom.TransferResultResponse{Response: wecom.OK, Customer: append([]wecom.TransferStatus{}, page...), NextCursor: next}, nil
}

// POST transfer_customer (on-job)
func apiTransferCustomer(e *Emulator, c *call) (any, error) {
	var req wecom.TransferCustomerRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if _, err := e.member(req.HandoverUserID); err != nil {
		return nil, err
	}
	if _, err := e.member(req.TakeoverUserID); err != nil {
		return nil, err
	}
	if n := utf8.RuneCountInString(req.TransferSuccessMsg); n > wecom.MaxTransferMsgLen {
		return nil, errorf(wecom.ErrCodeInvalidParameter, "transfer_success_msg too long: %d chars, max %d", n, wecom.MaxTransferMsgLen)
	}
	out, err := e.startTransfers(req.HandoverUserID, req.TakeoverUserID, req.ExternalUserID, false, c.now)
	if err != nil {
		return nil, err
	}
	return wecom.TransferCustomerResponse{Response: wecom.OK, Customer: out}, nil
}

// POST transfer_result
func apiTransferResult(e *Emulator, c *call) (any, error) {
	var req wecom.TransferResultRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	return e.transferResults(req.HandoverUserID, req.TakeoverUserID, req.Cursor, false)
}

// POST get_unassigned_list: customers of resigned members.
func apiUnassignedList(e *Emulator, c *call) (any, error) {
	var req wecom.GetUnassignedListRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	size := req.PageSize
	if size <= 0 || size > maxUnassignedPage {
		size = maxUnassignedPage
	}
	var list []wecom.UnassignedCustomer
	for _, m := range e.st.members {
		if !m.resigned {
			continue
		}
		for _, f := range m.follows {
			list = append(list, wecom.UnassignedCustomer{HandoverUserID: m.UserID, ExternalUserID: f.extID, DimissionTime: ts(m.resignedAt)})
		}
	}
	cursor := req.Cursor
	if cursor == "" && req.PageID > 0 { // the older paging by page number
		cursor = encodeCursor(req.PageID * size)
	}
	page, next, err := paginate(list, cursor, size)
	if err != nil {
		return nil, err
	}
	return wecom.GetUnassignedListResponse{Response: wecom.OK, Info: append([]wecom.UnassignedCustomer{}, page...), IsLast: next == "", NextCursor: next}, nil
}

// POST resigned/transfer_customer
func apiResignedTransfer(e *Emulator, c *call) (any, error) {
	var req wecom.ResignedTransferCustomerRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	h, err := e.anyMember(req.HandoverUserID)
	if err != nil {
		return nil, err
	}
	if !h.resigned {
		return nil, errorf(errCodeNotResigned, "handover user %s has not resigned", h.UserID)
	}
	if _, err := e.member(req.TakeoverUserID); err != nil {
		return nil, err
	}
	out, err := e.startTransfers(req.HandoverUserID, req.TakeoverUserID, req.ExternalUserID, true, c.now)
	if err != nil {
		return nil, err
	}
	return wecom.TransferCustomerResponse{Response: wecom.OK, Customer: out}, nil
}

// POST resigned/transfer_result
func apiResignedTransferResult(e *Emulator, c *call) (any, error) {
	var req wecom.TransferResultRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	return e.transferResults(req.HandoverUserID, req.TakeoverUserID, req.Cursor, true)
}

// transferGroups gives groups a new owner. resigned says which API: the
// resigned one needs the old owner gone, the on-job one needs them present.
func (e *Emulator) transferGroups(req wecom.GroupChatTransferRequest, resigned bool, now time.Time) (any, error) {
	owner, err := e.member(req.NewOwner)
	if err != nil {
		return nil, err
	}
	if len(req.ChatIDList) == 0 || len(req.ChatIDList) > wecom.MaxTransferChats {
		return nil, errorf(wecom.ErrCodeInvalidParameter, "chat_id_list must list 1..%d groups", wecom.MaxTransferChats)
	}
	resp := wecom.GroupChatTransferResponse{Response: wecom.OK, FailedChatList: []wecom.FailedChat{}}
	failChat := func(id string, code int, msg string) {
		resp.FailedChatList = append(resp.FailedChatList, wecom.FailedChat{ChatID: id, ErrCode: code, ErrMsg: msg})
	}
	for _, id := range req.ChatIDList {
		g, gerr := e.group(id)
		if gerr != nil {
			failChat(id, gerr.Code, gerr.Msg)
			continue
		}
		old := e.st.memberBy[g.owner]
		oldResigned := old != nil && old.resigned
		switch {
		case resigned && !oldResigned:
			failChat(id, wecom.ErrCodeGroupOwnerNotResigned, "group owner has not resigned")
			continue
		case !resigned && oldResigned:
			failChat(id, wecom.ErrCodeInvalidParameter, "group owner has resigned: use groupchat/transfer")
			continue
		case g.owner == owner.UserID:
			failChat(id, errCodeSameTakeover, "new_owner is already the owner")
			continue
		}
		g.owner = owner.UserID
		if resigned {
			g.status = wecom.GroupStatusInherited
		}
		if !g.has(owner.UserID) {
			g.members = append(g.members, &groupMember{
				userID: owner.UserID, typ: wecom.GroupMemberInternal, joinTime: now, joinScene: wecom.JoinSceneInvited, name: owner.Name,
			})
			g.version++
		}
	}
	return resp, nil
}

// POST groupchat/transfer (resigned owner)
func apiGroupChatTransfer(e *Emulator, c *call) (any, error) {
	var req wecom.GroupChatTransferRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	return e.transferGroups(req, true, c.now)
}

// POST groupchat/onjob_transfer
func apiGroupChatOnjobTransfer(e *Emulator, c *call) (any, error) {
	var req wecom.GroupChatTransferRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	return e.transferGroups(req, false, c.now)
}
