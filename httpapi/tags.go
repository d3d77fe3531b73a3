package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
)

// tagStore is what the tag, keyword-rule and consent endpoints need of the
// store. *store.Store has it; a store without it answers 404 on them.
type tagStore interface {
	Tags(ctx context.Context, workspaceID int64) ([]store.TagInfo, error)
	CreateTag(ctx context.Context, workspaceID int64, tag siyu.Tag, pushWeCom bool) (store.TagInfo, error)
	CustomerTags(ctx context.Context, workspaceID, customerID int64) ([]store.CustomerTag, error)
	AddCustomerTag(ctx context.Context, workspaceID, customerID int64, tagName, source string) (bool, error)
	RemoveCustomerTag(ctx context.Context, workspaceID, customerID int64, tagName string) (bool, error)

	TagRules(ctx context.Context, workspaceID int64) ([]store.TagRule, error)
	TagRule(ctx context.Context, workspaceID, id int64) (store.TagRule, error)
	SaveTagRule(ctx context.Context, workspaceID int64, r store.TagRule) (store.TagRule, error)
	DeleteTagRule(ctx context.Context, workspaceID, id int64) error
	RefreshTagRules(ctx context.Context, workspaceID, ruleID int64) (store.InboundResult, error)
	ProcessInbound(ctx context.Context, workspaceID int64) (store.InboundResult, error)

	OptOut(ctx context.Context, workspaceID, customerID int64, source, note string) error
	OptIn(ctx context.Context, workspaceID, customerID int64, source, note string) error
	OptOutOf(ctx context.Context, workspaceID, customerID int64) (*store.OptOutRecord, error)
	ConsentSettings(ctx context.Context, workspaceID int64) (store.ConsentSettings, error)
	SetConsentSettings(ctx context.Context, workspaceID int64, cs store.ConsentSettings) error

	Audit(ctx context.Context, workspaceID int64, e store.AuditEntry) error
}

// tagRoutes registers the tag, keyword-rule and consent endpoints.
func (a *api) tagRoutes(route func(method, path string, h handlerFunc)) {
	route("GET", "/api/v1/tags", a.listTags)
	route("POST", "/api/v1/tags", writer(a.createTag))
	route("GET", "/api/v1/customers/{id}/tags", a.customerTags)
	route("PUT", "/api/v1/customers/{id}/tags/{tag}", writer(a.putCustomerTag))
	route("DELETE", "/api/v1/customers/{id}/tags/{tag}", writer(a.deleteCustomerTag))
	route("GET", "/api/v1/tag-rules", a.listTagRules)
	route("POST", "/api/v1/tag-rules", writer(a.createTagRule))
	route("GET", "/api/v1/tag-rules/{id}", a.getTagRule)
	route("PUT", "/api/v1/tag-rules/{id}", writer(a.putTagRule))
	route("DELETE", "/api/v1/tag-rules/{id}", writer(a.deleteTagRule))
	route("POST", "/api/v1/tag-rules/{id}/refresh", writer(a.refreshTagRule))
	route("GET", "/api/v1/customers/{id}/opt-out", a.getOptOut)
	route("POST", "/api/v1/customers/{id}/opt-out", writer(a.postOptOut))
	route("DELETE", "/api/v1/customers/{id}/opt-out", writer(a.deleteOptOut))
	route("GET", "/api/v1/consent/settings", a.getConsentSettings)
	route("PUT", "/api/v1/consent/settings", adminOnly(a.putConsentSettings))
}

func (a *api) tagging() (tagStore, error) {
	ts, ok := a.store.(tagStore)
	if !ok {
		return nil, notFound("tags are not available")
	}
	return ts, nil
}

// afterEvents applies keyword rules and opt-out keywords to the messages
// and comments just recorded. The events are stored whatever happens here:
// a failure is logged and the background worker catches up.
func (a *api) afterEvents(ctx context.Context, workspaceID int64) {
	ts, ok := a.store.(tagStore)
	if !ok {
		return
	}
	if _, err := ts.ProcessInbound(ctx, workspaceID); err != nil {
		a.log.WarnContext(ctx, "keyword rules after events", "workspace", workspaceID, "err", err)
	}
}

// audit records an operator action of the request's token.
func (a *api) audit(r *http.Request, ts tagStore, action, target, detail string) error {
	tok := tokenFrom(r.Context())
	return ts.Audit(r.Context(), tok.WorkspaceID, store.AuditEntry{Actor: tokenActor(tok, 0).Name, Action: action, Target: target, Detail: detail})
}

func customerTarget(id int64) string { return "customer:" + strconv.FormatInt(id, 10) }

