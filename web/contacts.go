package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"siyu.dev/siyu"
)

const contactsPerPage = 50

// Contact status filters of the contacts page.
const (
	contactsAll     = "all"
	contactsLive    = "live"
	contactsDeleted = "deleted"
)

var contactStatuses = []string{contactsAll, contactsLive, contactsDeleted}

// contactFilter is what the contacts page is filtered by, as in its URL.
type contactFilter struct {
	AccountID int64
	State     string
	Status    string
}

func contactFilterOf(r *http.Request) contactFilter {
	q := r.URL.Query()
	f := contactFilter{State: strings.TrimSpace(q.Get("state")), Status: q.Get("status")}
	if id, ok := parseID(q.Get("account")); ok {
		f.AccountID = id
	}
	switch f.Status {
	case contactsLive, contactsDeleted:
	default:
		f.Status = contactsAll
	}
	return f
}

// deleted is the filter in the form ContactLister takes.
func (f contactFilter) deleted() *bool {
	var b bool
	switch f.Status {
	case contactsLive:
		return &b
	case contactsDeleted:
		b = true
		return &b
	}
	return nil
}

// query is the filter as URL parameters, for links to other pages.
func (f contactFilter) query() url.Values {
	v := url.Values{}
	if f.AccountID != 0 {
		v.Set("account", strconv.FormatInt(f.AccountID, 10))
	}
	if f.State != "" {
		v.Set("state", f.State)
	}
	if f.Status != contactsAll {
		v.Set("status", f.Status)
	}
	return v
}

// contactTable is a page of contacts, on the contacts page and on a code's
// page.
type contactTable struct {
	Unavailable bool // no ContactLister configured
	Rows        []ContactListItem
	Nav         pageNav
	ShowState   bool
	Empty       string // message key for an empty table
}

type contactListData struct {
	Filter   contactFilter
	Accounts []siyu.Account
	Statuses []string
	Table    contactTable
}

func (c *Console) contactList(w http.ResponseWriter, r *http.Request) {
	st := stateFrom(r)
	f := contactFilterOf(r)
	accounts, err := c.store.Accounts(r.Context(), st.workspace.ID)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	table, err := c.contactTable(r, st.workspace.ID, f, func(page int) string {
		v := f.query()
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		return withQuery("/contacts", v)
	})
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	table.ShowState, table.Empty = true, "contacts.none"
	d := contactListData{Filter: f, Accounts: accounts, Statuses: contactStatuses, Table: table}
	c.render(w, r, http.StatusOK, "contacts", c.newView(r, "contacts.title", "contacts", d))
}

// contactTable fetches the page of contacts the request asks for.
func (c *Console) contactTable(r *http.Request, workspaceID int64, f contactFilter, urlOf func(page int) string) (contactTable, error) {
	if c.contacts == nil {
		return contactTable{Unavailable: true}, nil
	}
	page := pageParam(r)
	rows, total, err := c.contacts(r.Context(), workspaceID, f.State, f.AccountID, f.deleted(), contactsPerPage, (page-1)*contactsPerPage)
	if err != nil {
		return contactTable{}, err
	}
	return contactTable{Rows: rows, Nav: newPageNav(page, contactsPerPage, total, len(rows), urlOf)}, nil
}

// withQuery appends the query, if any, to a path.
func withQuery(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}
