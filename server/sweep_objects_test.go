package server_test

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/auth"
	"siyu.dev/siyu/fission"
)

// Every path value of every route names an object of some kind. The sweep
// makes a fresh object of that kind in the workspace it needs; a route whose
// path value has no kind here fails the sweep, so no route is skipped in
// silence.

// kindOf is the kind of object a route's path value names, from the path
// segment before it ("" when unknown).
func kindOf(pattern, param string) string {
	switch param {
	case "merge":
		return "merge"
	case "tag":
		return "tag"
	}
	segs := strings.Split(strings.Trim(pattern, "/"), "/")
	for i, s := range segs {
		if s != "{"+param+"}" || i == 0 {
			continue
		}
		prev, before := segs[i-1], ""
		if i >= 2 {
			before = segs[i-2]
		}
		switch prev {
		case "customers":
			return "customer"
		case "merges":
			return "merge"
		case "codes":
			return "code"
		case "segments":
			return "segment"
		case "campaigns":
			return "campaign"
		case "tasks":
			return "task"
		case "tag-rules", "rules":
			return "tag_rule"
		case "journeys":
			return "journey"
		case "tokens":
			return "token"
		case "participants":
			return "fission_participant"
		case "fission":
			return "fission"
		case "groups":
			return "group_activity"
		case "activities":
			switch before {
			case "fission":
				return "fission"
			case "groups":
				return "group_activity"
			}
		}
	}
	return ""
}

// pathParams are the {names} of a pattern, in order.
func pathParams(pattern string) []string {
	var out []string
	for _, s := range strings.Split(pattern, "/") {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			name := strings.Trim(s, "{}")
			if name != "$" && !strings.HasSuffix(name, "...") {
				out = append(out, name)
			}
		}
	}
	return out
}

// fill puts values into a pattern's path.
func fill(pattern string, values map[string]string) string {
	out := pattern
	for name, v := range values {
		out = strings.ReplaceAll(out, "{"+name+"}", url.PathEscape(v))
	}
	return out
}

// objects are made on demand; seq keeps names unique.
var seq int

func next() int { seq++; return seq }

// object makes one object of a kind in tn's workspace and returns the values
// of a route's path: the object for param, and whatever it belongs to (a
// merge's customer).
func (r *rig) object(tn *tenant, kind string) (string, map[string]string) {
	r.t.Helper()
	ctx := context.Background()
	n := next()
	id := func(v map[string]any) string {
		f, ok := v["id"].(float64)
		if !ok {
			r.t.Fatalf("%s: answer without an id: %v", kind, v)
		}
		return strconv.FormatInt(int64(f), 10)
	}
	var out map[string]any
	switch kind {
	case "customer":
		return strconv.FormatInt(r.customer(tn, fmt.Sprintf("buyer-%s-%d", tn.ws.Slug, n), ""), 10), nil
	case "merge":
		nick, phone := fmt.Sprintf("merged-%s-%d", tn.ws.Slug, n), fmt.Sprintf("139%08d", n)
		r.customer(tn, nick, "")
		r.customer(tn, "", phone)
		c := r.customer(tn, nick, phone)
		var v siyu.Customer360
		r.apiJSON(tn, "GET", fmt.Sprintf("/api/v1/customers/%d", c), nil, &v)
		if len(v.Merges) != 1 {
			r.t.Fatalf("merge fixture: %d merges", len(v.Merges))
		}
		return strconv.FormatInt(v.Merges[0].ID, 10), map[string]string{"customer": strconv.FormatInt(v.Customer.ID, 10)}
	case "segment":
		r.apiJSON(tn, "POST", "/api/v1/segments", map[string]any{"name": fmt.Sprint("高客单 ", n), "rule": `total_paid >= 500元`}, &out)
	case "campaign":
		r.apiJSON(tn, "POST", "/api/v1/campaigns", map[string]any{"name": fmt.Sprint("上新 ", n), "audience": "all", "channel": "single",
			"send_at":  time.Now().Add(time.Hour).UTC().Truncate(time.Second),
			"variants": []map[string]any{{"name": "A", "weight": 1, "message": map[string]any{"text": "{{name}} 你好"}}}}, &out)
	case "task":
		r.apiJSON(tn, "POST", "/api/v1/tasks", map[string]any{"kind": "follow_up", "title": fmt.Sprint("回访 ", n)}, &out)
	case "tag_rule":
		r.apiJSON(tn, "POST", "/api/v1/tag-rules", map[string]any{"name": fmt.Sprint("护肤兴趣 ", n), "tag": "护肤兴趣", "keywords": []string{"护肤"}, "window_days": 30}, &out)
	case "journey":
		r.apiJSON(tn, "POST", "/api/v1/journeys", map[string]any{"template": "contact_welcome"}, &out)
	case "fission":
		start := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
		r.apiJSON(tn, "POST", "/api/v1/fission/activities", map[string]any{"name": fmt.Sprint("试卷 ", n), "goal": 2, "reward": "试卷",
			"accounts": []string{r.account(tn)}, "start_at": start, "end_at": start.Add(72 * time.Hour)}, &out)
	case "fission_participant":
		act, _ := r.object(tn, "fission")
		actID, _ := strconv.ParseInt(act, 10, 64)
		p, err := r.st.CreateFissionParticipant(ctx, tn.ws.ID, fission.Participant{ActivityID: actID,
			CustomerID: r.customer(tn, fmt.Sprintf("inviter-%s-%d", tn.ws.Slug, n), ""), Code: fission.NewInviteCode(actID)})
		if err != nil {
			r.t.Fatal(err)
		}
		return strconv.FormatInt(p.ID, 10), nil
	case "group_activity":
		acc, err := r.st.UpsertAccount(ctx, tn.ws.ID, siyu.Account{WeComUserID: r.account(tn), Active: true})
		if err != nil {
			r.t.Fatal(err)
		}
		var tmpl map[string]any
		r.apiJSON(tn, "POST", "/api/v1/groups/templates", map[string]any{"name": fmt.Sprint("冲刺 ", n), "name_pattern": "冲刺群{{n}}", "owner_account_id": acc.ID}, &tmpl)
		r.apiJSON(tn, "POST", "/api/v1/groups/activities", map[string]any{"name": fmt.Sprint("期末 ", n), "template_id": tmpl["id"]}, &out)
	case "code":
		c, err := r.st.CreateChannelCode(ctx, tn.ws.ID, siyu.ChannelCode{Name: fmt.Sprint("门店 ", n), Kind: siyu.CodeChannel,
			State: fmt.Sprintf("sweep_%d", n), Accounts: []string{r.account(tn)}})
		if err != nil {
			r.t.Fatal(err)
		}
		return strconv.FormatInt(c.ID, 10), nil
	case "token":
		secret := auth.NewToken("siyu_")
		tok, err := r.st.CreateAPIToken(ctx, tn.ws.ID, fmt.Sprint("spare ", n), siyu.RoleAnalyst, auth.HashToken(secret), auth.TokenPrefix(secret))
		if err != nil {
			r.t.Fatal(err)
		}
		return strconv.FormatInt(tok.ID, 10), nil
	case "tag":
		name := fmt.Sprint("标签", n)
		r.apiJSON(tn, "POST", "/api/v1/tags", map[string]any{"name": name}, nil)
		return name, nil
	default:
		r.t.Fatalf("no fixture for kind %q", kind)
	}
	return id(out), nil
}

