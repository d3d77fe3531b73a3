package emulator

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"siyu.dev/siyu/wecom"
)

// 获客助手 links: created, read, listed, updated and deleted through the API;
// a click (ClickLink) adds a member of the link like a scan of a contact
// way, with the URL's customer_channel as State, and uses one unit of the
// corp's quota.

const (
	// defaultAcquisitionQuota is the corp's link uses at start.
	defaultAcquisitionQuota = 1000
	// acquisitionBalanceLow is where WeCom warns (balance_low).
	acquisitionBalanceLow = 20
	// acquisitionLinkBase is the host of the links' URLs.
	acquisitionLinkBase = "https://work.weixin.qq.com/ca/"

	errCodeInvalidLinkID = 41075 // link_id不合法 (emulator's choice; the real code was not captured)
)

type acqLink struct {
	wecom.AcquisitionLink
	rng        wecom.AcquisitionRange
	skipVerify bool
	deleted    bool
	turn       int
	customers  []wecom.AcquisitionCustomer
}

func (e *Emulator) linkByID(id string) (*acqLink, *Error) {
	if id == "" {
		return nil, errorf(wecom.ErrCodeInvalidParameter, "missing link_id")
	}
	l := e.st.linkBy[id]
	if l == nil || l.deleted {
		return nil, errorf(errCodeInvalidLinkID, "invalid link_id: %s", id)
	}
	return l, nil
}

func (e *Emulator) checkLink(req wecom.CreateAcquisitionLinkRequest) *Error {
	if req.LinkName == "" || utf8.RuneCountInString(req.LinkName) > wecom.MaxLinkNameLen {
		return errorf(wecom.ErrCodeInvalidParameter, "link_name must be 1 to %d characters", wecom.MaxLinkNameLen)
	}
	if len(req.Range.UserList) == 0 && len(req.Range.DepartmentList) == 0 {
		return errorf(wecom.ErrCodeInvalidParameter, "range is empty")
	}
	for _, u := range req.Range.UserList {
		if _, err := e.member(u); err != nil {
			return errorf(errCodeInvalidUserList, "invalid userid list: %s", u)
		}
	}
	return nil
}

// POST customer_acquisition/create_link
func apiCreateLink(e *Emulator, c *call) (any, error) {
	var req wecom.CreateAcquisitionLinkRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if err := e.checkLink(req); err != nil {
		return nil, err
	}
	id := e.id.configID()
	l := &acqLink{
		AcquisitionLink: wecom.AcquisitionLink{LinkID: id, LinkName: req.LinkName, URL: acquisitionLinkBase + id[:12], CreateTime: c.now.Unix()},
		rng:             wecom.AcquisitionRange{UserList: slices.Clone(req.Range.UserList), DepartmentList: slices.Clone(req.Range.DepartmentList)},
		skipVerify:      req.SkipVerify,
	}
	e.st.links = append(e.st.links, l)
	e.st.linkBy[id] = l
	return wecom.AcquisitionLinkResponse{Response: wecom.OK, Link: l.AcquisitionLink}, nil
}

// POST customer_acquisition/update_link
func apiUpdateLink(e *Emulator, c *call) (any, error) {
	var req wecom.CreateAcquisitionLinkRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	l, err := e.linkByID(req.LinkID)
	if err != nil {
		return nil, err
	}
	if err := e.checkLink(req); err != nil {
		return nil, err
	}
	l.LinkName, l.skipVerify = req.LinkName, req.SkipVerify
	l.rng = wecom.AcquisitionRange{UserList: slices.Clone(req.Range.UserList), DepartmentList: slices.Clone(req.Range.DepartmentList)}
	return wecom.OK, nil
}

// POST customer_acquisition/get
func apiGetLink(e *Emulator, c *call) (any, error) {
	var req wecom.LinkIDRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	l, err := e.linkByID(req.LinkID)
	if err != nil {
		return nil, err
	}
	return wecom.AcquisitionLinkResponse{Response: wecom.OK, Link: l.AcquisitionLink,
		Range: wecom.AcquisitionRange{UserList: slices.Clone(l.rng.UserList), DepartmentList: slices.Clone(l.rng.DepartmentList)}, SkipVerify: l.skipVerify}, nil
}

// POST customer_acquisition/delete_link
func apiDeleteLink(e *Emulator, c *call) (any, error) {
	var req wecom.LinkIDRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	l, err := e.linkByID(req.LinkID)
	if err != nil {
		return nil, err
	}
	l.deleted = true
	return wecom.OK, nil
}

