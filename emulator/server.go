package emulator

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"siyu.dev/siyu/wecom"
)

// call is one API request as a handler sees it.
type call struct {
	r      *http.Request
	q      url.Values
	body   []byte
	fields map[string]json.RawMessage
	now    time.Time
}

// decode reads the JSON body into v. Invalid JSON is errcode 40058 with the
// errmsg WeCom uses; unknown fields are ignored, as WeCom does.
func (c *call) decode(v any) error {
	body := bytes.TrimSpace(c.body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return errorf(wecom.ErrCodeInvalidParameter, "Warning: wrong json format. %v", err)
	}
	c.fields = nil
	_ = json.Unmarshal(body, &c.fields)
	return nil
}

// has reports whether the JSON body named the field, for the update calls
// where an absent field means "leave it alone".
func (c *call) has(field string) bool {
	_, ok := c.fields[field]
	return ok
}

type route struct {
	post bool // POST with a JSON body; otherwise GET with query parameters
	fn   func(e *Emulator, c *call) (any, error)
}

// routes maps every emulated path to its handler.
var routes = map[string]route{
	wecom.PathGetToken: {fn: apiGetToken},

	wecom.PathExternalContactList: {fn: apiListContacts},
	wecom.PathExternalContactGet:  {fn: apiGetContact},
	wecom.PathBatchGetByUser:      {post: true, fn: apiBatchGetByUser},
	wecom.PathRemark:              {post: true, fn: apiRemark},
	wecom.PathGetFollowUserList:   {fn: apiFollowUserList},

	wecom.PathGetCorpTagList: {post: true, fn: apiGetCorpTagList},
	wecom.PathAddCorpTag:     {post: true, fn: apiAddCorpTag},
	wecom.PathEditCorpTag:    {post: true, fn: apiEditCorpTag},
	wecom.PathDelCorpTag:     {post: true, fn: apiDelCorpTag},
	wecom.PathMarkTag:        {post: true, fn: apiMarkTag},

	wecom.PathAddContactWay:    {post: true, fn: apiAddContactWay},
	wecom.PathGetContactWay:    {post: true, fn: apiGetContactWay},
	wecom.PathListContactWay:   {post: true, fn: apiListContactWay},
	wecom.PathUpdateContactWay: {post: true, fn: apiUpdateContactWay},
	wecom.PathDelContactWay:    {post: true, fn: apiDelContactWay},
	wecom.PathCloseTempChat:    {post: true, fn: apiCloseTempChat},
	wecom.PathSendWelcomeMsg:   {post: true, fn: apiSendWelcomeMsg},

	wecom.PathAcquisitionCreateLink: {post: true, fn: apiCreateLink},
	wecom.PathAcquisitionUpdateLink: {post: true, fn: apiUpdateLink},
	wecom.PathAcquisitionGet:        {post: true, fn: apiGetLink},
	wecom.PathAcquisitionDeleteLink: {post: true, fn: apiDeleteLink},
	wecom.PathAcquisitionListLink:   {post: true, fn: apiListLinks},
	wecom.PathAcquisitionCustomer:   {post: true, fn: apiLinkCustomers},
	wecom.PathAcquisitionQuota:      {fn: apiAcquisitionQuota},

	wecom.PathGroupChatList: {post: true, fn: apiGroupChatList},
	wecom.PathGroupChatGet:  {post: true, fn: apiGroupChatGet},
	wecom.PathAddJoinWay:    {post: true, fn: apiAddJoinWay},
	wecom.PathGetJoinWay:    {post: true, fn: apiGetJoinWay},
	wecom.PathUpdateJoinWay: {post: true, fn: apiUpdateJoinWay},
	wecom.PathDelJoinWay:    {post: true, fn: apiDelJoinWay},

	wecom.PathAddMsgTemplate:        {post: true, fn: apiAddMsgTemplate},
	wecom.PathGetGroupMsgListV2:     {post: true, fn: apiGroupMsgList},
	wecom.PathGetGroupMsgTask:       {post: true, fn: apiGroupMsgTask},
	wecom.PathGetGroupMsgSendResult: {post: true, fn: apiGroupMsgSendResult},
	wecom.PathRemindGroupMsgSend:    {post: true, fn: apiRemindGroupMsg},
	wecom.PathCancelGroupMsgSend:    {post: true, fn: apiCancelGroupMsg},

	wecom.PathAddMomentTask:         {post: true, fn: apiAddMomentTask},
	wecom.PathGetMomentTaskResult:   {fn: apiMomentTaskResult},
	wecom.PathCancelMomentTask:      {post: true, fn: apiCancelMomentTask},
	wecom.PathGetMomentList:         {post: true, fn: apiMomentList},
	wecom.PathGetMomentTask:         {post: true, fn: apiMomentTask},
	wecom.PathGetMomentCustomerList: {post: true, fn: apiMomentCustomerList},
	wecom.PathGetMomentSendResult:   {post: true, fn: apiMomentSendResult},
	wecom.PathGetMomentComments:     {post: true, fn: apiMomentComments},

	wecom.PathTransferCustomer:       {post: true, fn: apiTransferCustomer},
	wecom.PathTransferResult:         {post: true, fn: apiTransferResult},
	wecom.PathGetUnassignedList:      {post: true, fn: apiUnassignedList},
	wecom.PathResignedTransfer:       {post: true, fn: apiResignedTransfer},
	wecom.PathResignedTransferResult: {post: true, fn: apiResignedTransferResult},
	wecom.PathGroupChatTransfer:      {post: true, fn: apiGroupChatTransfer},
	wecom.PathGroupChatOnjobTransfer: {post: true, fn: apiGroupChatOnjobTransfer},
}

