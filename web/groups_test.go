package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
)

func TestGroupsInTheConsole(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	owner, err := f.store.UpsertAccount(ctx, f.wsA.ID, siyu.Account{WeComUserID: "founder", Name: "林知夏", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	op := f.client()
	op.login("operator")
	csrf := op.csrf()
	if p := op.get("/groups"); p.status != http.StatusOK || !strings.Contains(p.body, `id="no-group-activities"`) || !strings.Contains(p.body, `id="template-form"`) {
		t.Fatalf("list: %d", p.status)
	}
	form := url.Values{"csrf": {csrf}, "name": {"考前冲刺"}, "name_pattern": {"考前冲刺群{{n}}"}, "member_cap": {"900"}, "owner_account_id": {itoa(owner.ID)}}
	if p := op.post("/groups/templates", form); p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="groups-error"`) || !strings.Contains(p.body, "member_cap") {
		t.Fatalf("cap 900: %d\n%s", p.status, p.body)
	}
	form.Set("member_cap", "200")
	if p := op.post("/groups/templates", form); p.status != http.StatusSeeOther {
		t.Fatalf("template: %d %s", p.status, p.body)
	}
	tmpls, _ := f.store.GroupTemplates(ctx, f.wsA.ID)
	p := op.post("/groups", url.Values{"csrf": {csrf}, "name": {"期末冲刺"}, "template_id": {itoa(tmpls[0].ID)}})
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/groups/") {
		t.Fatalf("activity: %d %s", p.status, p.body)
	}
	path := p.location()
	page := op.get(path)
	if page.status != http.StatusOK || !strings.Contains(page.body, `id="no-join-qr"`) || !strings.Contains(page.body, `id="no-groups"`) {
		t.Fatalf("activity page: %d\n%s", page.status, page.body)
	}

	// The owner's group exists with two members (as wecomsync stores it).
	joined := time.Now().Add(-26 * time.Hour)
	if _, err := f.store.UpsertGroup(ctx, f.wsA.ID, store.GroupInput{ChatID: "wrG1", Name: "考前冲刺群1", OwnerUserID: "founder", CreatedAt: joined,
		Members: []store.GroupMemberInput{
			{Identifiers: []siyu.Identifier{{Kind: siyu.KindExternalUser, Value: "wm-g1"}}, JoinedAt: joined},
			{Identifiers: []siyu.Identifier{{Kind: siyu.KindExternalUser, Value: "wm-g2"}}, JoinedAt: joined.Add(time.Hour)},
		}}); err != nil {
		t.Fatal(err)
	}
	acts, _ := f.store.GroupActivities(ctx, f.wsA.ID)
	if err := f.store.AttachActivityGroup(ctx, f.wsA.ID, acts[0].ID, "wrG1", 1, store.GroupRoleMain, 0); err != nil {
		t.Fatal(err)
	}
	if p := op.post(path+"/messages", url.Values{"csrf": {csrf}, "text": {"今晚八点答疑"}}); p.status != http.StatusSeeOther {
		t.Fatalf("schedule: %d %s", p.status, p.body)
	}
	if p := op.post(path+"/end", url.Values{"csrf": {csrf}, "text": {"加老师领资料"}}); p.status != http.StatusSeeOther {
		t.Fatalf("end: %d %s", p.status, p.body)
	}
	if p := op.post(path+"/end", url.Values{"csrf": {csrf}, "text": {"again"}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, `id="activity-error"`) {
		t.Fatalf("end again: %d", p.status)
	}
	page = op.get(path)
	mustContain(t, page.body, `id="groups-chart"`, `id="groups-data"`, "考前冲刺群1", "3 / 200", `id="h-members">2<`, `id="guide-report"`, `id="r-members">2<`, "今晚八点答疑", `id="dissolve-submit"`)
	if p := op.post(path+"/dissolve", url.Values{"csrf": {csrf}}); p.status != http.StatusSeeOther {
		t.Fatalf("dissolve: %d %s", p.status, p.body)
	}
	if _, err := f.store.TaskByRef(ctx, f.wsA.ID, "groups:dismiss:wrG1"); err != nil {
		t.Fatalf("no dismiss task: %v", err)
	}

	// Another workspace's operator sees none of it; an analyst cannot act.
	other := f.client()
	other.login("bob")
	if p := other.get(path); p.status != http.StatusNotFound && p.status != http.StatusForbidden {
		t.Fatalf("other workspace: %d", p.status)
	}
	an := f.client()
	an.login("analyst")
	if p := an.post(path+"/messages", url.Values{"csrf": {an.csrf()}, "text": {"x"}}); p.status != http.StatusForbidden {
		t.Fatalf("analyst posted: %d", p.status)
	}
}
