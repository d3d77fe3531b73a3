package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"siyu.dev/siyu"
)

func TestExportAndEraseArePrivilegedAndScoped(t *testing.T) {
	a := newTestAPI(t)
	_, tokA := a.workspace("brand-a")
	_, tokB := a.workspace("brand-b")
	a.importOrders(tokA[siyu.RoleAdmin], paidOrder(siyu.ChannelJD, "J1", 9900, "王芳", siyu.Identifier{Kind: siyu.KindPhone, Value: "13812345678"}))
	var page siyu.CustomerPage
	a.get("/api/v1/customers?query=13812345678", tokA[siyu.RoleAdmin]).decode(t, &page)
	if len(page.Customers) != 1 {
		t.Fatalf("customer not found: %+v", page)
	}
	path := "/api/v1/customers/" + strconv.FormatInt(page.Customers[0].ID, 10)

	for _, role := range []siyu.Role{siyu.RoleOperator, siyu.RoleAnalyst} {
		if r := a.get(path+"/export", tokA[role]); r.Status != http.StatusForbidden {
			t.Errorf("%s export: %d, want 403", role, r.Status)
		}
		if r := a.do("DELETE", path, tokA[role], nil); r.Status != http.StatusForbidden {
			t.Errorf("%s erase: %d, want 403", role, r.Status)
		}
	}
	if r := a.get(path+"/export", tokB[siyu.RoleAdmin]); r.Status != http.StatusNotFound {
		t.Errorf("export from another workspace: %d, want 404", r.Status)
	}
	if r := a.do("DELETE", path, tokB[siyu.RoleAdmin], nil); r.Status != http.StatusNotFound {
		t.Errorf("erase from another workspace: %d, want 404", r.Status)
	}

	r := a.get(path+"/export", tokA[siyu.RoleAdmin])
	if r.Status != 200 || !strings.Contains(string(r.Body), "13812345678") || !strings.Contains(string(r.Body), "J1") {
		t.Fatalf("export: %d %s", r.Status, r.Body)
	}
	if strings.Contains(a.logs.String(), "13812345678") {
		t.Fatal("the phone number reached the log")
	}
	if r := a.do("DELETE", path, tokA[siyu.RoleAdmin], nil); r.Status != http.StatusNoContent {
		t.Fatalf("erase: %d %s", r.Status, r.Body)
	}
	a.get("/api/v1/customers?query=13812345678", tokA[siyu.RoleAdmin]).decode(t, &page)
	if len(page.Customers) != 0 {
		t.Fatal("the erased phone still finds someone")
	}
}