// Handler serves the WeCom API under /cgi-bin/ and the control API under
// /emulator/.
func (e *Emulator) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/cgi-bin/", e.serveAPI)
	mux.Handle("/emulator/", e.controlHandler())
	return mux
}

// maxBody bounds request bodies; the largest real one (10,000 external
// userids) is well under it.
const maxBody = 2 << 20

func (e *Emulator) serveAPI(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	rt, ok := routes[path]
	if !ok {
		writeJSON(w, http.StatusNotFound, wecom.Response{ErrCode: 48001, ErrMsg: "api not found: " + path})
		return
	}
	e.mu.Lock()
	pol := e.pol
	now := e.clock.now()
	busy := e.faults.Float64() < pol.Faults.BusyRate
	fail := e.faults.Float64() < pol.Faults.ServerErrorRate
	delay := pol.Faults.Latency
	if pol.Faults.LatencyJitter > 0 {
		delay += time.Duration(e.faults.Int64N(int64(pol.Faults.LatencyJitter)))
	}
	e.mu.Unlock()
	ip := clientIP(r)

	if code := e.lim.admit(pol, path, r.URL.Query().Get("debug") == "1", ip, now); code != 0 {
		e.reply(w, r, errorf(code, "api freq out of limit"))
		return
	}
	release, ok := e.lim.enter(path, pol.MaxConcurrent)
	if !ok {
		e.reply(w, r, errorf(wecom.ErrCodeAPIConcurrentOutOfLimit, "api concurrent out of limit"))
		return
	}
	defer release()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if fail {
		http.Error(w, "<html><body><h1>503 Service Unavailable</h1></body></html>", http.StatusServiceUnavailable)
		return
	}
	if busy {
		e.reply(w, r, errorf(wecom.ErrCodeSystemBusy, "system busy"))
		return
	}

	c := &call{r: r, q: r.URL.Query()}
	if rt.post {
		if r.Method != http.MethodPost {
			// WeCom reads no body from a GET, so required fields are missing.
			e.reply(w, r, errorf(wecom.ErrCodeInvalidParameter, "invalid parameter: %s requires POST", path))
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil {
			return
		}
		if len(body) > maxBody {
			e.reply(w, r, errorf(wecom.ErrCodeInvalidParameter, "request body too large"))
			return
		}
		c.body = body
	}

	c.now = e.lockedNow()
	var resp any
	var err error
	if path != wecom.PathGetToken {
		err = e.checkToken(c.q.Get(wecom.QueryAccessToken), c.now)
	}
	if err == nil {
		resp, err = rt.fn(e, c)
	}
	if err != nil {
		resp = e.errorBody(err, ip)
	}
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, resp)
}

