package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/web"
)

// weComSeed is what seedWeCom stored.
type weComSeed struct {
	live, parcel siyu.ChannelCode // two codes
	accounts     map[string]int64 // account ids by WeCom userid
	customers    map[string]int64 // contact customers by name
}

const longWelcome = "您好，欢迎来到桂花乌龙茶旗舰店！回复 1 领取新人券，回复 2 查看本周直播时间，我们随时为您服务。"

// seedWeCom gives a workspace a WeCom app, three accounts (one inactive),
// two codes and four contacts: through the live-room code 赵一 (still a
// contact, who later pays ¥888 and earlier paid ¥100), 钱二 (deleted the
// account) and 孙三 (deleted by the account); through the parcel code 周四.
func (f *fixture) seedWeCom(ws siyu.Workspace) weComSeed {
	f.t.Helper()
	ctx := context.Background()
	st := f.store
	if err := st.SetWeComApp(ctx, ws.ID, siyu.WeComApp{CorpID: "ww-test", Secret: "s", Token: "t", EncodingAESKey: strings.Repeat("k", 43)}); err != nil {
		f.t.Fatal(err)
	}
	seed := weComSeed{accounts: map[string]int64{}, customers: map[string]int64{}}
	for _, a := range []siyu.Account{
		{WeComUserID: "zhangsan", Name: "张三", Active: true},
		{WeComUserID: "lisi", Name: "李四", Persona: "创始人", Active: true},
		{WeComUserID: "gone", Name: "离职员工"},
	} {
		got, err := st.UpsertAccount(ctx, ws.ID, a)
		if err != nil {
			f.t.Fatal(err)
		}
		seed.accounts[a.WeComUserID] = got.ID
	}
	var err error
	seed.live, err = st.CreateChannelCode(ctx, ws.ID, siyu.ChannelCode{
		Name: "抖音直播间", Kind: siyu.CodeChannel, State: "dy_live", Accounts: []string{"zhangsan", "lisi"},
		Tags: []string{"抖音", "直播"}, Welcome: longWelcome, Cost: 30000,
	})
	if err != nil {
		f.t.Fatal(err)
	}
	seed.parcel, err = st.CreateChannelCode(ctx, ws.ID, siyu.ChannelCode{
		Name: "包裹卡 Q2", Kind: siyu.CodeParcel, State: "parcel_q2", Accounts: []string{"lisi"},
	})
	if err != nil {
		f.t.Fatal(err)
	}
	day := func(d, h int) time.Time { return time.Date(2026, 6, d, h, 0, 0, 0, siyu.Shanghai) }
	deleted := func(d int) *time.Time { t := day(d, 9); return &t }
	contacts := []store.ContactInput{
		{AccountUserID: "zhangsan", ExternalUserID: "wmZhao000000000000000000000001", Name: "赵一", State: "dy_live", AddedAt: day(1, 10),
			Identifiers: []siyu.Identifier{{Kind: siyu.KindPhone, Value: "13900000001"}}},
		{AccountUserID: "lisi", ExternalUserID: "wmQian000000000000000000000002", Name: "钱二", State: "dy_live", AddedAt: day(2, 10),
			DeletedAt: deleted(3), DeletedBy: siyu.DeletedByCustomer},
		{AccountUserID: "zhangsan", ExternalUserID: "wmSun0000000000000000000000003", Name: "孙三", State: "dy_live", AddedAt: day(4, 10),
			DeletedAt: deleted(5), DeletedBy: siyu.DeletedByAccount},
		{AccountUserID: "lisi", ExternalUserID: "wmZhou000000000000000000000004", Name: "周四", State: "parcel_q2", AddedAt: day(6, 10)},
	}
	ids, err := st.UpsertContacts(ctx, ws.ID, contacts)
	if err != nil {
		f.t.Fatal(err)
	}
	for i, c := range contacts {
		seed.customers[c.Name] = ids[i]
	}
	before, after := day(1, 8), day(10, 20)
	res, err := st.ImportOrders(ctx, ws.ID, []siyu.OrderInput{
		{Channel: siyu.ChannelTmall, ExternalID: "TM-BEFORE", Status: siyu.StatusCompleted, PlacedAt: before, PaidAt: &before, Amount: 10000,
			Identifiers: []siyu.Identifier{{Kind: siyu.KindPhone, Value: "13900000001"}}},
		{Channel: siyu.ChannelTmall, ExternalID: "TM-AFTER", Status: siyu.StatusPaid, PlacedAt: after, PaidAt: &after, Amount: 88800,
			Identifiers: []siyu.Identifier{{Kind: siyu.KindPhone, Value: "13900000001"}}},
	}, "test")
	if err != nil || res.Rejected != 0 || res.NewCustomers != 0 {
		f.t.Fatalf("orders: %+v %v", res, err)
	}
	return seed
}

