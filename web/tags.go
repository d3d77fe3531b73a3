package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
)

// TagStore is what tags and consent need of the store. *store.Store has
// it; with a store that lacks it the customer page shows tags read-only
// and the tags page says tags are not available.
type TagStore interface {
	Tags(ctx context.Context, workspaceID int64) ([]store.TagInfo, error)
	CreateTag(ctx context.Context, workspaceID int64, tag siyu.Tag, pushWeCom bool) (store.TagInfo, error)
	CustomerTags(ctx context.Context, workspaceID, customerID int64) ([]store.CustomerTag, error)
	AddCustomerTag(ctx context.Context, workspaceID, customerID int64, tagName, source string) (bool, error)
	RemoveCustomerTag(ctx context.Context, workspaceID, customerID int64, tagName string) (bool, error)
	TagRules(ctx context.Context, workspaceID int64) ([]store.TagRule, error)
	SaveTagRule(ctx context.Context, workspaceID int64, r store.TagRule) (store.TagRule, error)
	DeleteTagRule(ctx context.Context, workspaceID, id int64) error
	RefreshTagRules(ctx context.Context, workspaceID, ruleID int64) (store.InboundResult, error)
	OptOut(ctx context.Context, workspaceID, customerID int64, source, note string) error
	OptIn(ctx context.Context, workspaceID, customerID int64, source, note string) error
	OptOutOf(ctx context.Context, workspaceID, customerID int64) (*store.OptOutRecord, error)
	ConsentSettings(ctx context.Context, workspaceID int64) (store.ConsentSettings, error)
	Audit(ctx context.Context, workspaceID int64, e store.AuditEntry) error
}

func init() {
	addPages(func(cat catalogue) template.FuncMap {
		return template.FuncMap{
			"tagSource": func(src string) string {
				if strings.HasPrefix(src, "rule:") {
					return cat.optional("tags.source_rule", "rule")
				}
				return cat.optional("tags.source_"+src, src)
			},
		}
	}, "tags")
}

func (c *Console) tagStore() (TagStore, bool) {
	ts, ok := c.store.(TagStore)
	return ts, ok
}

// customerTagging is the tags-and-consent panel of the customer page.
type customerTagging struct {
	Tags    []store.CustomerTag
	OptOut  *store.OptOutRecord
	AllTags []string // suggestions for the add field
}

// loadCustomerTagging reads the panel; nil when the store cannot tag (the page
// then shows its plain tag list).
func (c *Console) loadCustomerTagging(r *http.Request, customerID int64) (*customerTagging, error) {
	ts, ok := c.tagStore()
	if !ok {
		return nil, nil
	}
	ws := stateFrom(r).workspace.ID
	var p customerTagging
	var err error
	if p.Tags, err = ts.CustomerTags(r.Context(), ws, customerID); err != nil {
		return nil, err
	}
	if p.OptOut, err = ts.OptOutOf(r.Context(), ws, customerID); err != nil {
		return nil, err
	}
	all, err := ts.Tags(r.Context(), ws)
	if err != nil {
		return nil, err
	}
	for _, t := range all {
		p.AllTags = append(p.AllTags, t.Name)
	}
	return &p, nil
}

// auditAs records a console action of the signed-in user.
func (c *Console) auditAs(r *http.Request, ts TagStore, action, target, detail string) {
	st := stateFrom(r)
	actor := st.user.Name
	if actor == "" {
		actor = st.user.Login
	}
	if err := ts.Audit(r.Context(), st.workspace.ID, store.AuditEntry{UserID: st.user.ID, Actor: actor, Action: action, Target: target, Detail: detail}); err != nil {
		c.log.ErrorContext(r.Context(), "audit", "action", action, "err", err)
	}
}

// customerAction is the common part of the customer page's tag and
// consent forms: the store, the customer id, and the page to go back to.
func (c *Console) customerAction(w http.ResponseWriter, r *http.Request) (TagStore, int64, bool) {
	ts, ok := c.tagStore()
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "tags.unavailable")
		return nil, 0, false
	}
	id, ok := parseID(r.PathValue("id"))
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return nil, 0, false
	}
	return ts, id, true
}

