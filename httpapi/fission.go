package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"siyu.dev/siyu/fission"
	"siyu.dev/siyu/store"
)

// fissionStore is what the fission endpoints need of the store.
// *store.Store has it; a store without it answers 404 on them.
type fissionStore interface {
	fission.Store
	CreateFissionActivity(ctx context.Context, workspaceID int64, a fission.Activity) (fission.Activity, error)
	FissionActivities(ctx context.Context, workspaceID int64) ([]fission.Activity, error)
	FissionParticipant(ctx context.Context, workspaceID, id int64) (fission.Participant, error)
	FissionSnapshot(ctx context.Context, workspaceID, activityID int64) (fission.Snapshot, error)
	EvaluateFission(ctx context.Context, workspaceID, activityID int64) (fission.Snapshot, fission.Outcome, error)
	Audit(ctx context.Context, workspaceID int64, e store.AuditEntry) error
}

// maxTreeChildren bounds the children per node the tree endpoint returns.
const maxTreeChildren = 200

func (a *api) fissionRoutes(route func(method, path string, h handlerFunc)) {
	route("GET", "/api/v1/fission/activities", a.listFissionActivities)
	route("POST", "/api/v1/fission/activities", writer(a.createFissionActivity))
	route("GET", "/api/v1/fission/activities/{id}", a.getFissionActivity)
	route("POST", "/api/v1/fission/activities/{id}/evaluate", writer(a.evaluateFission))
	route("GET", "/api/v1/fission/activities/{id}/participants", a.listFissionParticipants)
	route("POST", "/api/v1/fission/activities/{id}/participants", writer(a.joinFission))
	route("GET", "/api/v1/fission/activities/{id}/tree", a.fissionTree)
	route("GET", "/api/v1/fission/activities/{id}/metrics", a.fissionMetrics)
	route("GET", "/api/v1/fission/participants/{id}/poster.svg", a.fissionPoster)
}

func (a *api) fissionStore() (fissionStore, error) {
	fs, ok := a.store.(fissionStore)
	if !ok {
		return nil, notFound("fission is not available")
	}
	return fs, nil
}

func (a *api) listFissionActivities(w http.ResponseWriter, r *http.Request) error {
	fs, err := a.fissionStore()
	if err != nil {
		return err
	}
	list, err := fs.FissionActivities(r.Context(), tokenFrom(r.Context()).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Activities []fission.Activity `json:"activities"`
	}{list})
	return nil
}

// activityInput is the body of POST /fission/activities. clawback_hours
// absent means the default window; 0 turns claw-back off.
type activityInput struct {
	Name          string         `json:"name"`
	Goal          int            `json:"goal"`
	Reward        string         `json:"reward"`
	Physical      bool           `json:"reward_physical"`
	Target        fission.Target `json:"target"`
	Accounts      []string       `json:"accounts"`
	GroupChatID   string         `json:"group_chat_id"`
	Welcome       string         `json:"welcome"`
	StartAt       time.Time      `json:"start_at"`
	EndAt         time.Time      `json:"end_at"`
	ClawbackHours *int           `json:"clawback_hours"`
	Rules         fission.Rules  `json:"rules"`
}

func (a *api) createFissionActivity(w http.ResponseWriter, r *http.Request) error {
	fs, err := a.fissionStore()
	if err != nil {
		return err
	}
	var in activityInput
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	act := fission.Activity{Name: in.Name, Goal: in.Goal, Reward: in.Reward, Physical: in.Physical, Target: in.Target, Accounts: in.Accounts,
		GroupChatID: in.GroupChatID, Welcome: in.Welcome, StartAt: in.StartAt, EndAt: in.EndAt, ClawbackHours: fission.DefaultClawbackHours, Rules: in.Rules}
	if in.ClawbackHours != nil {
		act.ClawbackHours = *in.ClawbackHours
	}
	tok := tokenFrom(r.Context())
	act, err = fs.CreateFissionActivity(r.Context(), tok.WorkspaceID, act)
	if err != nil {
		return err
	}
	if err := fs.Audit(r.Context(), tok.WorkspaceID, store.AuditEntry{Actor: tokenActor(tok, 0).Name, Action: "fission.create",
		Target: "fission:" + strconv.FormatInt(act.ID, 10), Detail: act.Name}); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, act)
	return nil
}