func (f *fixture) codeCount(ws siyu.Workspace) int {
	f.t.Helper()
	codes, err := f.store.ChannelCodes(context.Background(), ws.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return len(codes)
}

func TestCodeList(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seedWeCom(f.wsA)
	c := f.loggedIn("analyst")
	p := c.get("/codes")
	if p.status != http.StatusOK {
		t.Fatalf("GET /codes: %d", p.status)
	}
	// The live-room code: 3 adds, 2 deletions (66.7%), 3 customers, one
	// later order of ¥888 (the earlier ¥100 does not count), ¥300 spent, so
	// ¥100 per customer. The parcel code: 1 add, nothing deleted.
	mustContain(t, p.body,
		"抖音直播间", "dy_live", "渠道", "包裹卡 Q2", "parcel_q2", "包裹卡</span>",
		"张三", "李四", `<span class="tag">抖音</span>`, `<span class="tag">直播</span>`,
		`<td class="num">3</td>`, `<td class="num">2</td>`, "66.7%", "0.0%",
		"¥888.00", "¥300.00", "¥100.00", "待生成",
		`<svg class="chart"`, "删除率", "获客成本")
	// The welcome text is cut short in the table.
	mustContain(t, p.body, truncated(longWelcome, 40))
	// Analysts may look, not make.
	mustNotContain(t, p.body, `href="/codes/new"`, "¥100.00</span>")

	c.get("/lang?to=en&back=/codes")
	p = c.get("/codes")
	mustContain(t, p.body, "Channel codes", "Deletion rate", "Parcel insert", "Cost per customer", "Later revenue")

	// An empty workspace says so.
	bob := f.loggedIn("bob")
	mustContain(t, bob.get("/codes").body, "还没有渠道活码。")
	mustNotContain(t, bob.get("/codes").body, "抖音直播间")
}

// truncated is what the console shows of a long text: n-1 characters and
// an ellipsis.
func truncated(s string, n int) string { return string([]rune(s)[:n-1]) + "…" }

func TestCodePage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	seed := f.seedWeCom(f.wsA)
	c := f.loggedIn("analyst")
	p := c.get("/codes/" + itoa(seed.live.ID))
	if p.status != http.StatusOK {
		t.Fatalf("code page: %d", p.status)
	}
	mustContain(t, p.body, "抖音直播间", "dy_live", longWelcome, "66.7%", "¥888.00", "¥100.00",
		"赵一", "钱二", "孙三", "客户删除了员工", "员工删除了客户", "2026-06-03 09:00",
		`href="/customers/`+itoa(seed.customers["赵一"])+`"`, "wmZhao…0001", "第 1–3 条，共 3 条")
	mustNotContain(t, p.body, "周四")
	// Newest first.
	if strings.Index(p.body, "孙三") > strings.Index(p.body, "赵一") {
		t.Error("contacts are not newest first")
	}

	for _, path := range []string{"/codes/999999", "/codes/abc", "/codes/0"} {
		if p := c.get(path); p.status != http.StatusNotFound {
			t.Errorf("GET %s: %d", path, p.status)
		}
	}
}

