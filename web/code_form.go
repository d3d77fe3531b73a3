package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"siyu.dev/siyu"
)

// Limits of the channel code form. The state and the welcome text are
// WeCom's limits; a tag is limited like the store's tags.
const (
	maxCodeNameRunes  = 64
	maxCodeStateRunes = 30
	maxCodeTagRunes   = 64
	maxWelcomeBytes   = 4000
)

// codeForm is the channel code form as typed.
type codeForm struct {
	Name     string
	Kind     string
	Medium   string // qr or link
	State    string
	Accounts []string // WeCom userids
	Tags     string   // comma-separated
	Welcome  string
	OrderID  string
	Cost     string // yuan
}

// Picked reports whether the account is among the chosen ones.
func (f codeForm) Picked(userID string) bool {
	return slices.Contains(f.Accounts, userID)
}

// formProblem is what is wrong with a form: the field, to mark it, and a
// message key with its argument, if any. Detail, when set, is an error text
// from behind the form (it names the field itself) shown with the message.
type formProblem struct {
	Field  string
	Key    string
	Arg    any
	Detail string
}

type codeFormData struct {
	Form     codeForm
	Kinds    []string
	Accounts []siyu.Account // those that may take new customers
	Disabled bool           // WeCom is not set up: nothing can be made
	Problem  *formProblem
	MaxState int
}

func (c *Console) codeNew(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	// A link may preset the kind and order, e.g. from an order, to make its
	// parcel code.
	f := codeForm{Kind: q.Get("kind"), OrderID: q.Get("order_id")}
	if !validCodeKind(f.Kind) {
		f.Kind = siyu.CodeChannel
	}
	c.showCodeForm(w, r, http.StatusOK, codeFormData{Form: f})
}

func (c *Console) showCodeForm(w http.ResponseWriter, r *http.Request, status int, d codeFormData) {
	st := stateFrom(r)
	accounts, err := c.store.Accounts(r.Context(), st.workspace.ID)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	for _, a := range accounts {
		if a.Active || d.Form.Picked(a.WeComUserID) {
			d.Accounts = append(d.Accounts, a)
		}
	}
	d.Kinds = codeKinds
	d.MaxState = maxCodeStateRunes
	if c.codes == nil {
		d.Disabled = true
		if d.Problem == nil {
			d.Problem = &formProblem{Key: "codes.not_configured"}
		}
	}
	c.render(w, r, status, "code_new", c.newView(r, "codes.new_title", "codes", d))
}

func (c *Console) codeCreate(w http.ResponseWriter, r *http.Request) {
	st := stateFrom(r)
	f := codeForm{
		Name:     r.PostFormValue("name"),
		Kind:     r.PostFormValue("kind"),
		Medium:   r.PostFormValue("medium"),
		State:    r.PostFormValue("state"),
		Accounts: r.PostForm["accounts"],
		Tags:     r.PostFormValue("tags"),
		Welcome:  r.PostFormValue("welcome"),
		OrderID:  r.PostFormValue("order_id"),
		Cost:     r.PostFormValue("cost"),
	}
	if c.codes == nil {
		c.showCodeForm(w, r, http.StatusConflict, codeFormData{Form: f})
		return
	}
	code, problem := parseCodeForm(f)
	if problem != nil {
		c.showCodeForm(w, r, http.StatusBadRequest, codeFormData{Form: f, Problem: problem})
		return
	}
	created, err := c.codes.CreateChannelCode(r.Context(), st.workspace.ID, code)
	switch {
	case errors.Is(err, siyu.ErrInvalid):
		c.showCodeForm(w, r, http.StatusBadRequest, codeFormData{Form: f, Problem: &formProblem{Key: "codes.refused", Detail: err.Error()}})
		return
	case errors.Is(err, siyu.ErrConflict):
		c.showCodeForm(w, r, http.StatusConflict, codeFormData{Form: f, Problem: &formProblem{Key: "codes.refused", Detail: err.Error()}})
		return
	case errors.Is(err, siyu.ErrNotFound):
		c.showCodeForm(w, r, http.StatusConflict, codeFormData{Form: f, Problem: &formProblem{Key: "codes.not_configured"}})
		return
	case err != nil:
		// Most likely WeCom itself: keep what was typed so it can be sent again.
		c.log.ErrorContext(r.Context(), "creating a channel code failed", "workspace", st.workspace.ID, "err", err)
		c.showCodeForm(w, r, http.StatusBadGateway, codeFormData{Form: f, Problem: &formProblem{Key: "codes.create_failed"}})
		return
	}
	c.log.InfoContext(r.Context(), "channel code created", "workspace", st.workspace.ID, "code", created.ID, "state", created.State, "user", st.user.ID)
	c.record(r, "code.create", "code:"+strconv.FormatInt(created.ID, 10), created.Name)
	http.Redirect(w, r, "/codes/"+strconv.FormatInt(created.ID, 10)+"?created=1", http.StatusSeeOther)
}