// POST customer_acquisition/list_link
func apiListLinks(e *Emulator, c *call) (any, error) {
	var req wecom.ListAcquisitionLinksRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	limit := req.Limit
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	var ids []string
	for _, l := range e.st.links {
		if !l.deleted {
			ids = append(ids, l.LinkID)
		}
	}
	page, next, err := paginate(ids, req.Cursor, limit)
	if err != nil {
		return nil, err
	}
	return wecom.ListAcquisitionLinksResponse{Response: wecom.OK, LinkIDList: append([]string{}, page...), NextCursor: next}, nil
}

// POST customer_acquisition/customer
func apiLinkCustomers(e *Emulator, c *call) (any, error) {
	var req wecom.AcquisitionCustomersRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	l, err := e.linkByID(req.LinkID)
	if err != nil {
		return nil, err
	}
	limit := req.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	page, next, perr := paginate(l.customers, req.Cursor, limit)
	if perr != nil {
		return nil, perr
	}
	return wecom.AcquisitionCustomersResponse{Response: wecom.OK, CustomerList: append([]wecom.AcquisitionCustomer{}, page...), NextCursor: next}, nil
}

// GET customer_acquisition_quota
func apiAcquisitionQuota(e *Emulator, c *call) (any, error) {
	resp := wecom.AcquisitionQuotaResponse{Response: wecom.OK, Total: e.st.linkQuotaTotal, Balance: e.st.linkQuota}
	resp.QuotaList = append(resp.QuotaList, struct {
		ExpireDate int64 `json:"expire_date"`
		Balance    int   `json:"balance"`
	}{ExpireDate: c.now.AddDate(1, 0, 0).Unix(), Balance: e.st.linkQuota})
	return resp, nil
}

// ClickLink has population user open a link (its URL, with or without
// customer_channel, or its link_id) and add one of its members, taken in
// turn, at once. It pushes add_external_contact with the URL's
// customer_channel as State, and uses one unit of the quota: at 20 left it
// pushes balance_low, at none balance_exhausted, after which links refuse.
func (e *Emulator) ClickLink(link string, user int) (ScanResult, error) {
	now := e.lockedNow()
	defer e.mu.Unlock()
	p, err := e.user(user)
	if err != nil {
		return ScanResult{}, err
	}
	id, state := link, ""
	if strings.Contains(link, "://") {
		u, err := url.Parse(link)
		if err != nil {
			return ScanResult{}, fmt.Errorf("emulator: link %q: %w", link, err)
		}
		state = u.Query().Get("customer_channel")
		u.RawQuery = ""
		id = ""
		for _, l := range e.st.links {
			if l.URL == u.String() {
				id = l.LinkID
			}
		}
	}
	l, lerr := e.linkByID(id)
	if lerr != nil {
		return ScanResult{}, fmt.Errorf("emulator: no link %q", link)
	}
	if e.st.linkQuota <= 0 {
		return ScanResult{}, fmt.Errorf("emulator: the corp's acquisition quota is used up")
	}
	users := l.rng.UserList
	for range users {
		m, merr := e.member(users[l.turn%len(users)])
		l.turn++
		if merr != nil || e.followOf(m.UserID, p.ExternalUserID) != nil {
			continue
		}
		way := &contactWay{ContactWay: wecom.ContactWay{State: state, SkipVerify: true, Scene: wecom.SceneQRCode}}
		wc := e.startAdd(p, m, way, now, true)
		l.customers = append(l.customers, wecom.AcquisitionCustomer{ExternalUserID: p.ExternalUserID, UserID: m.UserID, ChatStatus: 1, State: state})
		e.st.linkQuota--
		switch e.st.linkQuota {
		case acquisitionBalanceLow:
			e.emit(wecom.Event{Event: wecom.EventCustomerAcquisition, ChangeType: wecom.ChangeBalanceLow}, now)
		case 0:
			e.emit(wecom.Event{Event: wecom.EventCustomerAcquisition, ChangeType: wecom.ChangeBalanceExhausted}, now)
		}
		return ScanResult{UserID: m.UserID, ExternalUserID: p.ExternalUserID, State: state, WelcomeCode: wc}, nil
	}
	return ScanResult{}, fmt.Errorf("emulator: user %d is already a customer of every member of link %s", user, l.LinkID)
}