// reply writes an error answer outside the state lock.
func (e *Emulator) reply(w http.ResponseWriter, r *http.Request, err error) {
	e.mu.Lock()
	body := e.errorBody(err, clientIP(r))
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, body)
}

// errorBody formats an error the way WeCom does: the message, a hint, the
// caller's IP and the error-code help link. Callers hold mu.
func (e *Emulator) errorBody(err error, ip string) wecom.Response {
	apiErr, ok := err.(*Error)
	if !ok {
		apiErr = &Error{Code: wecom.ErrCodeSystemBusy, Msg: err.Error()}
	}
	e.errors++
	hint := strconv.FormatInt(e.clock.now().Unix(), 10) + "_" + strconv.FormatInt(e.errors, 16)
	return wecom.Response{
		ErrCode: apiErr.Code,
		ErrMsg: apiErr.Msg + ", hint: [" + hint + "], from ip: " + ip +
			", more info at https://open.work.weixin.qq.com/devtool/query?e=" + strconv.Itoa(apiErr.Code),
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// GET gettoken?corpid=&corpsecret=
func apiGetToken(e *Emulator, c *call) (any, error) {
	corpID, secret := c.q.Get(wecom.QueryCorpID), c.q.Get(wecom.QueryCorpSecret)
	switch {
	case corpID == "":
		return nil, errorf(41002, "corpid missing")
	case secret == "":
		return nil, errorf(41004, "corpsecret missing")
	case corpID != e.cfg.CorpID:
		e.lim.badSecret(clientIP(c.r), c.now)
		return nil, errorf(wecom.ErrCodeInvalidCorpID, "invalid corpid")
	case secret != e.cfg.Secret:
		e.lim.badSecret(clientIP(c.r), c.now)
		return nil, errorf(wecom.ErrCodeInvalidSecret, "invalid credential")
	}
	t := e.st.current
	if t == nil || !c.now.Before(t.expires) {
		t = &token{value: e.id.token(), expires: c.now.Add(e.pol.TokenTTL)}
		e.st.tokens[t.value] = t
		e.st.current = t
	}
	// The same token comes back until it expires, with the time it has left.
	left := int(math.Ceil(t.expires.Sub(c.now).Seconds()))
	return wecom.GetTokenResponse{Response: wecom.OK, AccessToken: t.value, ExpiresIn: left}, nil
}

// checkToken validates access_token. Callers hold mu.
func (e *Emulator) checkToken(value string, now time.Time) error {
	if value == "" {
		return errorf(wecom.ErrCodeMissingAccessToken, "access_token missing")
	}
	t := e.st.tokens[value]
	if t == nil {
		return errorf(wecom.ErrCodeInvalidAccessToken, "invalid access_token")
	}
	if !now.Before(t.expires) {
		return errorf(wecom.ErrCodeAccessTokenExpired, "access_token expired")
	}
	return nil
}

// ExpireTokens makes every issued access_token expire now, as WeCom may do
// early, so that clients meet 42001 and fetch a new one.
func (e *Emulator) ExpireTokens() {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock.now()
	for _, t := range e.st.tokens {
		if t.expires.After(now) {
			t.expires = now
		}
	}
}

// Cursors are opaque to clients; inside they are an offset.
const cursorPrefix = "emu1:"

func encodeCursor(off int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.Itoa(off)))
}

func decodeCursor(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil && strings.HasPrefix(string(b), cursorPrefix) {
		if n, err := strconv.Atoi(string(b[len(cursorPrefix):])); err == nil && n >= 0 {
			return n, nil
		}
	}
	return 0, errorf(errCodeInvalidCursor, "invalid cursor")
}

// errCodeInvalidCursor is 分页查询的游标无效 on the global error-code page.
const errCodeInvalidCursor = 50100

// paginate returns the page of items at cursor and the cursor of the next
// page ("" on the last one).
func paginate[T any](items []T, cursor string, limit int) ([]T, string, error) {
	off, err := decodeCursor(cursor)
	if err != nil {
		return nil, "", err
	}
	off = min(off, len(items))
	end := min(off+limit, len(items))
	next := ""
	if end < len(items) {
		next = encodeCursor(end)
	}
	return items[off:end], next, nil
}
