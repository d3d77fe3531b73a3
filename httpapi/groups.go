package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/groups"
	"siyu.dev/siyu/store"
)

func (a *api) groupRoutes(route func(method, path string, h handlerFunc)) {
	route("GET", "/api/v1/groups/templates", a.listGroupTemplates)
	route("POST", "/api/v1/groups/templates", writer(a.createGroupTemplate))
	route("GET", "/api/v1/groups/activities", a.listGroupActivities)
	route("POST", "/api/v1/groups/activities", writer(a.createGroupActivity))
	route("GET", "/api/v1/groups/activities/{id}", a.getGroupActivity)
	route("POST", "/api/v1/groups/activities/{id}/sync", writer(a.syncGroupActivity))
	route("POST", "/api/v1/groups/activities/{id}/messages", writer(a.scheduleGroupMessage))
	route("POST", "/api/v1/groups/activities/{id}/end", writer(a.endGroupActivity))
	route("GET", "/api/v1/groups/activities/{id}/report", a.groupActivityReport)
	route("POST", "/api/v1/groups/activities/{id}/dissolve", writer(a.dissolveGroupActivity))
	route("POST", "/api/v1/groups/activities/{id}/rebuild", writer(a.rebuildGroupActivity))
	route("POST", "/api/v1/groups/activities/{id}/invite", writer(a.inviteGroupActivity))
	route("GET", "/api/v1/groups/activities/{id}/health", a.groupActivityHealth)
	route("GET", "/api/v1/groups/activities/{id}/attendance", a.groupActivityAttendance)
}

func (a *api) groupService() (*groups.Service, error) {
	if a.groups == nil {
		return nil, notFound("campaign groups are not available")
	}
	return a.groups, nil
}

// decodeStrict reads a JSON body into v, refusing unknown fields.
func decodeStrict(w http.ResponseWriter, r *http.Request, what string, v any) error {
	body, err := readJSONBody(w, r)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("malformed_json", "", "%s: %v", what, err)
	}
	return nil
}

// groupAction runs the common part of the activity endpoints: the service,
// the activity id and the token.
func (a *api) groupAction(r *http.Request) (*groups.Service, int64, siyu.APIToken, error) {
	svc, err := a.groupService()
	if err != nil {
		return nil, 0, siyu.APIToken{}, err
	}
	id, err := idParam(r)
	if err != nil {
		return nil, 0, siyu.APIToken{}, err
	}
	return svc, id, tokenFrom(r.Context()), nil
}

func (a *api) auditGroups(r *http.Request, svc *groups.Service, tok siyu.APIToken, action string, id int64, detail string) {
	if err := svc.Store.Audit(r.Context(), tok.WorkspaceID, store.AuditEntry{Actor: tokenActor(tok, 0).Name, Action: action,
		Target: "group_activity:" + strconv.FormatInt(id, 10), Detail: detail}); err != nil {
		a.log.ErrorContext(r.Context(), "audit", "err", err)
	}
}

func (a *api) listGroupTemplates(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.groupService()
	if err != nil {
		return err
	}
	list, err := svc.Store.GroupTemplates(r.Context(), tokenFrom(r.Context()).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"templates": nonNilSlice(list)})
	return nil
}

func (a *api) createGroupTemplate(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.groupService()
	if err != nil {
		return err
	}
	var t store.GroupTemplate
	if err := decodeStrict(w, r, "template", &t); err != nil {
		return err
	}
	t, err = svc.CreateTemplate(r.Context(), tokenFrom(r.Context()).WorkspaceID, t)
	if err != nil {
		return invalidInput(err)
	}
	a.record(r, "groups.template.create", "group_template:"+strconv.FormatInt(t.ID, 10), t.Name)
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (a *api) listGroupActivities(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.groupService()
	if err != nil {
		return err
	}
	list, err := svc.Store.GroupActivities(r.Context(), tokenFrom(r.Context()).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"activities": nonNilSlice(list)})
	return nil
}

func (a *api) createGroupActivity(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.groupService()
	if err != nil {
		return err
	}
	var d groups.ActivityDraft
	if err := decodeStrict(w, r, "activity", &d); err != nil {
		return err
	}
	tok := tokenFrom(r.Context())
	act, err := svc.CreateActivity(r.Context(), tok.WorkspaceID, d)
	if err != nil {
		return invalidInput(err)
	}
	a.auditGroups(r, svc, tok, "groups.activity.create", act.ID, act.Name)
	writeJSON(w, http.StatusCreated, act)
	return nil
}

// groupActivityView is an activity with its groups (and their fill) and
// messages.
type groupActivityView struct {
	store.GroupActivity
	Groups   []groupView          `json:"groups"`
	Messages []store.GroupMessage `json:"messages"`
}

type groupView struct {
	store.ActivityGroup
	Fill int `json:"fill"` // members plus the owner, against the template's member_cap
}

func activityDetail(r *http.Request, svc *groups.Service, ws, id int64) (groupActivityView, error) {
	act, err := svc.Store.GroupActivity(r.Context(), ws, id)
	if err != nil {
		return groupActivityView{}, err
	}
	gs, err := svc.Store.ActivityGroups(r.Context(), ws, id)
	if err != nil {
		return groupActivityView{}, err
	}
	msgs, err := svc.Store.GroupMessages(r.Context(), ws, id)
	if err != nil {
		return groupActivityView{}, err
	}
	v := groupActivityView{GroupActivity: act, Groups: []groupView{}, Messages: nonNilSlice(msgs)}
	for _, g := range gs {
		v.Groups = append(v.Groups, groupView{ActivityGroup: g, Fill: groups.Fill(g)})
	}
	return v, nil
}

