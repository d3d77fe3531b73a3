package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"siyu.dev/siyu"
)

const customersPerPage = 20

// customerRow is one line of the customer list.
type customerRow struct {
	siyu.Customer
	Phone       string          // masked
	Identifiers []siyu.Identity // a few others, for recognition
	More        int             // identifiers not shown
}

type customerListData struct {
	Query   string
	Rows    []customerRow
	Total   int
	Capped  bool // more match than a search collects: Total is a lower bound
	From    int
	To      int
	Page    int
	Pages   int
	PrevURL string
	NextURL string
}

func (c *Console) customerList(w http.ResponseWriter, r *http.Request) {
	st := stateFrom(r)
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	res, err := c.store.SearchCustomers(r.Context(), st.workspace.ID, siyu.CustomerQuery{
		Query:  q,
		Limit:  customersPerPage,
		Offset: (page - 1) * customersPerPage,
	})
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	d := customerListData{Query: q, Total: res.Total, Capped: res.Capped, Page: page}
	d.Pages = (res.Total + customersPerPage - 1) / customersPerPage
	if len(res.Customers) > 0 {
		d.From = (page-1)*customersPerPage + 1
		d.To = d.From + len(res.Customers) - 1
	}
	pageURL := func(p int) string {
		v := url.Values{}
		if q != "" {
			v.Set("q", q)
		}
		if p > 1 {
			v.Set("page", strconv.Itoa(p))
		}
		if len(v) == 0 {
			return "/customers"
		}
		return "/customers?" + v.Encode()
	}
	if page > 1 {
		d.PrevURL = pageURL(page - 1)
	}
	if page < d.Pages {
		d.NextURL = pageURL(page + 1)
	}
	ids := make([]int64, len(res.Customers))
	for i, cu := range res.Customers {
		ids[i] = cu.ID
	}
	identities, err := c.store.IdentitiesOf(r.Context(), st.workspace.ID, ids)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	for _, cu := range res.Customers {
		d.Rows = append(d.Rows, customerRowOf(cu, identities[cu.ID]))
	}
	c.render(w, r, http.StatusOK, "customers", c.newView(r, "customers.title", "customers", d))
}

// customerRowOf adds the identifier summary to a search hit: the masked
// phone and a few other identifiers, so that people can be told apart.
func customerRowOf(cu siyu.Customer, identities []siyu.Identity) customerRow {
	row := customerRow{Customer: cu}
	const shown = 2
	for _, id := range identities {
		switch {
		case id.Kind == siyu.KindPhone && row.Phone == "":
			row.Phone = id.Display
		case len(row.Identifiers) < shown:
			row.Identifiers = append(row.Identifiers, id)
		default:
			row.More++
		}
	}
	return row
}

type customerData struct {
	siyu.Customer360
	Chart          *orderChart
	ActiveContacts int
	Tagging        *customerTagging // tags with sources and consent; nil without a TagStore
}

func (c *Console) customerPage(w http.ResponseWriter, r *http.Request) {
	st := stateFrom(r)
	id, ok := parseID(r.PathValue("id"))
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	res, err := c.store.Customer360(r.Context(), st.workspace.ID, id)
	if errors.Is(err, siyu.ErrNotFound) {
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	if res.Customer.ID != id {
		// A merged-away id: show the surviving customer under its own id.
		http.Redirect(w, r, "/customers/"+strconv.FormatInt(res.Customer.ID, 10), http.StatusSeeOther)
		return
	}
	d := customerData{Customer360: res, Chart: buildOrderChart(res.Orders)}
	if d.Tagging, err = c.loadCustomerTagging(r, res.Customer.ID); err != nil {
		c.internalError(w, r, err)
		return
	}
	for _, ct := range res.Contacts {
		if ct.DeletedAt == nil {
			d.ActiveContacts++
		}
	}
	v := c.newView(r, "customer.title", "customers", d)
	if r.URL.Query().Get("undone") != "" {
		v.Notice = "merge.undone"
	}
	c.render(w, r, http.StatusOK, "customer", v)
}

// undoMerge splits a merged customer off again.
func (c *Console) undoMerge(w http.ResponseWriter, r *http.Request) {
	st := stateFrom(r)
	customerID, ok1 := parseID(r.PathValue("id"))
	mergeID, ok2 := parseID(r.PathValue("merge"))
	if !ok1 || !ok2 {
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	// The merge must be one of this customer's, so that a URL cannot pair
	// a customer with any merge id.
	v, err := c.store.Customer360(r.Context(), st.workspace.ID, customerID)
	if err == nil && !hasMerge(v, mergeID) {
		err = siyu.ErrNotFound
	}
	if err == nil {
		err = c.store.UnmergeBy(r.Context(), st.workspace.ID, mergeID, st.user.Login)
	}
	switch {
	case errors.Is(err, siyu.ErrNotFound):
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return
	case errors.Is(err, siyu.ErrInvalid), errors.Is(err, siyu.ErrConflict):
		c.log.InfoContext(r.Context(), "unmerge refused", "merge", mergeID, "err", err)
		c.errorPage(w, r, http.StatusConflict, "merge.cannot_undo")
		return
	case err != nil:
		c.internalError(w, r, err)
		return
	}
	c.log.InfoContext(r.Context(), "customers unmerged", "workspace", st.workspace.ID, "merge", mergeID, "user", st.user.ID)
	c.record(r, "merge.undo", "merge:"+strconv.FormatInt(mergeID, 10), "customer "+strconv.FormatInt(customerID, 10))
	http.Redirect(w, r, "/customers/"+strconv.FormatInt(customerID, 10)+"?undone=1", http.StatusSeeOther)
}

func hasMerge(v siyu.Customer360, mergeID int64) bool {
	for _, m := range v.Merges {
		if m.ID == mergeID {
			return true
		}
	}
	return false
}
