package web

import (
	"errors"
	"net/http"
	"strconv"

	"siyu.dev/siyu"
)

// codeKinds are the kinds of channel code, in the order the form offers them.
var codeKinds = []string{siyu.CodeChannel, siyu.CodeCampaign, siyu.CodeParcel, siyu.CodeOrder}

// codeRow is a channel code with what the pages show about it.
type codeRow struct {
	siyu.ChannelCode
	Staff  []codeAccount // the code's accounts, with names
	Rate   string        // deletions / adds
	CAC    siyu.Fen      // cost per customer brought
	HasCAC bool
}

// codeAccount names one of a code's accounts. Name is empty for an account
// the store does not know (any more).
type codeAccount struct {
	UserID string
	Name   string
}

func newCodeRow(c siyu.ChannelCode, names map[string]string) codeRow {
	row := codeRow{ChannelCode: c, Rate: formatRate(c.Stats.Deletions, c.Stats.Adds)}
	row.CAC, row.HasCAC = perCustomer(c.Cost, c.Stats.Customers)
	for _, u := range c.Accounts {
		row.Staff = append(row.Staff, codeAccount{UserID: u, Name: names[u]})
	}
	return row
}

// accountNames maps the workspace's WeCom userids to the accounts' names.
func (c *Console) accountNames(r *http.Request, workspaceID int64) (map[string]string, error) {
	accounts, err := c.store.Accounts(r.Context(), workspaceID)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(accounts))
	for _, a := range accounts {
		names[a.WeComUserID] = a.Name
	}
	return names, nil
}

type codeListData struct {
	Rows      []codeRow
	Chart     *codeChart
	Totals    siyu.ChannelCodeStats // summed over the codes; Customers is not summed
	TotalRate string
	CanCreate bool // a CodeCreator is configured
}

func (c *Console) codeList(w http.ResponseWriter, r *http.Request) {
	st := stateFrom(r)
	codes, err := c.store.ChannelCodes(r.Context(), st.workspace.ID)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	names, err := c.accountNames(r, st.workspace.ID)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	d := codeListData{Chart: buildCodeChart(codes), CanCreate: c.codes != nil}
	for _, code := range codes {
		d.Rows = append(d.Rows, newCodeRow(code, names))
		d.Totals.Adds += code.Stats.Adds
		d.Totals.Deletions += code.Stats.Deletions
		d.Totals.LaterOrders += code.Stats.LaterOrders
		d.Totals.LaterRevenue += code.Stats.LaterRevenue
	}
	d.TotalRate = formatRate(d.Totals.Deletions, d.Totals.Adds)
	c.render(w, r, http.StatusOK, "codes", c.newView(r, "codes.title", "codes", d))
}

type codePageData struct {
	Code     codeRow
	Contacts contactTable
}

func (c *Console) codePage(w http.ResponseWriter, r *http.Request) {
	st := stateFrom(r)
	id, ok := parseID(r.PathValue("id"))
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	code, err := c.store.ChannelCode(r.Context(), st.workspace.ID, id)
	if errors.Is(err, siyu.ErrNotFound) {
		c.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	names, err := c.accountNames(r, st.workspace.ID)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	self := "/codes/" + strconv.FormatInt(code.ID, 10)
	table, err := c.contactTable(r, st.workspace.ID, contactFilter{State: code.State, Status: contactsAll}, func(page int) string {
		if page > 1 {
			return self + "?page=" + strconv.Itoa(page) + "#contacts"
		}
		return self + "#contacts"
	})
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	table.Empty = "code.no_contacts"
	v := c.newView(r, "code.title", "codes", codePageData{Code: newCodeRow(code, names), Contacts: table})
	if r.URL.Query().Get("created") != "" {
		v.Notice = "codes.created"
	}
	c.render(w, r, http.StatusOK, "code", v)
}
