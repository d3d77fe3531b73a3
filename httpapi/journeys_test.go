package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/journey/runner"
	"siyu.dev/siyu/store"
)

func TestJourneyEndpoints(t *testing.T) {
	a := newTestAPI(t)
	_, tok := a.workspace("a")
	_, other := a.workspace("b")
	op, analyst := tok[siyu.RoleOperator], tok[siyu.RoleAnalyst]

	// Templates, and one created with a click.
	r := a.get("/api/v1/journeys/templates", analyst)
	if r.Status != http.StatusOK || !bytes.Contains(r.Body, []byte("moment_interest")) {
		t.Fatalf("templates: %d %s", r.Status, r.Body)
	}
	r = a.postJSON("/api/v1/journeys", op, map[string]any{"template": "moment_interest", "params": map[string]string{"topic": "护肤"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("create from template: %d %s", r.Status, r.Body)
	}
	var j store.Journey
	r.decode(t, &j)
	if j.Status != store.JourneyDraft || j.Version != 1 || j.Template != "moment_interest" || len(j.Definition.Steps) != 2 {
		t.Fatalf("journey %+v", j)
	}

	// A definition with a mistake is refused with the field.
	bad := json.RawMessage(`{"trigger":{"kind":"event","event":"order.paid"},"steps":[{"id":"w","type":"wait","wait":"3x"}]}`)
	r = a.postJSON("/api/v1/journeys", op, map[string]any{"name": "坏的", "definition": bad})
	if e := r.apiError(t); r.Status != http.StatusUnprocessableEntity || e.Error.Field != "steps[0] (w).wait" {
		t.Fatalf("bad definition: %d %s", r.Status, r.Body)
	}
	r = a.postJSON("/api/v1/journeys", analyst, map[string]any{"template": "contact_welcome"})
	if r.Status != http.StatusForbidden {
		t.Fatalf("an analyst created a journey: %d", r.Status)
	}

	// Edit: a new version; activate; pause.
	def := json.RawMessage(`{"trigger":{"kind":"event","event":"moment.liked"},"steps":[{"id":"tag","type":"tag","add_tags":["点赞"]}]}`)
	r = a.do("PUT", fmt.Sprintf("/api/v1/journeys/%d", j.ID), op, bytes.NewReader(mustJSON(t, map[string]any{"name": "点赞", "definition": def})), "Content-Type", "application/json")
	if r.Status != http.StatusOK {
		t.Fatalf("update: %d %s", r.Status, r.Body)
	}
	r.decode(t, &j)
	if j.Version != 2 || j.LiveVersion != 0 || j.Name != "点赞" {
		t.Fatalf("after update %+v", j)
	}
	r = a.postJSON(fmt.Sprintf("/api/v1/journeys/%d/activate", j.ID), op, nil)
	r.decode(t, &j)
	if r.Status != http.StatusOK || j.Status != store.JourneyActive || j.LiveVersion != 2 {
		t.Fatalf("activate: %d %s", r.Status, r.Body)
	}
	r = a.get(fmt.Sprintf("/api/v1/journeys/%d/versions", j.ID), analyst)
	var vs struct {
		Versions []store.JourneyVersion `json:"versions"`
	}
	r.decode(t, &vs)
	if len(vs.Versions) != 2 || vs.Versions[0].Version != 2 {
		t.Fatalf("versions %s", r.Body)
	}

	// Dry run over history: two likes in the window.
	c, err := a.store.CreateCustomer(t.Context(), j.WorkspaceID, "王芳")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if _, err := a.store.RecordEvents(t.Context(), j.WorkspaceID, []siyu.EventInput{
		{Type: siyu.EventMomentLiked, OccurredAt: now.Add(-48 * time.Hour), CustomerID: c},
		{Type: siyu.EventMomentLiked, OccurredAt: now.Add(-24 * time.Hour), CustomerID: c},
	}); err != nil {
		t.Fatal(err)
	}
	r = a.postJSON(fmt.Sprintf("/api/v1/journeys/%d/dry-run", j.ID), analyst, map[string]any{"from": now.Add(-72 * time.Hour), "to": now})
	var rep runner.Report
	r.decode(t, &rep)
	if r.Status != http.StatusOK || rep.Triggers != 2 || rep.Entered != 1 || rep.Reentry != 1 || rep.Steps[0].Reached != 1 {
		t.Fatalf("dry run: %d %s", r.Status, r.Body)
	}

	// Enrollments, and isolation: another workspace sees nothing.
	r = a.get(fmt.Sprintf("/api/v1/journeys/%d/enrollments", j.ID), analyst)
	if r.Status != http.StatusOK || !bytes.Contains(r.Body, []byte(`"total":0`)) {
		t.Fatalf("enrollments: %d %s", r.Status, r.Body)
	}
	for _, path := range []string{"/api/v1/journeys/%d", "/api/v1/journeys/%d/versions", "/api/v1/journeys/%d/enrollments"} {
		if r := a.get(fmt.Sprintf(path, j.ID), other[siyu.RoleAdmin]); r.Status != http.StatusNotFound {
			t.Fatalf("%s from another workspace: %d", path, r.Status)
		}
	}
	if r := a.get("/api/v1/journeys", other[siyu.RoleAdmin]); !bytes.Contains(r.Body, []byte(`"journeys":[]`)) {
		t.Fatalf("list from another workspace: %s", r.Body)
	}
	r = a.postJSON(fmt.Sprintf("/api/v1/journeys/%d/pause", j.ID), op, nil)
	r.decode(t, &j)
	if j.Status != store.JourneyPaused {
		t.Fatalf("pause: %s", r.Body)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