// snapshot reads an activity and judges it in memory: reads change nothing;
// POST .../evaluate stores the verdicts and settles rewards.
func (a *api) fissionSnapshot(r *http.Request) (fission.Snapshot, fission.Outcome, error) {
	fs, err := a.fissionStore()
	if err != nil {
		return fission.Snapshot{}, fission.Outcome{}, err
	}
	id, err := idParam(r)
	if err != nil {
		return fission.Snapshot{}, fission.Outcome{}, err
	}
	snap, err := fs.FissionSnapshot(r.Context(), tokenFrom(r.Context()).WorkspaceID, id)
	if err != nil {
		return snap, fission.Outcome{}, err
	}
	return snap, fission.Evaluate(snap), nil
}

type activityView struct {
	fission.Activity
	Metrics fission.Metrics `json:"metrics"`
}

func (a *api) getFissionActivity(w http.ResponseWriter, r *http.Request) error {
	snap, o, err := a.fissionSnapshot(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, activityView{snap.Activity, fission.Measure(snap, o)})
	return nil
}

func (a *api) fissionMetrics(w http.ResponseWriter, r *http.Request) error {
	snap, o, err := a.fissionSnapshot(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, fission.Measure(snap, o))
	return nil
}

func (a *api) evaluateFission(w http.ResponseWriter, r *http.Request) error {
	fs, err := a.fissionStore()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	snap, o, err := fs.EvaluateFission(r.Context(), tokenFrom(r.Context()).WorkspaceID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Metrics  fission.Metrics `json:"metrics"`
		Issued   int             `json:"issued"`
		ClawBack int             `json:"clawed_back"`
	}{fission.Measure(snap, o), len(o.Issue), len(o.ClawBack)})
	return nil
}

func (a *api) listFissionParticipants(w http.ResponseWriter, r *http.Request) error {
	snap, o, err := a.fissionSnapshot(r)
	if err != nil {
		return err
	}
	out := make([]fission.Participant, len(snap.Participants))
	for i, p := range snap.Participants {
		st := o.Participants[p.ID]
		p.Invites, p.Counted, p.Flags = st.Invites, st.Counted, st.Flags
		out[i] = p
	}
	for i := range snap.Invites {
		v := o.Invites[snap.Invites[i].ID]
		snap.Invites[i].Status, snap.Invites[i].Reasons = v.Status, v.Reasons
	}
	writeJSON(w, http.StatusOK, struct {
		Participants []fission.Participant `json:"participants"`
		Invites      []fission.Invite      `json:"invites"`
		Rewards      []fission.Reward      `json:"rewards"`
	}{out, nonNil(snap.Invites), nonNil(snap.Rewards)})
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (a *api) fissionTree(w http.ResponseWriter, r *http.Request) error {
	snap, o, err := a.fissionSnapshot(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, fission.Tree(snap, o, maxTreeChildren))
	return nil
}

func (a *api) joinFission(w http.ResponseWriter, r *http.Request) error {
	fs, err := a.fissionStore()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	var in struct {
		CustomerID int64 `json:"customer_id"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	if in.CustomerID < 1 {
		return badRequest("invalid_parameter", "customer_id", "customer_id is required")
	}
	if a.fissionCodes == nil {
		return notFound("joining needs WeCom, which this server has not set up")
	}
	tok := tokenFrom(r.Context())
	p, err := fission.Join(r.Context(), fs, a.fissionCodes, tok.WorkspaceID, id, in.CustomerID, time.Now())
	if err != nil {
		return err
	}
	if err := fs.Audit(r.Context(), tok.WorkspaceID, store.AuditEntry{Actor: tokenActor(tok, 0).Name, Action: "fission.join",
		Target: customerTarget(p.CustomerID), Detail: "activity " + strconv.FormatInt(id, 10) + " code " + p.Code}); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}

func (a *api) fissionPoster(w http.ResponseWriter, r *http.Request) error {
	fs, err := a.fissionStore()
	if err != nil {
		return err
	}
	id, err := idParam(r)
	if err != nil {
		return err
	}
	ws := tokenFrom(r.Context()).WorkspaceID
	p, err := fs.FissionParticipant(r.Context(), ws, id)
	if err != nil {
		return err
	}
	act, err := fs.FissionActivity(r.Context(), ws, p.ActivityID)
	if err != nil {
		return err
	}
	lang := "zh-CN"
	if r.URL.Query().Get("lang") == "en" {
		lang = "en"
	}
	svg := fission.Poster(fission.PosterInput{Activity: act.Name, Reward: act.Reward, Goal: act.Goal, Inviter: p.CustomerName, QRCode: p.QRCode, Code: p.Code, Lang: lang})
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(svg)
	return nil
}