func TestCodeIsolation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	seedA := f.seedWeCom(f.wsA)
	seedB := f.seedWeCom(f.wsB)

	bob := f.loggedIn("bob") // admin of B only
	if p := bob.get("/codes/" + itoa(seedA.live.ID)); p.status != http.StatusNotFound {
		t.Fatalf("B's admin opened A's code: %d", p.status)
	}
	if p := bob.get("/codes/" + itoa(seedB.live.ID)); p.status != http.StatusOK {
		t.Fatalf("own code: %d", p.status)
	}
	p := bob.get("/codes")
	mustContain(t, p.body, `href="/codes/`+itoa(seedB.live.ID)+`"`)
	mustNotContain(t, p.body, `href="/codes/`+itoa(seedA.live.ID)+`"`)
	p = bob.get("/contacts")
	for name, id := range seedA.customers {
		mustNotContain(t, p.body, `href="/customers/`+itoa(id)+`"`)
		mustContain(t, p.body, `href="/customers/`+itoa(seedB.customers[name])+`"`)
	}

	admin := f.loggedIn("admin") // admin of A, analyst of B
	if p := admin.get("/codes/" + itoa(seedB.parcel.ID)); p.status != http.StatusNotFound {
		t.Fatalf("B's code seen from A: %d", p.status)
	}
}

// codeForm is a valid form for a new code.
func codeForm(csrf string) url.Values {
	return url.Values{
		"csrf":     {csrf},
		"name":     {"618 大促直播"},
		"kind":     {"campaign"},
		"state":    {"c618_live"},
		"accounts": {"zhangsan", "lisi"},
		"tags":     {"大促，直播, 大促"},
		"welcome":  {"欢迎！\n回复 618 领券。"},
		"cost":     {"¥1,200.50"},
	}
}

func TestCodeCreate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seedWeCom(f.wsA)
	c := f.loggedIn("operator")

	form := c.get("/codes/new")
	if form.status != http.StatusOK {
		t.Fatalf("GET /codes/new: %d", form.status)
	}
	// Inactive accounts are not offered.
	mustContain(t, form.body, `value="zhangsan"`, `value="lisi"`, "创始人", `name="welcome"`)
	mustNotContain(t, form.body, `value="gone"`, "disabled")

	p := c.post("/codes", codeForm(csrfOf(t, form.body)))
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/codes/") {
		t.Fatalf("create: %d %q\n%s", p.status, p.location(), p.body)
	}
	id, ok := strings.CutPrefix(strings.TrimSuffix(p.location(), "?created=1"), "/codes/")
	if !ok {
		t.Fatalf("location %q", p.location())
	}
	codes, err := f.store.ChannelCodes(context.Background(), f.wsA.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := codes[0] // newest first
	if itoa(got.ID) != id || got.Name != "618 大促直播" || got.Kind != siyu.CodeCampaign || got.State != "c618_live" ||
		strings.Join(got.Accounts, ",") != "zhangsan,lisi" || strings.Join(got.Tags, ",") != "大促,直播" ||
		got.Welcome != "欢迎！\n回复 618 领券。" || got.Cost != 120050 || got.CustomerID != 0 {
		t.Fatalf("stored code: %+v", got)
	}
	page := c.get(p.location())
	mustContain(t, page.body, "渠道活码已创建。", "618 大促直播", "¥1,200.50", `href="https://qr.example.com/c618_live.png"`, "活动", "还没有人通过此码添加好友。")

	// A per-order code joins the order's customer.
	seedCustomer := f.customerID(f.wsA, "13900000001")
	v, err := f.store.Customer360(context.Background(), f.wsA.ID, seedCustomer)
	if err != nil || len(v.Orders) == 0 {
		t.Fatalf("orders of the seed customer: %v", err)
	}
	order := codeForm(csrfOf(t, form.body))
	order.Set("kind", "order")
	order.Set("state", "order_tm_after")
	order.Set("order_id", itoa(v.Orders[0].ID))
	order.Del("cost")
	if p := c.post("/codes", order); p.status != http.StatusSeeOther {
		t.Fatalf("per-order code: %d\n%s", p.status, p.body)
	}
	codes, _ = f.store.ChannelCodes(context.Background(), f.wsA.ID)
	if codes[0].State != "order_tm_after" || codes[0].CustomerID != seedCustomer || codes[0].OrderID != v.Orders[0].ID {
		t.Fatalf("per-order code: %+v", codes[0])
	}
	mustContain(t, c.get("/codes/"+itoa(codes[0].ID)).body, `href="/customers/`+itoa(seedCustomer)+`"`)

	// The admin may make codes too.
	admin := f.loggedIn("admin")
	byAdmin := codeForm(admin.csrf())
	byAdmin.Set("state", "by_admin")
	if p := admin.post("/codes", byAdmin); p.status != http.StatusSeeOther {
		t.Fatalf("admin create: %d", p.status)
	}
}

func TestCodeCreateRefusesBadInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seedWeCom(f.wsA)
	f.seedWeCom(f.wsB)
	orderB := func() int64 {
		id := f.customerID(f.wsB, "13900000001")
		v, err := f.store.Customer360(context.Background(), f.wsB.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		return v.Orders[0].ID
	}()
	c := f.loggedIn("operator")
	tok := c.csrf()
	before := f.codeCount(f.wsA)
	for _, tc := range []struct {
		name   string
		change func(url.Values)
		status int
		want   string
	}{
		{"no name", func(v url.Values) { v.Set("name", "  ") }, http.StatusBadRequest, "请填写名称（最多 64 个字）"},
		{"state too long", func(v url.Values) { v.Set("state", strings.Repeat("s", 31)) }, http.StatusBadRequest, "最多 30 个字符"},
		{"no state", func(v url.Values) { v.Del("state") }, http.StatusBadRequest, "请填写渠道参数"},
		{"unknown kind", func(v url.Values) { v.Set("kind", "billboard") }, http.StatusBadRequest, "未知的活码类型"},
		{"no account", func(v url.Values) { v.Del("accounts") }, http.StatusBadRequest, "请至少选择一个接待员工"},
		{"sub-fen cost", func(v url.Values) { v.Set("cost", "12.345") }, http.StatusBadRequest, "成本应为"},
		{"negative cost", func(v url.Values) { v.Set("cost", "-5") }, http.StatusBadRequest, "成本应为"},
		{"bad order id", func(v url.Values) { v.Set("order_id", "TB123") }, http.StatusBadRequest, "订单 ID 应为正整数"},
		{"order code without order", func(v url.Values) { v.Set("kind", "order") }, http.StatusBadRequest, "订单专属码需要填写订单 ID"},
		{"long welcome", func(v url.Values) { v.Set("welcome", strings.Repeat("欢", 1400)) }, http.StatusBadRequest, "欢迎语最多 4000 字节"},
		{"long tag", func(v url.Values) { v.Set("tags", strings.Repeat("标", 65)) }, http.StatusBadRequest, "每个标签最多 64 个字"},
		// Refused behind the form, by the store: the message names the field.
		{"state taken", func(v url.Values) { v.Set("state", "dy_live") }, http.StatusConflict, "state &#34;dy_live&#34;: already exists"},
		{"unknown account", func(v url.Values) { v.Set("accounts", "ghost") }, http.StatusBadRequest, "accounts: unknown account &#34;ghost&#34;"},
		{"order of another workspace", func(v url.Values) { v.Set("order_id", itoa(orderB)) }, http.StatusBadRequest, "not in this workspace"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := codeForm(tok)
			tc.change(form)
			p := c.post("/codes", form)
			if p.status != tc.status {
				t.Fatalf("status %d, want %d\n%s", p.status, tc.status, p.body)
			}
			// The form comes back with the message and what was typed.
			mustContain(t, p.body, `id="code-error"`, tc.want, `id="code-form"`, `id="code-state" value="`+html.EscapeString(form.Get("state"))+`"`)
		})
	}
	if n := f.codeCount(f.wsA); n != before {
		t.Fatalf("%d codes were made from bad input", n-before)
	}
	// The field at fault is marked.
	form := codeForm(tok)
	form.Set("cost", "abc")
	p := c.post("/codes", form)
	mustContain(t, p.body, `name="cost" id="code-cost" value="abc" inputmode="decimal" placeholder="0.00" aria-invalid="true"`)
}