func (c *Console) customerDone(w http.ResponseWriter, r *http.Request, id int64, err error) {
	switch {
	case errors.Is(err, siyu.ErrNotFound):
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
	case errors.Is(err, siyu.ErrInvalid):
		c.errorPage(w, r, http.StatusBadRequest, "tags.bad_name")
	case err != nil:
		c.internalError(w, r, err)
	default:
		http.Redirect(w, r, "/customers/"+strconv.FormatInt(id, 10)+"#tagging", http.StatusSeeOther)
	}
}

func customerTarget(id int64) string { return "customer:" + strconv.FormatInt(id, 10) }

// customerTagAdd puts the tag named in the form on the customer.
func (c *Console) customerTagAdd(w http.ResponseWriter, r *http.Request) {
	ts, id, ok := c.customerAction(w, r)
	if !ok {
		return
	}
	name := strings.TrimSpace(r.PostFormValue("tag"))
	added, err := ts.AddCustomerTag(r.Context(), stateFrom(r).workspace.ID, id, name, store.TagSourceManual)
	if err == nil && added {
		c.auditAs(r, ts, "tag.add", customerTarget(id), name)
	}
	c.customerDone(w, r, id, err)
}

// customerTagRemove takes the tag named in the form off the customer.
func (c *Console) customerTagRemove(w http.ResponseWriter, r *http.Request) {
	ts, id, ok := c.customerAction(w, r)
	if !ok {
		return
	}
	name := strings.TrimSpace(r.PostFormValue("tag"))
	removed, err := ts.RemoveCustomerTag(r.Context(), stateFrom(r).workspace.ID, id, name)
	if err == nil && removed {
		c.auditAs(r, ts, "tag.remove", customerTarget(id), name)
	}
	c.customerDone(w, r, id, err)
}

// customerOptOut marks the customer opted out; customerOptIn undoes it.
func (c *Console) customerOptOut(w http.ResponseWriter, r *http.Request) {
	ts, id, ok := c.customerAction(w, r)
	if !ok {
		return
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	err := ts.OptOut(r.Context(), stateFrom(r).workspace.ID, id, store.ConsentSourceConsole, note)
	if err == nil {
		c.auditAs(r, ts, "consent.opt_out", customerTarget(id), note)
	}
	c.customerDone(w, r, id, err)
}

func (c *Console) customerOptIn(w http.ResponseWriter, r *http.Request) {
	ts, id, ok := c.customerAction(w, r)
	if !ok {
		return
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	err := ts.OptIn(r.Context(), stateFrom(r).workspace.ID, id, store.ConsentSourceConsole, note)
	if err == nil {
		c.auditAs(r, ts, "consent.opt_in", customerTarget(id), note)
	}
	c.customerDone(w, r, id, err)
}

// tagsData is the tags page: the tags with counts, the keyword rules and
// the opt-out keywords.
type tagsData struct {
	Tags    []store.TagInfo
	Rules   []store.TagRule
	Consent store.ConsentSettings
	Error   string // message key of a refused form
	Form    tagRuleForm
}

type tagRuleForm struct {
	Name, Tag, Keywords, Excludes string
	WindowDays                    int
}

func (c *Console) tagsPage(w http.ResponseWriter, r *http.Request) {
	c.showTagsPage(w, r, http.StatusOK, "", tagRuleForm{WindowDays: store.DefaultRuleWindowDays})
}

func (c *Console) showTagsPage(w http.ResponseWriter, r *http.Request, status int, errKey string, form tagRuleForm) {
	ts, ok := c.tagStore()
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "tags.unavailable")
		return
	}
	ws := stateFrom(r).workspace.ID
	d := tagsData{Error: errKey, Form: form}
	var err error
	if d.Tags, err = ts.Tags(r.Context(), ws); err == nil {
		if d.Rules, err = ts.TagRules(r.Context(), ws); err == nil {
			d.Consent, err = ts.ConsentSettings(r.Context(), ws)
		}
	}
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	v := c.newView(r, "tags.title", "tags", d)
	switch r.URL.Query().Get("done") {
	case "tag":
		v.Notice = "tags.tag_created"
	case "rule":
		v.Notice = "tags.rule_saved"
	case "refresh":
		v.Notice = "tags.rule_refreshed"
	case "deleted":
		v.Notice = "tags.rule_deleted"
	}
	c.render(w, r, status, "tags", v)
}