func (a *api) getGroupActivity(w http.ResponseWriter, r *http.Request) error {
	svc, id, tok, err := a.groupAction(r)
	if err != nil {
		return err
	}
	v, err := activityDetail(r, svc, tok.WorkspaceID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (a *api) syncGroupActivity(w http.ResponseWriter, r *http.Request) error {
	svc, id, tok, err := a.groupAction(r)
	if err != nil {
		return err
	}
	res, err := svc.Sync(r.Context(), tok.WorkspaceID, id)
	if errors.Is(err, groups.ErrNoWeCom) {
		return &apiError{Status: http.StatusServiceUnavailable, Code: "wecom_unavailable", Message: err.Error()}
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// groupMessageInput is the body of .../messages and .../end.
type groupMessageInput struct {
	Message siyu.Message `json:"message"`
	SendAt  time.Time    `json:"send_at"` // zero: now
}

func (a *api) scheduleGroupMessage(w http.ResponseWriter, r *http.Request) error {
	svc, id, tok, err := a.groupAction(r)
	if err != nil {
		return err
	}
	var in groupMessageInput
	if err := decodeStrict(w, r, "message", &in); err != nil {
		return err
	}
	m, err := svc.Schedule(r.Context(), tok.WorkspaceID, id, in.Message, in.SendAt)
	if err != nil {
		return invalidInput(err)
	}
	a.auditGroups(r, svc, tok, "groups.message.schedule", id, "message "+strconv.FormatInt(m.ID, 10))
	writeJSON(w, http.StatusCreated, m)
	return nil
}

func (a *api) endGroupActivity(w http.ResponseWriter, r *http.Request) error {
	svc, id, tok, err := a.groupAction(r)
	if err != nil {
		return err
	}
	var in groupMessageInput
	if err := decodeStrict(w, r, "guide message", &in); err != nil {
		return err
	}
	act, err := svc.End(r.Context(), tok.WorkspaceID, id, in.Message, in.SendAt)
	if err != nil {
		return invalidInput(err)
	}
	a.auditGroups(r, svc, tok, "groups.activity.end", id, "")
	writeJSON(w, http.StatusOK, act)
	return nil
}

func (a *api) groupActivityReport(w http.ResponseWriter, r *http.Request) error {
	svc, id, tok, err := a.groupAction(r)
	if err != nil {
		return err
	}
	rep, err := svc.Report(r.Context(), tok.WorkspaceID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (a *api) dissolveGroupActivity(w http.ResponseWriter, r *http.Request) error {
	svc, id, tok, err := a.groupAction(r)
	if err != nil {
		return err
	}
	tasks, err := svc.Dissolve(r.Context(), tok.WorkspaceID, id)
	if err != nil {
		return err
	}
	a.auditGroups(r, svc, tok, "groups.activity.dissolve", id, strconv.Itoa(len(tasks))+" tasks")
	writeJSON(w, http.StatusOK, map[string]any{"tasks": nonNilSlice(tasks)})
	return nil
}

func (a *api) rebuildGroupActivity(w http.ResponseWriter, r *http.Request) error {
	svc, id, tok, err := a.groupAction(r)
	if err != nil {
		return err
	}
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeStrict(w, r, "rebuild", &in); err != nil {
		return err
	}
	act, err := svc.Rebuild(r.Context(), tok.WorkspaceID, id, in.Name)
	if err != nil {
		return invalidInput(err)
	}
	a.auditGroups(r, svc, tok, "groups.activity.rebuild", act.ID, "from "+strconv.FormatInt(id, 10))
	writeJSON(w, http.StatusCreated, act)
	return nil
}

func (a *api) inviteGroupActivity(w http.ResponseWriter, r *http.Request) error {
	svc, id, tok, err := a.groupAction(r)
	if err != nil {
		return err
	}
	var in struct {
		Text   string    `json:"text"`
		SendAt time.Time `json:"send_at"`
	}
	if err := decodeStrict(w, r, "invite", &in); err != nil {
		return err
	}
	res, err := svc.Invite(r.Context(), tok.WorkspaceID, id, in.Text, in.SendAt)
	if errors.Is(err, groups.ErrNoDispatch) {
		return &apiError{Status: http.StatusServiceUnavailable, Code: "dispatch_unavailable", Message: err.Error()}
	}
	if err != nil {
		return invalidInput(err)
	}
	a.auditGroups(r, svc, tok, "groups.activity.invite", id, "enqueued "+strconv.Itoa(res.Enqueued))
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (a *api) groupActivityHealth(w http.ResponseWriter, r *http.Request) error {
	svc, id, tok, err := a.groupAction(r)
	if err != nil {
		return err
	}
	days := 0
	if v := r.URL.Query().Get("active_days"); v != "" {
		if days, err = strconv.Atoi(v); err != nil || days < 1 || days > 365 {
			return badRequest("invalid_parameter", "active_days", "active_days must be from 1 to 365, not %q", v)
		}
	}
	if _, err := svc.Store.GroupActivity(r.Context(), tok.WorkspaceID, id); err != nil {
		return err
	}
	h, err := svc.Health(r.Context(), tok.WorkspaceID, id, days)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h)
	return nil
}

func (a *api) groupActivityAttendance(w http.ResponseWriter, r *http.Request) error {
	svc, id, tok, err := a.groupAction(r)
	if err != nil {
		return err
	}
	if _, err := svc.Store.GroupActivity(r.Context(), tok.WorkspaceID, id); err != nil {
		return err
	}
	att, err := svc.Attendance(r.Context(), tok.WorkspaceID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"groups": att})
	return nil
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