func TestCodeCreateRoles(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seedWeCom(f.wsA)
	analyst := f.loggedIn("analyst")
	if p := analyst.get("/codes/new"); p.status != http.StatusForbidden {
		t.Errorf("analyst GET /codes/new: %d", p.status)
	}
	if p := analyst.post("/codes", codeForm(analyst.csrf())); p.status != http.StatusForbidden {
		t.Errorf("analyst POST /codes: %d", p.status)
	}
	// admin is only an analyst in B.
	admin := f.loggedIn("admin")
	tok := admin.csrf()
	if p := admin.post("/workspace", url.Values{"csrf": {tok}, "workspace_id": {itoa(f.wsB.ID)}}); p.status != http.StatusSeeOther {
		t.Fatalf("switch: %d", p.status)
	}
	if p := admin.post("/codes", codeForm(tok)); p.status != http.StatusForbidden {
		t.Errorf("analyst of B POST /codes: %d", p.status)
	}
	if n := f.codeCount(f.wsA) + f.codeCount(f.wsB); n != 2 {
		t.Fatalf("%d codes, want the 2 seeded", n)
	}
}

func TestCodeCreateCSRF(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seedWeCom(f.wsA)
	c := f.loggedIn("operator")
	tok := c.csrf()
	for _, tc := range []struct {
		name    string
		form    url.Values
		headers map[string]string
	}{
		{"missing token", codeForm(""), map[string]string{"Origin": f.srv.URL}},
		{"wrong token", codeForm(tok[:len(tok)-2] + "xx"), map[string]string{"Origin": f.srv.URL}},
		{"foreign origin", codeForm(tok), map[string]string{"Origin": "http://evil.example"}},
		{"no origin nor referer", codeForm(tok), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if p := c.postWith("/codes", tc.form, tc.headers); p.status != http.StatusForbidden {
				t.Fatalf("status %d, want 403", p.status)
			}
		})
	}
	if n := f.codeCount(f.wsA); n != 2 {
		t.Fatalf("%d codes, want the 2 seeded", n)
	}
}

func TestCodesWithoutWeCom(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, false, func(cfg *web.Config) { cfg.Codes = nil })
	f.seedWeCom(f.wsA)
	c := f.loggedIn("operator")
	p := c.get("/codes/new")
	if p.status != http.StatusOK {
		t.Fatalf("GET /codes/new: %d", p.status)
	}
	mustContain(t, p.body, "此工作区还没有配置企业微信", `<fieldset class="plain" disabled>`)
	if p := c.post("/codes", codeForm(csrfOf(t, p.body))); p.status != http.StatusConflict {
		t.Fatalf("POST without a creator: %d", p.status)
	}
	if n := f.codeCount(f.wsA); n != 2 {
		t.Fatalf("%d codes, want the 2 seeded", n)
	}
	// The list still shows the codes, and tells writers why none can be made.
	mustContain(t, c.get("/codes").body, "抖音直播间", `id="codes-not-configured"`)
	mustNotContain(t, f.loggedIn("analyst").get("/codes").body, `id="codes-not-configured"`)
}

// A workspace without a WeCom app: the creator says so, and so does the form.
func TestCodeCreateInWorkspaceWithoutApp(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	bob := f.loggedIn("bob")
	if _, err := f.store.UpsertAccount(context.Background(), f.wsB.ID, siyu.Account{WeComUserID: "zhangsan", Name: "张三", Active: true}); err != nil {
		t.Fatal(err)
	}
	form := codeForm(bob.csrf())
	form.Set("accounts", "zhangsan")
	p := bob.post("/codes", form)
	if p.status != http.StatusConflict {
		t.Fatalf("status %d\n%s", p.status, p.body)
	}
	mustContain(t, p.body, "此工作区还没有配置企业微信", "618 大促直播")
	if n := f.codeCount(f.wsB); n != 0 {
		t.Fatalf("%d codes", n)
	}
}