// tagCreate makes a tag from the tags page.
func (c *Console) tagCreate(w http.ResponseWriter, r *http.Request) {
	ts, ok := c.tagStore()
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "tags.unavailable")
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	tag, err := ts.CreateTag(r.Context(), stateFrom(r).workspace.ID, siyu.Tag{Name: name, GroupName: r.PostFormValue("group")}, r.PostFormValue("push_wecom") != "")
	switch {
	case errors.Is(err, siyu.ErrInvalid):
		c.showTagsPage(w, r, http.StatusBadRequest, "tags.bad_name", tagRuleForm{WindowDays: store.DefaultRuleWindowDays})
		return
	case errors.Is(err, siyu.ErrConflict):
		c.showTagsPage(w, r, http.StatusConflict, "tags.exists", tagRuleForm{WindowDays: store.DefaultRuleWindowDays})
		return
	case err != nil:
		c.internalError(w, r, err)
		return
	}
	c.auditAs(r, ts, "tag.create", "tag:"+tag.Name, "")
	http.Redirect(w, r, "/tags?done=tag", http.StatusSeeOther)
}

// splitKeywords reads a keyword field: one per line, or separated by
// commas (either width) or 、.
func splitKeywords(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == '，' || r == '、' })
	var out []string
	for _, k := range f {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// tagRuleCreate saves a keyword rule from the tags page.
func (c *Console) tagRuleCreate(w http.ResponseWriter, r *http.Request) {
	ts, ok := c.tagStore()
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "tags.unavailable")
		return
	}
	form := tagRuleForm{Name: r.PostFormValue("name"), Tag: r.PostFormValue("tag"), Keywords: r.PostFormValue("keywords"), Excludes: r.PostFormValue("excludes")}
	form.WindowDays, _ = strconv.Atoi(r.PostFormValue("window_days"))
	rule, err := ts.SaveTagRule(r.Context(), stateFrom(r).workspace.ID, store.TagRule{Name: form.Name, Tag: form.Tag,
		Keywords: splitKeywords(form.Keywords), Excludes: splitKeywords(form.Excludes), WindowDays: form.WindowDays, Enabled: true})
	switch {
	case errors.Is(err, siyu.ErrInvalid):
		c.showTagsPage(w, r, http.StatusBadRequest, "tags.bad_rule", form)
		return
	case errors.Is(err, siyu.ErrConflict):
		c.showTagsPage(w, r, http.StatusConflict, "tags.rule_exists", form)
		return
	case err != nil:
		c.internalError(w, r, err)
		return
	}
	c.auditAs(r, ts, "tag_rule.create", "tag_rule:"+strconv.FormatInt(rule.ID, 10), rule.Name+" → "+rule.Tag)
	http.Redirect(w, r, "/tags?done=rule", http.StatusSeeOther)
}

func (c *Console) tagRuleRefresh(w http.ResponseWriter, r *http.Request) {
	c.tagRuleAction(w, r, "refresh", func(ts TagStore, ws, id int64) error {
		_, err := ts.RefreshTagRules(r.Context(), ws, id)
		return err
	})
}

func (c *Console) tagRuleDelete(w http.ResponseWriter, r *http.Request) {
	c.tagRuleAction(w, r, "deleted", func(ts TagStore, ws, id int64) error {
		err := ts.DeleteTagRule(r.Context(), ws, id)
		if err == nil {
			c.auditAs(r, ts, "tag_rule.delete", "tag_rule:"+strconv.FormatInt(id, 10), "")
		}
		return err
	})
}

func (c *Console) tagRuleAction(w http.ResponseWriter, r *http.Request, done string, act func(ts TagStore, ws, id int64) error) {
	ts, ok := c.tagStore()
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "tags.unavailable")
		return
	}
	id, ok := parseID(r.PathValue("id"))
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	err := act(ts, stateFrom(r).workspace.ID, id)
	if errors.Is(err, siyu.ErrNotFound) {
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	http.Redirect(w, r, "/tags?done="+done, http.StatusSeeOther)
}
