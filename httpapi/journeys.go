package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"siyu.dev/siyu/journey"
	"siyu.dev/siyu/journey/runner"
	"siyu.dev/siyu/policy"
	"siyu.dev/siyu/store"
)

// journeyStore is what the journey endpoints need of the store. *store.Store
// has it; a store without it answers 404 on these endpoints.
type journeyStore interface {
	runner.Store
	runner.BuiltinStore
	policy.Store
	Journeys(ctx context.Context, workspaceID int64) ([]store.Journey, error)
	UpdateJourney(ctx context.Context, workspaceID, id int64, name string, def journey.Definition) (store.Journey, error)
	SetJourneyStatus(ctx context.Context, workspaceID, id int64, status string) (store.Journey, error)
	JourneyVersions(ctx context.Context, workspaceID, id int64) ([]store.JourneyVersion, error)
	JourneyStats(ctx context.Context, workspaceID, id int64) (store.JourneyStats, error)
	Enrollments(ctx context.Context, workspaceID, journeyID int64, status string, limit, offset int) ([]store.Enrollment, int, error)
	Audit(ctx context.Context, workspaceID int64, e store.AuditEntry) error
}

func (a *api) journeyRoutes(route func(method, path string, h handlerFunc)) {
	route("GET", "/api/v1/journeys", a.listJourneys)
	route("POST", "/api/v1/journeys", writer(a.createJourney))
	route("GET", "/api/v1/journeys/templates", a.journeyTemplates)
	route("GET", "/api/v1/journeys/{id}", a.getJourney)
	route("PUT", "/api/v1/journeys/{id}", writer(a.updateJourney))
	route("GET", "/api/v1/journeys/{id}/versions", a.journeyVersions)
	route("POST", "/api/v1/journeys/{id}/activate", writer(a.journeyStatus(store.JourneyActive)))
	route("POST", "/api/v1/journeys/{id}/pause", writer(a.journeyStatus(store.JourneyPaused)))
	route("POST", "/api/v1/journeys/{id}/dry-run", a.journeyDryRun) // reads only
	route("GET", "/api/v1/journeys/{id}/enrollments", a.journeyEnrollments)
}

func (a *api) journeys() (journeyStore, error) {
	js, ok := a.store.(journeyStore)
	if !ok {
		return nil, notFound("journeys are not available")
	}
	return js, nil
}

// journeyError answers a definition error with the field it names.
func journeyError(err error) error {
	var je *journey.Error
	if errors.As(err, &je) {
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid", Field: je.Field, Message: je.Msg}
	}
	return err
}

// journeyInput is the body of POST and PUT /api/v1/journeys: a definition,
// or (POST only) a built-in template with its parameters.
type journeyInput struct {
	Name       string                `json:"name"`
	Definition json.RawMessage       `json:"definition"`
	Template   string                `json:"template"`
	Params     journey.BuiltinParams `json:"params"`
}

func decodeJourneyInput(w http.ResponseWriter, r *http.Request) (journeyInput, error) {
	var in journeyInput
	body, err := readJSONBody(w, r)
	if err != nil {
		return in, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return in, badRequest("malformed_json", "", "journey: %v", err)
	}
	return in, nil
}

func (a *api) journeyAudit(r *http.Request, js journeyStore, action string, id int64, detail string) {
	tok := tokenFrom(r.Context())
	if err := js.Audit(r.Context(), tok.WorkspaceID, store.AuditEntry{Actor: "api:" + tok.Name + " (" + tok.Prefix + ")",
		Action: action, Target: "journey:" + strconv.FormatInt(id, 10), Detail: detail}); err != nil {
		a.log.ErrorContext(r.Context(), "audit", "action", action, "err", err)
	}
}

func (a *api) listJourneys(w http.ResponseWriter, r *http.Request) error {
	js, err := a.journeys()
	if err != nil {
		return err
	}
	list, err := js.Journeys(r.Context(), tokenFrom(r.Context()).WorkspaceID)
	if err != nil {
		return err
	}
	if list == nil {
		list = []store.Journey{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"journeys": list})
	return nil
}

func (a *api) journeyTemplates(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{"templates": journey.Builtins, "variables": journey.Variables})
	return nil
}

