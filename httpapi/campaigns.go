package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"siyu.dev/siyu"
	"siyu.dev/siyu/campaign"
	"siyu.dev/siyu/policy"
	"siyu.dev/siyu/store"
)

// Campaigns is what the API needs of the campaign service;
// *campaign.Service is one.
type Campaigns interface {
	List(ctx context.Context, ws int64) ([]store.Campaign, error)
	Get(ctx context.Context, ws, id int64) (store.Campaign, error)
	Create(ctx context.Context, ws int64, d campaign.Draft) (store.Campaign, error)
	Plan(ctx context.Context, ws, id int64) (campaign.Plan, error)
	Launch(ctx context.Context, ws, id int64) (campaign.LaunchResult, error)
	Results(ctx context.Context, ws, id int64) (campaign.Results, error)
	ReachSettings(ctx context.Context, ws int64) (policy.Settings, error)
	SetReachSettings(ctx context.Context, ws int64, s policy.Settings) error
	Audit(ctx context.Context, ws int64, e store.AuditEntry) error
}

func (a *api) campaignRoutes(route func(method, path string, h handlerFunc)) {
	route("GET", "/api/v1/campaigns", a.listCampaigns)
	route("POST", "/api/v1/campaigns", writer(a.createCampaign))
	route("GET", "/api/v1/campaigns/{id}", a.getCampaign)
	route("POST", "/api/v1/campaigns/{id}/plan", writer(a.planCampaign))
	route("POST", "/api/v1/campaigns/{id}/launch", writer(a.launchCampaign))
	route("GET", "/api/v1/campaigns/{id}/results", a.campaignResults)
	route("GET", "/api/v1/reach/settings", a.getReachSettings)
	route("PUT", "/api/v1/reach/settings", adminOnly(a.putReachSettings))
}

func (a *api) campaignService() (Campaigns, error) {
	if a.campaigns == nil {
		return nil, notFound("campaigns are not available")
	}
	return a.campaigns, nil
}

func (a *api) listCampaigns(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.campaignService()
	if err != nil {
		return err
	}
	list, err := svc.List(r.Context(), tokenFrom(r.Context()).WorkspaceID)
	if err != nil {
		return err
	}
	for i := range list {
		list[i].Plan = nil // the list stays small; GET one for its plan
	}
	writeJSON(w, http.StatusOK, map[string]any{"campaigns": list})
	return nil
}

func (a *api) getCampaign(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.campaignService()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	c, err := svc.Get(r.Context(), tokenFrom(r.Context()).WorkspaceID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (a *api) createCampaign(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.campaignService()
	if err != nil {
		return err
	}
	body, err := readJSONBody(w, r)
	if err != nil {
		return err
	}
	var d campaign.Draft
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return badRequest("malformed_json", "", "campaign: %v", err)
	}
	tok := tokenFrom(r.Context())
	d.CreatedBy = "token:" + tok.Prefix
	c, err := svc.Create(r.Context(), tok.WorkspaceID, d)
	if err != nil {
		return invalidInput(err)
	}
	a.record(r, "campaign.create", "campaign:"+strconv.FormatInt(c.ID, 10), c.Name)
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (a *api) planCampaign(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.campaignService()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	p, err := svc.Plan(r.Context(), tokenFrom(r.Context()).WorkspaceID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (a *api) launchCampaign(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.campaignService()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	tok := tokenFrom(r.Context())
	res, err := svc.Launch(r.Context(), tok.WorkspaceID, id)
	if errors.Is(err, campaign.ErrNoDispatch) {
		return &apiError{Status: http.StatusServiceUnavailable, Code: "dispatch_unavailable", Message: err.Error()}
	}
	if err != nil {
		return err
	}
	if !res.AlreadyLaunched {
		if err := svc.Audit(r.Context(), tok.WorkspaceID, store.AuditEntry{Actor: tokenActor(tok, 0).Name, Action: "campaign.launch",
			Target: "campaign:" + strconv.FormatInt(id, 10), Detail: "enqueued " + strconv.Itoa(res.Enqueued)}); err != nil {
			a.log.ErrorContext(r.Context(), "audit", "err", err)
		}
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (a *api) campaignResults(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.campaignService()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	res, err := svc.Results(r.Context(), tokenFrom(r.Context()).WorkspaceID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (a *api) getReachSettings(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.campaignService()
	if err != nil {
		return err
	}
	s, err := svc.ReachSettings(r.Context(), tokenFrom(r.Context()).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s)
	return nil
}

// putReachSettings replaces the workspace's reach limits (admin only).
func (a *api) putReachSettings(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.campaignService()
	if err != nil {
		return err
	}
	body, err := readJSONBody(w, r)
	if err != nil {
		return err
	}
	var s policy.Settings
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return badRequest("malformed_json", "", "reach settings: %v", err)
	}
	tok := tokenFrom(r.Context())
	if err := svc.SetReachSettings(r.Context(), tok.WorkspaceID, s); err != nil {
		return invalidInput(err)
	}
	if err := svc.Audit(r.Context(), tok.WorkspaceID, store.AuditEntry{Actor: tokenActor(tok, 0).Name, Action: "reach.settings", Detail: string(body)}); err != nil {
		a.log.ErrorContext(r.Context(), "audit", "err", err)
	}
	writeJSON(w, http.StatusOK, s)
	return nil
}

// invalidInput turns a validation error ("field: message") into a 422
// naming the field.
func invalidInput(err error) error {
	if !errors.Is(err, siyu.ErrInvalid) {
		return err
	}
	ae := &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: err.Error()}
	// The message is "invalid input: field: detail".
	if rest, ok := strings.CutPrefix(err.Error(), siyu.ErrInvalid.Error()+": "); ok {
		if field, detail, ok := strings.Cut(rest, ": "); ok && !strings.ContainsAny(field, " \t") {
			ae.Field, ae.Message = field, detail
		}
	}
	return ae
}
