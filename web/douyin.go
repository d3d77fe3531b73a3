package web

import (
	"context"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"siyu.dev/siyu/store"
)

// DouyinStore is what the Douyin page needs of the store. *store.Store has
// it; with a store that lacks it the page says so.
type DouyinStore interface {
	DouyinMetrics(ctx context.Context, workspaceID int64, since time.Time) (store.DouyinMetrics, error)
	DouyinIntents(ctx context.Context, workspaceID int64, limit int) ([]store.DouyinComment, error)
}

// douyinDays are the periods the page offers.
var douyinDays = []int{1, 7, 30, 90}

type douyinData struct {
	Days    int
	Periods []int
	Metrics store.DouyinMetrics
	Intents []store.DouyinComment
}

func init() {
	addPages(func(_ catalogue) template.FuncMap {
		return template.FuncMap{
			"pct":  func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" },
			"secs": func(ms int64) string { return strconv.FormatFloat(float64(ms)/1000, 'f', 1, 64) },
		}
	}, "douyin")
}

// douyinPage shows the comment-mining funnel per intent rule and the most
// recent intent comments with where their authors are.
func (c *Console) douyinPage(w http.ResponseWriter, r *http.Request) {
	ds, ok := c.store.(DouyinStore)
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "douyin.unavailable")
		return
	}
	d := douyinData{Days: 7, Periods: douyinDays}
	if v := r.URL.Query().Get("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 366 {
			c.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
			return
		}
		d.Days = n
	}
	ws := stateFrom(r).workspace.ID
	var err error
	if d.Metrics, err = ds.DouyinMetrics(r.Context(), ws, time.Now().AddDate(0, 0, -d.Days)); err != nil {
		c.internalError(w, r, err)
		return
	}
	if d.Intents, err = ds.DouyinIntents(r.Context(), ws, 50); err != nil {
		c.internalError(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "douyin", c.newView(r, "douyin.title", "douyin", d))
}
