package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/web"
)

func TestContactList(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	seed := f.seedWeCom(f.wsA)
	c := f.loggedIn("analyst")
	p := c.get("/contacts")
	if p.status != http.StatusOK {
		t.Fatalf("GET /contacts: %d", p.status)
	}
	mustContain(t, p.body, "赵一", "钱二", "孙三", "周四", "张三", "李四", "wmZhou…0004", "parcel_q2",
		"2026-06-06 10:00", "客户删除了员工", "员工删除了客户", "第 1–4 条，共 4 条",
		`href="/customers/`+itoa(seed.customers["周四"])+`"`, `href="/contacts?state=parcel_q2"`)
	// Newest first.
	order := []string{"周四", "孙三", "钱二", "赵一"}
	for i := 1; i < len(order); i++ {
		if strings.Index(p.body, order[i-1]) > strings.Index(p.body, order[i]) {
			t.Errorf("%s is listed before %s", order[i], order[i-1])
		}
	}

	for _, tc := range []struct {
		query     string
		want, not []string
	}{
		{"status=deleted", []string{"钱二", "孙三"}, []string{"赵一", "周四"}},
		{"status=live", []string{"赵一", "周四"}, []string{"钱二", "孙三"}},
		{"account=" + itoa(seed.accounts["lisi"]), []string{"钱二", "周四"}, []string{"赵一", "孙三"}},
		{"state=parcel_q2", []string{"周四"}, []string{"赵一", "钱二", "孙三"}},
		{"state=dy_live&status=live&account=" + itoa(seed.accounts["zhangsan"]), []string{"赵一"}, []string{"钱二", "孙三", "周四"}},
		{"state=nothing", []string{"没有符合条件的好友关系。"}, []string{"赵一", "周四"}},
		{"status=bogus", []string{"赵一", "周四"}, nil}, // an unknown status is all
	} {
		p := c.get("/contacts?" + tc.query)
		if p.status != http.StatusOK {
			t.Fatalf("%s: %d", tc.query, p.status)
		}
		body := p.body[strings.Index(p.body, `id="contact-filters"`):] // past the account names of the filter
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: lacks %q", tc.query, w)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(body, ">"+w+"<") {
				t.Errorf("%s: shows %q", tc.query, w)
			}
		}
	}
	// The filters stay filled in, and the state is escaped.
	p = c.get("/contacts?status=deleted&state=" + url.QueryEscape(`<b>x</b>`))
	mustContain(t, p.body, `<option value="deleted" selected>`, `value="&lt;b&gt;x&lt;/b&gt;"`)
	mustNotContain(t, p.body, "<b>x</b>")
}

func TestContactPagination(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.store.UpsertAccount(ctx, f.wsA.ID, siyu.Account{WeComUserID: "zhangsan", Name: "张三", Active: true}); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	var in []store.ContactInput
	for i := range 55 {
		in = append(in, store.ContactInput{AccountUserID: "zhangsan", ExternalUserID: fmt.Sprintf("wmBulk%024d", i),
			Name: fmt.Sprintf("客户%02d", i), State: "bulk", AddedAt: start.Add(time.Duration(i) * time.Hour)})
	}
	if _, err := f.store.UpsertContacts(ctx, f.wsA.ID, in); err != nil {
		t.Fatal(err)
	}
	c := f.loggedIn("analyst")
	p := c.get("/contacts?state=bulk")
	mustContain(t, p.body, "第 1–50 条，共 55 条", `href="/contacts?page=2&amp;state=bulk"`, "客户54")
	mustNotContain(t, p.body, "客户04", `rel="prev"`)
	p = c.get("/contacts?state=bulk&page=2")
	mustContain(t, p.body, "第 51–55 条，共 55 条", "客户00", "客户04", `href="/contacts?state=bulk"`)
	mustNotContain(t, p.body, "客户05", `rel="next"`)
	// Past the end: nothing, with a way back.
	p = c.get("/contacts?state=bulk&page=9")
	mustContain(t, p.body, "没有符合条件的好友关系。", `rel="prev"`)
}

func TestContactsUnavailable(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, false, func(cfg *web.Config) { cfg.Contacts = nil })
	seed := f.seedWeCom(f.wsA)
	c := f.loggedIn("analyst")
	p := c.get("/contacts")
	if p.status != http.StatusOK {
		t.Fatalf("GET /contacts: %d", p.status)
	}
	mustContain(t, p.body, "此服务器没有接入好友列表。")
	p = c.get("/codes/" + itoa(seed.live.ID))
	mustContain(t, p.body, "此服务器没有接入好友列表。", "66.7%")
}