func (a *api) createJourney(w http.ResponseWriter, r *http.Request) error {
	js, err := a.journeys()
	if err != nil {
		return err
	}
	in, err := decodeJourneyInput(w, r)
	if err != nil {
		return err
	}
	ws := tokenFrom(r.Context()).WorkspaceID
	var j store.Journey
	switch {
	case in.Template != "" && len(in.Definition) > 0:
		return badRequest("invalid", "template", "give a template or a definition, not both")
	case in.Template != "":
		j, err = runner.CreateBuiltin(r.Context(), js, ws, in.Template, in.Name, in.Params)
	case len(in.Definition) > 0:
		var def journey.Definition
		if def, err = journey.Parse(in.Definition); err != nil {
			return journeyError(err)
		}
		j, err = js.CreateJourney(r.Context(), ws, in.Name, "", def)
	default:
		return badRequest("invalid", "definition", "required (or a template)")
	}
	if err != nil {
		return journeyError(err)
	}
	a.journeyAudit(r, js, "journey.create", j.ID, j.Name)
	writeJSON(w, http.StatusCreated, j)
	return nil
}

func (a *api) getJourney(w http.ResponseWriter, r *http.Request) error {
	js, err := a.journeys()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	ws := tokenFrom(r.Context()).WorkspaceID
	j, err := js.Journey(r.Context(), ws, id)
	if err != nil {
		return err
	}
	stats, err := js.JourneyStats(r.Context(), ws, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		store.Journey
		Stats store.JourneyStats `json:"stats"`
	}{j, stats})
	return nil
}

func (a *api) updateJourney(w http.ResponseWriter, r *http.Request) error {
	js, err := a.journeys()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	in, err := decodeJourneyInput(w, r)
	if err != nil {
		return err
	}
	if in.Template != "" || len(in.Definition) == 0 {
		return badRequest("invalid", "definition", "an edit gives the whole new definition")
	}
	def, err := journey.Parse(in.Definition)
	if err != nil {
		return journeyError(err)
	}
	j, err := js.UpdateJourney(r.Context(), tokenFrom(r.Context()).WorkspaceID, id, in.Name, def)
	if err != nil {
		return journeyError(err)
	}
	a.journeyAudit(r, js, "journey.update", j.ID, "version "+strconv.Itoa(j.Version))
	writeJSON(w, http.StatusOK, j)
	return nil
}

func (a *api) journeyVersions(w http.ResponseWriter, r *http.Request) error {
	js, err := a.journeys()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	vs, err := js.JourneyVersions(r.Context(), tokenFrom(r.Context()).WorkspaceID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"versions": vs})
	return nil
}

func (a *api) journeyStatus(status string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		js, err := a.journeys()
		if err != nil {
			return err
		}
		id, err := idParam(r)
		if err != nil {
			return err
		}
		j, err := js.SetJourneyStatus(r.Context(), tokenFrom(r.Context()).WorkspaceID, id, status)
		if err != nil {
			return err
		}
		a.journeyAudit(r, js, "journey."+status, j.ID, "version "+strconv.Itoa(j.LiveVersion))
		writeJSON(w, http.StatusOK, j)
		return nil
	}
}

// dryRunInput is the body of POST /api/v1/journeys/{id}/dry-run. Version 0
// is the latest; the window defaults to the last 30 days.
type dryRunInput struct {
	Version int       `json:"version"`
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
}

func (a *api) journeyDryRun(w http.ResponseWriter, r *http.Request) error {
	js, err := a.journeys()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	var in dryRunInput
	if r.ContentLength != 0 {
		body, err := readJSONBody(w, r)
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(body)) > 0 {
			if err := unmarshalStrict(body, &in); err != nil {
				return badRequest("malformed_json", "", "dry run: %v", err)
			}
		}
	}
	ws := tokenFrom(r.Context()).WorkspaceID
	j, err := js.Journey(r.Context(), ws, id)
	if err != nil {
		return err
	}
	if in.Version == 0 {
		in.Version = j.Version
	}
	if in.To.IsZero() {
		in.To = time.Now().UTC()
	}
	if in.From.IsZero() {
		in.From = in.To.AddDate(0, 0, -30)
	}
	rep, err := runner.DryRun(r.Context(), js, policy.New(js), ws, id, in.Version, in.From, in.To)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (a *api) journeyEnrollments(w http.ResponseWriter, r *http.Request) error {
	js, err := a.journeys()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	offset, _ := strconv.Atoi(q.Get("offset"))
	if limit <= 0 || limit > MaxPageLimit {
		limit = DefaultPageLimit
	}
	ws := tokenFrom(r.Context()).WorkspaceID
	if _, err := js.Journey(r.Context(), ws, id); err != nil {
		return err
	}
	list, total, err := js.Enrollments(r.Context(), ws, id, q.Get("status"), limit, offset)
	if err != nil {
		return err
	}
	if list == nil {
		list = []store.Enrollment{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"enrollments": list, "total": total})
	return nil
}
