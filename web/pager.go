package web

import (
	"net/http"
	"strconv"
)

// pageNav is the "rows x–y of n, previous, next" line under a list.
type pageNav struct {
	From, To, Total int
	Page, Pages     int
	PrevURL         string
	NextURL         string
}

// newPageNav describes page (1-based) of a list of total rows, perPage at a
// time, of which shown are on this page. urlOf builds the link to a page.
func newPageNav(page, perPage, total, shown int, urlOf func(page int) string) pageNav {
	n := pageNav{Total: total, Page: page, Pages: (total + perPage - 1) / perPage}
	if shown > 0 {
		n.From = (page-1)*perPage + 1
		n.To = n.From + shown - 1
	}
	if page > 1 {
		n.PrevURL = urlOf(min(page-1, max(n.Pages, 1)))
	}
	if page < n.Pages {
		n.NextURL = urlOf(page + 1)
	}
	return n
}

// maxPage bounds page numbers so that an offset cannot overflow.
const maxPage = 1 << 20

// pageParam reads the page number of a list; anything but a positive
// number is the first page.
func pageParam(r *http.Request) int {
	p, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || p < 1 {
		return 1
	}
	return min(p, maxPage)
}
