package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// controlHandler serves the control API over HTTP, for the CLI and for
// demos driven from outside the process. Bodies and answers are JSON;
// errors are {"error": "...", "errcode": n} with status 400 (404 for an
// unknown path).
func (e *Emulator) controlHandler() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, fn func(r *http.Request) (any, error)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			v, err := fn(r)
			controlReply(w, v, err)
		})
	}
	get := func(path string, fn func(r *http.Request) (any, error)) { handle("GET /emulator/"+path, fn) }
	post := func(path string, fn func(r *http.Request) (any, error)) { handle("POST /emulator/"+path, fn) }

	get("snapshot", func(*http.Request) (any, error) { return e.Snapshot(), nil })
	get("users", func(*http.Request) (any, error) { return e.Users(), nil })
	get("members", func(*http.Request) (any, error) { return e.Members(), nil })
	get("events", func(*http.Request) (any, error) { return e.Events(), nil })
	get("deliveries", func(*http.Request) (any, error) { return e.Deliveries(), nil })
	get("policy", func(*http.Request) (any, error) { return e.Policy(), nil })
	get("orders", func(r *http.Request) (any, error) {
		since := 0
		if s := r.URL.Query().Get("since"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("since: want a non-negative number, got %q", s)
			}
			since = n
		}
		return e.OrdersSince(since), nil
	})
	get("status", func(*http.Request) (any, error) {
		return map[string]any{"now": e.Now(), "corpid": e.cfg.CorpID, "users": len(e.people)}, nil
	})

	post("advance", func(r *http.Request) (any, error) {
		var req struct {
			Duration string `json:"duration"` // a Go duration: "90s", "36h"
		}
		if err := decodeControl(r, &req); err != nil {
			return nil, err
		}
		d, err := time.ParseDuration(req.Duration)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("duration: want a non-negative Go duration such as 90s or 36h, got %q", req.Duration)
		}
		e.Advance(d)
		return map[string]any{"now": e.Now()}, nil
	})
	post("step", func(*http.Request) (any, error) {
		e.Step()
		return map[string]any{"now": e.Now()}, nil
	})
	post("scan", func(r *http.Request) (any, error) {
		var req struct {
			Code string `json:"code"` // config_id or state
			User int    `json:"user"`
		}
		if err := decodeControl(r, &req); err != nil {
			return nil, err
		}
		return e.Scan(req.Code, req.User)
	})
	post("click-link", func(r *http.Request) (any, error) {
		var req struct {
			Link string `json:"link"` // the URL (with customer_channel) or the link_id
			User int    `json:"user"`
		}
		if err := decodeControl(r, &req); err != nil {
			return nil, err
		}
		return e.ClickLink(req.Link, req.User)
	})
	post("add", func(r *http.Request) (any, error) {
		var req struct {
			UserID string `json:"userid"`
			User   int    `json:"user"`
		}
		if err := decodeControl(r, &req); err != nil {
			return nil, err
		}
		return e.AddDirectly(req.UserID, req.User)
	})
	post("confirm_mass_message", func(r *http.Request) (any, error) {
		var req struct {
			MsgID  string `json:"msgid"`
			UserID string `json:"userid"`
		}
		if err := decodeControl(r, &req); err != nil {
			return nil, err
		}
		return ok(e.ConfirmMassMessage(req.MsgID, req.UserID))
	})
	post("delete_contact", func(r *http.Request) (any, error) {
		var req struct {
			UserID         string `json:"userid"`
			ExternalUserID string `json:"external_userid"`
			By             string `json:"by"` // "customer" or "account"
		}
		if err := decodeControl(r, &req); err != nil {
			return nil, err
		}
		return ok(e.DeleteContact(req.UserID, req.ExternalUserID, req.By))
	})
	post("edit_contact", func(r *http.Request) (any, error) {
		var req struct {
			UserID         string   `json:"userid"`
			ExternalUserID string   `json:"external_userid"`
			Remark         *string  `json:"remark"`
			AddTag         []string `json:"add_tag"`
			RemoveTag      []string `json:"remove_tag"`
		}
		if err := decodeControl(r, &req); err != nil {
			return nil, err
		}
		return ok(e.EditContact(req.UserID, req.ExternalUserID, req.Remark, req.AddTag, req.RemoveTag))
	})
	post("create_tag", func(r *http.Request) (any, error) {
		var req struct {
			GroupName string `json:"group_name"`
			TagName   string `json:"tag_name"`
		}
		if err := decodeControl(r, &req); err != nil {
			return nil, err
		}
		id, err := e.CreateTagInConsole(req.GroupName, req.TagName)
		return map[string]string{"tag_id": id}, err
	})
	post("delete_tag", func(r *http.Request) (any, error) {
		var req struct {
			ID string `json:"id"`
		}
		if err := decodeControl(r, &req); err != nil {
			return nil, err
		}
		return ok(e.DeleteTagInConsole(req.ID))
	})
	post("join_group", func(r *http.Request) (any, error) {
		var req struct {
			Code string `json:"code"` // join way config_id or chat_id
			User int    `json:"user"`
		}
		if err := decodeControl(r, &req); err != nil {
			return nil, err
		}
		id, err := e.JoinGroup(req.Code, req.User)
		return map[string]string{"chat_id": id}, err
	})
	post("leave_group", func(r *http.Request) (any, error) {
		var req struct {
			ChatID string `json:"chat_id"`
			User   int    `json:"user"`
		}
		if err := decodeControl(r, &req); err != nil {
			return nil, err
		}
		return ok(e.LeaveGroup(req.ChatID, req.User))
	})
	post("create_group", func(r *http.Request) (any, error) {
		var req struct {
			Owner string `json:"owner"`
			Name  string `json:"name"`
			Users []int  `json:"users"`
		}
		if err := decodeControl(r, &req); err != nil {
			return nil, err
		}
		id, err := e.CreateGroup(req.Owner, req.Name, req.Users)
		return map[string]string{"chat_id": id}, err
	})
	post("dismiss_group", func(r *http.Request) (any, error) {
		var req struct {
			ChatID string `json:"chat_id"`
		}
		if err := decodeControl(r, &req); err != nil {
			return nil, err
		}
		return ok(e.DismissGroup(req.ChatID))
	})
	post("publish_moment", func(r *http.Request) (any, error) {
		var req struct {
			MomentID string `json:"moment_id"`
			UserID   string `json:"userid"`
		}
		if err := decodeControl(r, &req); err != nil {
			return nil, err
		}
		return ok(e.PublishMoment(req.MomentID, req.UserID))
	})
	post("react_moment", func(r *http.Request) (any, error) {
		var req struct {
			MomentID string `json:"moment_id"`
			UserID   string `json:"userid"`
			User     int    `json:"user"`
			Comment  bool   `json:"comment"`
		}
		if err := decodeControl(r, &req); err != nil {
			return nil, err
		}
		return ok(e.ReactToMoment(req.MomentID, req.UserID, req.User, req.Comment))
	})
	post("resign_member", func(r *http.Request) (any, error) {
		var req struct {
			UserID string `json:"userid"`
		}
		if err := decodeControl(r, &req); err != nil {
			return nil, err
		}
		return ok(e.ResignMember(req.UserID))
	})
	post("buy", func(r *http.Request) (any, error) {
		var req struct {
			User int `json:"user"`
		}
		if err := decodeControl(r, &req); err != nil {
			return nil, err
		}
		return e.Buy(req.User)
	})
	post("expire_tokens", func(*http.Request) (any, error) {
		e.ExpireTokens()
		return ok(nil)
	})
	post("callback", func(r *http.Request) (any, error) {
		var cfg CallbackConfig
		if err := decodeControl(r, &cfg); err != nil {
			return nil, err
		}
		if cfg.URL == "" {
			return ok(e.SetCallback(r.Context(), nil))
		}
		return ok(e.SetCallback(r.Context(), &cfg))
	})
	post("flush", func(r *http.Request) (any, error) {
		ctx, cancel := context.WithTimeout(r.Context(), time.Minute)
		defer cancel()
		return ok(e.Flush(ctx))
	})
	post("policy", func(r *http.Request) (any, error) {
		// Fields given replace the current ones; durations are nanoseconds.
		p := e.Policy()
		if err := decodeControl(r, &p); err != nil {
			return nil, err
		}
		e.SetPolicy(p)
		return p, nil
	})
	mux.HandleFunc("/emulator/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such control call: " + r.Method + " " + r.URL.Path})
	})
	return mux
}

func ok(err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return map[string]bool{"ok": true}, nil
}

func decodeControl(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		return err
	}
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("request body: %w", err)
	}
	return nil
}

func controlReply(w http.ResponseWriter, v any, err error) {
	if err != nil {
		body := map[string]any{"error": err.Error()}
		var apiErr *Error
		if errors.As(err, &apiErr) {
			body["errcode"] = apiErr.Code
		}
		writeJSON(w, http.StatusBadRequest, body)
		return
	}
	writeJSON(w, http.StatusOK, v)
}
