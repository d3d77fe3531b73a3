package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"siyu.dev/siyu"
)

// control calls the control API over HTTP and decodes the answer.
func (v *env) control(path string, body, out any) int {
	v.t.Helper()
	var rd *bytes.Reader
	method := http.MethodGet
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
		method = http.MethodPost
	}
	req, _ := http.NewRequest(method, v.srv.URL+"/emulator/"+path, nil)
	if rd != nil {
		req, _ = http.NewRequest(method, v.srv.URL+"/emulator/"+path, rd)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			v.t.Fatalf("%s: %v", path, err)
		}
	}
	return resp.StatusCode
}

func TestControlHTTP(t *testing.T) {
	var rcv *receiver
	v := newEnv(t, withReceiver(t, &rcv))
	way := v.addContactWay("founder", "from_http")

	var scan ScanResult
	if code := v.control("scan", map[string]any{"code": "from_http", "user": 2}, &scan); code != 200 || scan.ConfigID != way || scan.State != "from_http" {
		t.Fatalf("scan: HTTP %d %+v", code, scan)
	}
	var failed map[string]any
	if code := v.control("scan", map[string]any{"code": "nope", "user": 2}, &failed); code != 400 || failed["error"] == "" {
		t.Errorf("bad scan: HTTP %d %v", code, failed)
	}
	var group map[string]string
	if code := v.control("create_group", map[string]any{"owner": "founder", "name": "测试群", "users": []int{2}}, &group); code != 200 || group["chat_id"] == "" {
		t.Fatalf("create_group: HTTP %d %v", code, group)
	}
	if code := v.control("join_group", map[string]any{"code": group["chat_id"], "user": 3}, nil); code != 200 {
		t.Errorf("join_group: HTTP %d", code)
	}
	var order siyu.OrderInput
	if code := v.control("buy", map[string]any{"user": 2}, &order); code != 200 || order.ExternalID == "" || order.Amount <= 0 {
		t.Errorf("buy: HTTP %d %+v", code, order)
	}
	var orders []siyu.OrderInput
	v.control("orders?since=0", nil, &orders)
	if len(orders) != 1 || orders[0].ExternalID != order.ExternalID {
		t.Errorf("orders %+v", orders)
	}
	if code := v.control("delete_contact", map[string]any{"userid": "founder", "external_userid": scan.ExternalUserID, "by": "account"}, nil); code != 200 {
		t.Errorf("delete_contact: HTTP %d", code)
	}
	if code := v.control("advance", map[string]any{"duration": "90m"}, nil); code != 200 || !v.emu.Now().Equal(t0.Add(90*60e9)) {
		t.Errorf("advance: HTTP %d, now %v", code, v.emu.Now())
	}
	if code := v.control("advance", map[string]any{"duration": "soon"}, nil); code != 400 {
		t.Errorf("bad duration: HTTP %d", code)
	}
	if code := v.control("flush", map[string]any{}, nil); code != 200 {
		t.Errorf("flush: HTTP %d", code)
	}
	var snap Snapshot
	v.control("snapshot", nil, &snap)
	if len(snap.Groups) != 1 || len(snap.Groups[0].Members) != 3 || len(snap.Members[0].Contacts) != 0 {
		t.Errorf("snapshot %+v", snap)
	}
	var evs []json.RawMessage
	v.control("events", nil, &evs)
	// add, create, add_member, del_external_contact
	if len(evs) != 4 || len(rcv.received()) != 4 {
		t.Errorf("%d events logged, %d received, want 4", len(evs), len(rcv.received()))
	}
	if code := v.control("nothing", nil, nil); code != 404 {
		t.Errorf("unknown control path: HTTP %d", code)
	}
	var pol Policy
	if code := v.control("policy", map[string]any{"GroupMemberCap": 3}, &pol); code != 200 || v.emu.Policy().GroupMemberCap != 3 || pol.TokenTTL == 0 {
		t.Errorf("policy patch: HTTP %d %+v", code, pol)
	}
}
