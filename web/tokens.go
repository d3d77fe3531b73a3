package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"siyu.dev/siyu"
	"siyu.dev/siyu/auth"
)

// apiTokenPrefix starts every API token, so that a leaked one is easy to
// recognise (and to scan for).
const apiTokenPrefix = "siyu_"

const maxTokenNameRunes = 64

type tokensData struct {
	Tokens  []siyu.APIToken
	Roles   []siyu.Role
	Name    string
	Role    siyu.Role
	Error   string // message key
	Created *createdToken
}

// createdToken is shown once, right after creation; only its hash is kept.
type createdToken struct {
	Token  siyu.APIToken
	Secret string
}

var tokenRoles = []siyu.Role{siyu.RoleAnalyst, siyu.RoleOperator, siyu.RoleAdmin}

func (c *Console) tokensPage(w http.ResponseWriter, r *http.Request) {
	c.showTokens(w, r, http.StatusOK, tokensData{Role: siyu.RoleOperator})
}

func (c *Console) showTokens(w http.ResponseWriter, r *http.Request, status int, d tokensData) {
	st := stateFrom(r)
	toks, err := c.store.ListAPITokens(r.Context(), st.workspace.ID)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	d.Tokens = toks
	d.Roles = tokenRoles
	v := c.newView(r, "tokens.title", "settings", d)
	if r.URL.Query().Get("revoked") != "" {
		v.Notice = "tokens.revoked"
	}
	c.render(w, r, status, "tokens", v)
}

func (c *Console) tokenCreate(w http.ResponseWriter, r *http.Request) {
	st := stateFrom(r)
	name := strings.TrimSpace(r.PostFormValue("name"))
	role := siyu.Role(r.PostFormValue("role"))
	d := tokensData{Name: name, Role: role}
	switch {
	case name == "" || utf8.RuneCountInString(name) > maxTokenNameRunes:
		d.Error = "tokens.bad_name"
	case !role.Valid():
		d.Error, d.Role = "tokens.bad_role", siyu.RoleOperator
	}
	if d.Error != "" {
		c.showTokens(w, r, http.StatusBadRequest, d)
		return
	}
	secret := auth.NewToken(apiTokenPrefix)
	tok, err := c.store.CreateAPIToken(r.Context(), st.workspace.ID, name, role, auth.HashToken(secret), auth.TokenPrefix(secret))
	if errors.Is(err, siyu.ErrConflict) {
		d.Error = "tokens.name_taken"
		c.showTokens(w, r, http.StatusConflict, d)
		return
	}
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	c.log.InfoContext(r.Context(), "api token created", "workspace", st.workspace.ID, "token", tok.ID, "role", role, "user", st.user.ID)
	c.record(r, "api_token.create", "api_token:"+strconv.FormatInt(tok.ID, 10), name+" ("+string(role)+", "+tok.Prefix+")")
	// Rendered in the response to the POST, never behind a URL, so the
	// secret cannot be fetched again from history.
	c.showTokens(w, r, http.StatusOK, tokensData{Role: siyu.RoleOperator, Created: &createdToken{Token: tok, Secret: secret}})
}

func (c *Console) tokenRevoke(w http.ResponseWriter, r *http.Request) {
	st := stateFrom(r)
	id, ok := parseID(r.PathValue("id"))
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	err := c.store.RevokeAPIToken(r.Context(), st.workspace.ID, id)
	if errors.Is(err, siyu.ErrNotFound) {
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	c.log.InfoContext(r.Context(), "api token revoked", "workspace", st.workspace.ID, "token", id, "user", st.user.ID)
	c.record(r, "api_token.revoke", "api_token:"+strconv.FormatInt(id, 10), "")
	http.Redirect(w, r, "/settings/tokens?revoked=1", http.StatusSeeOther)
}