func (a *api) listTags(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.tagging()
	if err != nil {
		return err
	}
	tags, err := ts.Tags(r.Context(), tokenFrom(r.Context()).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Tags []store.TagInfo `json:"tags"`
	}{tags})
	return nil
}

func (a *api) createTag(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.tagging()
	if err != nil {
		return err
	}
	var in struct {
		Name      string `json:"name"`
		GroupName string `json:"group_name"`
		PushWeCom bool   `json:"push_wecom"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Name) == "" {
		return badRequest("invalid_parameter", "name", "name is required")
	}
	tag, err := ts.CreateTag(r.Context(), tokenFrom(r.Context()).WorkspaceID, siyu.Tag{Name: in.Name, GroupName: in.GroupName}, in.PushWeCom)
	if err != nil {
		return err
	}
	if err := a.audit(r, ts, "tag.create", "tag:"+tag.Name, ""); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, tag)
	return nil
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := readJSONBody(w, r)
	if err != nil {
		return err
	}
	if err := unmarshalStrict(body, v); err != nil {
		return badRequest("invalid_json", "", "%v", err)
	}
	return nil
}

func (a *api) customerTags(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.tagging()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	ws := tokenFrom(r.Context()).WorkspaceID
	if _, err := a.store.Customer360(r.Context(), ws, id); errors.Is(err, siyu.ErrNotFound) {
		return notFound("no customer %d in this workspace", id)
	} else if err != nil {
		return err
	}
	tags, err := ts.CustomerTags(r.Context(), ws, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Tags []store.CustomerTag `json:"tags"`
	}{tags})
	return nil
}

func (a *api) putCustomerTag(w http.ResponseWriter, r *http.Request) error {
	return a.changeCustomerTag(w, r, true)
}

func (a *api) deleteCustomerTag(w http.ResponseWriter, r *http.Request) error {
	return a.changeCustomerTag(w, r, false)
}

// changeCustomerTag puts a tag on (PUT) or takes it off (DELETE) a
// customer. Both are idempotent; "changed" says whether anything changed.
func (a *api) changeCustomerTag(w http.ResponseWriter, r *http.Request, add bool) error {
	ts, err := a.tagging()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	name := strings.TrimSpace(r.PathValue("tag"))
	if name == "" {
		return badRequest("invalid_parameter", "tag", "tag name is required")
	}
	ws := tokenFrom(r.Context()).WorkspaceID
	var changed bool
	action := "tag.add"
	if add {
		changed, err = ts.AddCustomerTag(r.Context(), ws, id, name, store.TagSourceManual)
	} else {
		action = "tag.remove"
		changed, err = ts.RemoveCustomerTag(r.Context(), ws, id, name)
	}
	if errors.Is(err, siyu.ErrNotFound) {
		return notFound("no customer %d in this workspace", id)
	}
	if err != nil {
		return err
	}
	if changed {
		if err := a.audit(r, ts, action, customerTarget(id), name); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, struct {
		Tag     string `json:"tag"`
		Changed bool   `json:"changed"`
	}{name, changed})
	return nil
}

func (a *api) listTagRules(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.tagging()
	if err != nil {
		return err
	}
	rules, err := ts.TagRules(r.Context(), tokenFrom(r.Context()).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Rules []store.TagRule `json:"rules"`
	}{rules})
	return nil
}

func (a *api) getTagRule(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.tagging()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	rule, err := ts.TagRule(r.Context(), tokenFrom(r.Context()).WorkspaceID, id)
	if errors.Is(err, siyu.ErrNotFound) {
		return notFound("no tag rule %d in this workspace", id)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rule)
	return nil
}

// tagRuleInput is a rule as clients send it; enabled defaults to true.
type tagRuleInput struct {
	Name       string   `json:"name"`
	Tag        string   `json:"tag"`
	Keywords   []string `json:"keywords"`
	Excludes   []string `json:"excludes"`
	EventTypes []string `json:"event_types"`
	WindowDays int      `json:"window_days"`
	Enabled    *bool    `json:"enabled"`
}

func (in tagRuleInput) rule(id int64) store.TagRule {
	return store.TagRule{ID: id, Name: in.Name, Tag: in.Tag, Keywords: in.Keywords, Excludes: in.Excludes,
		EventTypes: in.EventTypes, WindowDays: in.WindowDays, Enabled: in.Enabled == nil || *in.Enabled}
}

func (a *api) createTagRule(w http.ResponseWriter, r *http.Request) error {
	return a.saveTagRule(w, r, 0)
}

func (a *api) putTagRule(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	return a.saveTagRule(w, r, id)
}

func (a *api) saveTagRule(w http.ResponseWriter, r *http.Request, id int64) error {
	ts, err := a.tagging()
	if err != nil {
		return err
	}
	var in tagRuleInput
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	rule, err := ts.SaveTagRule(r.Context(), tokenFrom(r.Context()).WorkspaceID, in.rule(id))
	if errors.Is(err, siyu.ErrNotFound) {
		return notFound("no tag rule %d in this workspace", id)
	}
	if err != nil {
		return err
	}
	action, status := "tag_rule.update", http.StatusOK
	if id == 0 {
		action, status = "tag_rule.create", http.StatusCreated
	}
	if err := a.audit(r, ts, action, "tag_rule:"+strconv.FormatInt(rule.ID, 10), rule.Name+" → "+rule.Tag); err != nil {
		return err
	}
	writeJSON(w, status, rule)
	return nil
}

func (a *api) deleteTagRule(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.tagging()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	if err := ts.DeleteTagRule(r.Context(), tokenFrom(r.Context()).WorkspaceID, id); errors.Is(err, siyu.ErrNotFound) {
		return notFound("no tag rule %d in this workspace", id)
	} else if err != nil {
		return err
	}
	if err := a.audit(r, ts, "tag_rule.delete", "tag_rule:"+strconv.FormatInt(id, 10), ""); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// refreshTagRule applies a rule to the text already recorded (the
// backfill) and takes its tag off people who no longer match.
func (a *api) refreshTagRule(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.tagging()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	res, err := ts.RefreshTagRules(r.Context(), tokenFrom(r.Context()).WorkspaceID, id)
	if errors.Is(err, siyu.ErrNotFound) {
		return notFound("no tag rule %d in this workspace", id)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// optOutJSON is a customer's consent as the API shows it.
type optOutJSON struct {
	CustomerID int64               `json:"customer_id"`
	OptedOut   bool                `json:"opted_out"`
	Record     *store.OptOutRecord `json:"record,omitempty"`
}

func (a *api) getOptOut(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.tagging()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	return a.writeOptOut(w, r, ts, id, http.StatusOK)
}

func (a *api) writeOptOut(w http.ResponseWriter, r *http.Request, ts tagStore, id int64, status int) error {
	rec, err := ts.OptOutOf(r.Context(), tokenFrom(r.Context()).WorkspaceID, id)
	if errors.Is(err, siyu.ErrNotFound) {
		return notFound("no customer %d in this workspace", id)
	}
	if err != nil {
		return err
	}
	writeJSON(w, status, optOutJSON{CustomerID: id, OptedOut: rec != nil, Record: rec})
	return nil
}

func (a *api) postOptOut(w http.ResponseWriter, r *http.Request) error {
	return a.changeOptOut(w, r, true)
}

func (a *api) deleteOptOut(w http.ResponseWriter, r *http.Request) error {
	return a.changeOptOut(w, r, false)
}

// changeOptOut opts a customer out (POST) or back in (DELETE). The body
// ({"note": "..."}) is optional.
func (a *api) changeOptOut(w http.ResponseWriter, r *http.Request, out bool) error {
	ts, err := a.tagging()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	var in struct {
		Note string `json:"note"`
	}
	if r.ContentLength != 0 {
		if err := readJSON(w, r, &in); err != nil {
			return err
		}
	}
	ws := tokenFrom(r.Context()).WorkspaceID
	action := "consent.opt_out"
	if out {
		err = ts.OptOut(r.Context(), ws, id, store.ConsentSourceAPI, in.Note)
	} else {
		action = "consent.opt_in"
		err = ts.OptIn(r.Context(), ws, id, store.ConsentSourceAPI, in.Note)
	}
	if errors.Is(err, siyu.ErrNotFound) {
		return notFound("no customer %d in this workspace", id)
	}
	if err != nil {
		return err
	}
	if err := a.audit(r, ts, action, customerTarget(id), in.Note); err != nil {
		return err
	}
	return a.writeOptOut(w, r, ts, id, http.StatusOK)
}

func (a *api) getConsentSettings(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.tagging()
	if err != nil {
		return err
	}
	cs, err := ts.ConsentSettings(r.Context(), tokenFrom(r.Context()).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cs)
	return nil
}

func (a *api) putConsentSettings(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.tagging()
	if err != nil {
		return err
	}
	var in store.ConsentSettings
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	if err := ts.SetConsentSettings(r.Context(), tokenFrom(r.Context()).WorkspaceID, in); err != nil {
		return err
	}
	if err := a.audit(r, ts, "consent.settings", "consent", strings.Join(in.Keywords, ", ")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, in)
	return nil
}