func validCodeKind(k string) bool {
	return slices.Contains(codeKinds, k)
}

// parseCodeForm checks the form and makes the code to create from it, or
// says what is wrong. Whether the accounts and the order exist is for the
// creator to check.
func parseCodeForm(f codeForm) (siyu.ChannelCode, *formProblem) {
	code := siyu.ChannelCode{
		Name:    strings.TrimSpace(f.Name),
		Kind:    f.Kind,
		Medium:  f.Medium,
		State:   strings.TrimSpace(f.State),
		Welcome: strings.TrimSpace(f.Welcome),
		Tags:    parseTags(f.Tags),
	}
	for _, a := range f.Accounts {
		if a = strings.TrimSpace(a); a != "" && !slices.Contains(code.Accounts, a) {
			code.Accounts = append(code.Accounts, a)
		}
	}
	switch n := utf8.RuneCountInString(code.Name); {
	case n == 0 || n > maxCodeNameRunes:
		return code, &formProblem{Field: "name", Key: "codes.bad_name", Arg: maxCodeNameRunes}
	case !validCodeKind(code.Kind):
		return code, &formProblem{Field: "kind", Key: "codes.bad_kind"}
	case code.Medium != "" && code.Medium != siyu.MediumQR && code.Medium != siyu.MediumLink:
		return code, &formProblem{Field: "medium", Key: "codes.bad_medium"}
	}
	if n := utf8.RuneCountInString(code.State); n == 0 || n > maxCodeStateRunes {
		return code, &formProblem{Field: "state", Key: "codes.bad_state", Arg: maxCodeStateRunes}
	}
	if len(code.Accounts) == 0 {
		return code, &formProblem{Field: "accounts", Key: "codes.bad_accounts"}
	}
	for _, t := range code.Tags {
		if utf8.RuneCountInString(t) > maxCodeTagRunes {
			return code, &formProblem{Field: "tags", Key: "codes.bad_tag", Arg: maxCodeTagRunes}
		}
	}
	if len(code.Welcome) > maxWelcomeBytes {
		return code, &formProblem{Field: "welcome", Key: "codes.bad_welcome", Arg: maxWelcomeBytes}
	}
	if s := strings.TrimSpace(f.OrderID); s != "" {
		id, ok := parseID(strings.TrimPrefix(s, "#"))
		if !ok {
			return code, &formProblem{Field: "order_id", Key: "codes.bad_order"}
		}
		code.OrderID = id
	}
	if code.Kind == siyu.CodeOrder && code.OrderID == 0 {
		return code, &formProblem{Field: "order_id", Key: "codes.order_needs_id"}
	}
	if s := strings.TrimSpace(f.Cost); s != "" {
		cost, err := siyu.ParseYuan(s)
		if err != nil || cost < 0 {
			return code, &formProblem{Field: "cost", Key: "codes.bad_cost"}
		}
		code.Cost = cost
	}
	return code, nil
}

// tagSeparators split the tags field: commas of either width, the Chinese
// enumeration comma, semicolons and line breaks.
const tagSeparators = ",，、;；\r\n"

// parseTags splits the tags field into tags, dropping blanks and repeats.
func parseTags(s string) []string {
	var out []string
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(tagSeparators, r) }) {
		t = strings.Join(strings.Fields(t), " ")
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}