// account is a WeCom member of the workspace: the emulator's founder where
// WeCom is connected, a stored account elsewhere.
func (r *rig) account(tn *tenant) string {
	if _, err := r.st.UpsertAccount(context.Background(), tn.ws.ID, siyu.Account{WeComUserID: "founder", Name: "创始人", Active: true}); err != nil {
		r.t.Fatal(err)
	}
	return "founder"
}

// customer imports a paid order with a nick and/or a phone and returns the
// customer it landed on.
func (r *rig) customer(tn *tenant, nick, phone string) int64 {
	r.t.Helper()
	var ids []siyu.Identifier
	if nick != "" {
		ids = append(ids, siyu.Identifier{Kind: siyu.KindTaobaoNick, Value: nick})
	}
	if phone != "" {
		ids = append(ids, siyu.Identifier{Kind: siyu.KindPhone, Value: phone})
	}
	paid := time.Now().Add(-48 * time.Hour).UTC().Truncate(time.Second)
	order := map[string]any{"channel": "taobao", "external_id": fmt.Sprint("T", next()), "status": "paid", "placed_at": paid, "paid_at": paid,
		"amount_fen": 59900, "identifiers": ids}
	r.apiJSON(tn, "POST", "/api/v1/orders", map[string]any{"orders": []any{order}}, nil)
	q := nick
	if q == "" {
		q = phone
	}
	var page siyu.CustomerPage
	r.apiJSON(tn, "GET", "/api/v1/customers?query="+url.QueryEscape(q), nil, &page)
	if len(page.Customers) != 1 {
		r.t.Fatalf("customer %q: %d found", q, len(page.Customers))
	}
	return page.Customers[0].ID
}

// values makes fresh objects for every path value of a route. ok is false
// (and the route named in the error) when a path value has no fixture.
func (r *rig) values(tn *tenant, pattern string) (map[string]string, error) {
	params := pathParams(pattern)
	vals := map[string]string{}
	for _, p := range params {
		if p == "merge" {
			continue // made below, with its customer
		}
		k := kindOf(pattern, p)
		if k == "" {
			return nil, fmt.Errorf("route %s: no object kind for {%s}: add it to kindOf and object", pattern, p)
		}
		vals[p], _ = r.object(tn, k)
	}
	for _, p := range params {
		if p != "merge" {
			continue
		}
		v, owner := r.object(tn, "merge")
		vals[p] = v
		for _, q := range params {
			if q != "merge" && kindOf(pattern, q) == "customer" {
				vals[q] = owner["customer"]
			}
		}
	}
	return vals, nil
}
