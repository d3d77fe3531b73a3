package emulator

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu/wecom"
)

func TestContactWayValidation(t *testing.T) {
	v := newEnv(t, nil)
	one := []string{"founder"}
	tests := []struct {
		name string
		req  wecom.AddContactWayRequest
		want int
	}{
		{"no type", wecom.AddContactWayRequest{Scene: 2, User: one}, wecom.ErrCodeMissingContactWayType},
		{"bad type", wecom.AddContactWayRequest{Type: 3, Scene: 2, User: one}, errCodeInvalidType},
		{"no scene", wecom.AddContactWayRequest{Type: 1, User: one}, errCodeMissingScene},
		{"bad scene", wecom.AddContactWayRequest{Type: 1, Scene: 5, User: one}, errCodeInvalidScene},
		{"single with two users", wecom.AddContactWayRequest{Type: 1, Scene: 2, User: []string{"founder", "sales_01"}}, wecom.ErrCodeInvalidParameter},
		{"unknown user", wecom.AddContactWayRequest{Type: 1, Scene: 2, User: []string{"ghost"}}, errCodeInvalidUserList},
		{"state of 31 chars", wecom.AddContactWayRequest{Type: 1, Scene: 2, User: one, State: strings.Repeat("渠", 31)}, wecom.ErrCodeInvalidParameter},
		{"state of 30 chars", wecom.AddContactWayRequest{Type: 1, Scene: 2, User: one, State: strings.Repeat("渠", 30)}, 0},
		{"temporary for 15 days", wecom.AddContactWayRequest{Type: 1, Scene: 2, User: one, IsTemp: true, ExpiresIn: 15 * 86400}, wecom.ErrCodeInvalidParameter},
		{"several members", wecom.AddContactWayRequest{Type: 2, Scene: 1, User: []string{"founder", "sales_01"}}, 0},
	}
	for _, tt := range tests {
		if code := v.post(wecom.PathAddContactWay, tt.req, nil); code != tt.want {
			t.Errorf("%s: errcode %d, want %d", tt.name, code, tt.want)
		}
	}
}

func TestContactWayCRUD(t *testing.T) {
	v := newEnv(t, nil)
	f := false
	var added wecom.AddContactWayResponse
	v.mustPost(wecom.PathAddContactWay, wecom.AddContactWayRequest{
		Type: 2, Scene: 2, User: []string{"store_hz01", "store_hz02"}, State: "hz_stores", Remark: "杭州门店", SkipVerify: &f,
	}, &added)
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(added.ConfigID) || !strings.HasPrefix(added.QRCode, "https://") {
		t.Errorf("config_id %q qr_code %q", added.ConfigID, added.QRCode)
	}
	var got wecom.GetContactWayResponse
	v.mustPost(wecom.PathGetContactWay, wecom.ConfigIDRequest{ConfigID: added.ConfigID}, &got)
	cw := got.ContactWay
	if cw.State != "hz_stores" || cw.SkipVerify || len(cw.User) != 2 || cw.QRCode != added.QRCode || cw.Remark != "杭州门店" {
		t.Errorf("contact way %+v", cw)
	}

	v.mustPost(wecom.PathUpdateContactWay, wecom.UpdateContactWayRequest{ConfigID: added.ConfigID, User: []string{"store_sh01"}}, nil)
	v.mustPost(wecom.PathGetContactWay, wecom.ConfigIDRequest{ConfigID: added.ConfigID}, &got)
	if cw := got.ContactWay; len(cw.User) != 1 || cw.User[0] != "store_sh01" || cw.State != "hz_stores" || cw.Remark != "杭州门店" {
		t.Errorf("after replacing the users: %+v (state and remark must stay)", cw)
	}
	res, err := v.emu.Scan(added.ConfigID, 5)
	if err != nil || res.UserID != "store_sh01" || res.State != "hz_stores" {
		t.Errorf("scan after update: %+v %v", res, err)
	}

	v.emu.Advance(time.Hour)
	second := v.addContactWay("founder", "b")
	var list wecom.ListContactWayResponse
	v.mustPost(wecom.PathListContactWay, wecom.ListContactWayRequest{Limit: 1}, &list)
	if len(list.ContactWay) != 1 || list.ContactWay[0].ConfigID != added.ConfigID || list.NextCursor == "" {
		t.Fatalf("first page %+v", list)
	}
	cursor := list.NextCursor
	list = wecom.ListContactWayResponse{}
	v.mustPost(wecom.PathListContactWay, wecom.ListContactWayRequest{Limit: 1, Cursor: cursor}, &list)
	if len(list.ContactWay) != 1 || list.ContactWay[0].ConfigID != second || list.NextCursor != "" {
		t.Errorf("second page %+v", list)
	}
	v.mustPost(wecom.PathListContactWay, wecom.ListContactWayRequest{StartTime: wecom.Timestamp(t0.Add(30 * time.Minute).Unix())}, &list)
	if len(list.ContactWay) != 1 || list.ContactWay[0].ConfigID != second {
		t.Errorf("since 10:30: %+v", list.ContactWay)
	}

	v.mustPost(wecom.PathDelContactWay, wecom.ConfigIDRequest{ConfigID: added.ConfigID}, nil)
	if code := v.post(wecom.PathGetContactWay, wecom.ConfigIDRequest{ConfigID: added.ConfigID}, nil); code != wecom.ErrCodeInvalidConfigID {
		t.Errorf("deleted way: errcode %d, want 41044", code)
	}
	if _, err := v.emu.Scan(added.ConfigID, 6); err == nil {
		t.Error("scanned a deleted way")
	}
}

func TestTemporaryContactWayWorksOnce(t *testing.T) {
	v := newEnv(t, nil)
	var added wecom.AddContactWayResponse
	v.mustPost(wecom.PathAddContactWay, wecom.AddContactWayRequest{Type: 1, Scene: 2, User: []string{"service_01"}, IsTemp: true, ExpiresIn: 3600}, &added)
	if _, err := v.emu.Scan(added.ConfigID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := v.emu.Scan(added.ConfigID, 1); err == nil {
		t.Error("a used temporary way added a second customer")
	}
	v.mustPost(wecom.PathAddContactWay, wecom.AddContactWayRequest{Type: 1, Scene: 2, User: []string{"service_01"}, IsTemp: true, ExpiresIn: 3600}, &added)
	v.emu.Advance(time.Hour)
	if _, err := v.emu.Scan(added.ConfigID, 2); err == nil {
		t.Error("an expired temporary way still worked")
	}
}

func TestContactWayQuota(t *testing.T) {
	v := newEnv(t, func(c *Config) { c.Policy.ContactWayQuota = 2 })
	v.addContactWay("founder", "a")
	v.addContactWay("founder", "b")
	if code := v.post(wecom.PathAddContactWay, wecom.AddContactWayRequest{Type: 1, Scene: 2, User: []string{"founder"}}, nil); code != wecom.ErrCodeContactWayLimit {
		t.Errorf("third way over a quota of 2: errcode %d, want 41045", code)
	}
}
