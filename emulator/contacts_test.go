package emulator

import (
	"net/url"
	"slices"
	"testing"

	"siyu.dev/siyu"
	"siyu.dev/siyu/wecom"
)

// oneMemberCorp is a corp whose single member already has every user as a
// customer.
func oneMemberCorp(users int) func(*Config) {
	return func(c *Config) {
		pop := Quiet(users)
		pop.Members = []Member{{UserID: "founder", Name: "林知夏"}}
		pop.ExistingContacts = 1
		c.Population = &pop
	}
}

func TestBatchGetByUserPagination(t *testing.T) {
	v := newEnv(t, oneMemberCorp(230))
	var list wecom.ListExternalContactsResponse
	if code := v.get(wecom.PathExternalContactList, url.Values{"userid": {"founder"}}, &list); code != 0 {
		t.Fatalf("list: %d", code)
	}
	if len(list.ExternalUserID) != 230 {
		t.Fatalf("list has %d customers, want 230", len(list.ExternalUserID))
	}
	tests := []struct {
		name  string
		limit int
		pages []int
	}{
		{"default limit 50", 0, []int{50, 50, 50, 50, 30}},
		{"limit 100", 100, []int{100, 100, 30}},
		{"limit above the max is cut to 100", 1000, []int{100, 100, 30}},
		{"limit 77", 77, []int{77, 77, 76}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			var sizes []int
			cursor := ""
			for range 10 {
				var resp wecom.BatchGetByUserResponse
				v.mustPost(wecom.PathBatchGetByUser, wecom.BatchGetByUserRequest{UserIDList: []string{"founder"}, Cursor: cursor, Limit: tt.limit}, &resp)
				sizes = append(sizes, len(resp.ExternalContactList))
				for _, item := range resp.ExternalContactList {
					if item.FollowInfo.UserID != "founder" || item.ExternalContact.UnionID == "" || item.ExternalContact.Type != wecom.ExternalTypeWeChat {
						t.Errorf("bad item %+v", item)
					}
					got = append(got, item.ExternalContact.ExternalUserID)
				}
				if cursor = resp.NextCursor; cursor == "" {
					break
				}
			}
			if !slices.Equal(sizes, tt.pages) {
				t.Errorf("page sizes %v, want %v", sizes, tt.pages)
			}
			if !slices.Equal(got, list.ExternalUserID) {
				t.Errorf("pages do not add up to the customer list")
			}
		})
	}

	t.Run("bad requests", func(t *testing.T) {
		many := make([]string, 101)
		for i := range many {
			many[i] = "founder"
		}
		if code := v.post(wecom.PathBatchGetByUser, wecom.BatchGetByUserRequest{UserIDList: many}, nil); code != wecom.ErrCodeInvalidParameter {
			t.Errorf("101 userids: errcode %d, want 40058", code)
		}
		if code := v.post(wecom.PathBatchGetByUser, wecom.BatchGetByUserRequest{UserIDList: []string{"founder"}, Cursor: "garbage"}, nil); code != errCodeInvalidCursor {
			t.Errorf("bad cursor: errcode %d, want %d", code, errCodeInvalidCursor)
		}
		if code := v.post(wecom.PathBatchGetByUser, wecom.BatchGetByUserRequest{UserIDList: []string{"nobody"}}, nil); code != 60111 {
			t.Errorf("unknown member: errcode %d, want 60111", code)
		}
		if code := v.call("POST", wecom.PathBatchGetByUser, url.Values{"access_token": {v.token()}}, "{not json", nil); code != wecom.ErrCodeInvalidParameter {
			t.Errorf("bad JSON: errcode %d, want 40058", code)
		}
	})
}

func TestContactDetailAndRemark(t *testing.T) {
	v := newEnv(t, nil)
	way := v.addContactWay("store_hz01", "parcel_0612")
	res, err := v.emu.Scan(way, 3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.emu.AddDirectly("founder", 3); err != nil {
		t.Fatal(err)
	}

	var got wecom.GetExternalContactResponse
	if code := v.get(wecom.PathExternalContactGet, url.Values{"external_userid": {res.ExternalUserID}}, &got); code != 0 {
		t.Fatalf("get: %d", code)
	}
	u := v.emu.Users()[3]
	if got.ExternalContact.Name != u.Nickname || got.ExternalContact.UnionID != u.UnionID || got.ExternalContact.Gender != u.Gender {
		t.Errorf("external_contact %+v does not describe user 3 %+v", got.ExternalContact, u)
	}
	if len(got.FollowUser) != 2 || got.FollowUser[0].State != "parcel_0612" || got.FollowUser[0].AddWay != wecom.AddWayQRCode || got.FollowUser[1].State != "" {
		t.Errorf("follow_user %+v: want the store (state parcel_0612, scanned) then the founder (no state)", got.FollowUser)
	}

	v.mustPost(wecom.PathRemark, wecom.RemarkRequest{UserID: "store_hz01", ExternalUserID: res.ExternalUserID, Remark: "王姐 西湖店", RemarkMobiles: []string{"13800000000"}}, nil)
	v.mustPost(wecom.PathRemark, wecom.RemarkRequest{UserID: "store_hz01", ExternalUserID: res.ExternalUserID, Description: "喜欢香氛"}, nil)
	v.get(wecom.PathExternalContactGet, url.Values{"external_userid": {res.ExternalUserID}}, &got)
	if fu := got.FollowUser[0]; fu.Remark != "王姐 西湖店" || fu.Description != "喜欢香氛" || !slices.Equal(fu.RemarkMobiles, []string{"13800000000"}) {
		t.Errorf("after two remark calls: %+v (absent fields must be left alone)", fu)
	}
	long := wecom.RemarkRequest{UserID: "store_hz01", ExternalUserID: res.ExternalUserID, Remark: "这是一个超过二十个字符的备注内容一二三四五六七"}
	if code := v.post(wecom.PathRemark, long, nil); code != wecom.ErrCodeInvalidParameter {
		t.Errorf("remark over 20 chars: errcode %d, want 40058", code)
	}

	if code := v.get(wecom.PathExternalContactGet, url.Values{"external_userid": {"wmnobody"}}, nil); code != wecom.ErrCodeInvalidExternalUserID {
		t.Errorf("unknown external_userid: errcode %d, want 40096", code)
	}
	if code := v.get(wecom.PathExternalContactGet, url.Values{"external_userid": {v.emu.Users()[4].ExternalUserID}}, nil); code != wecom.ErrCodeNoExternalContactRelation {
		t.Errorf("a user who is nobody's customer: errcode %d, want 84061", code)
	}
	if code := v.get(wecom.PathExternalContactList, url.Values{"userid": {"sales_01"}}, nil); code != wecom.ErrCodeNoExternalContactRelation {
		t.Errorf("list of a member without customers: errcode %d, want 84061", code)
	}

	var fol wecom.GetFollowUserListResponse
	v.get(wecom.PathGetFollowUserList, nil, &fol)
	if len(fol.FollowUser) != len(DefaultMembers()) {
		t.Errorf("follow users %v", fol.FollowUser)
	}

	if err := v.emu.DeleteContact("founder", res.ExternalUserID, siyu.DeletedByCustomer); err != nil {
		t.Fatal(err)
	}
	v.get(wecom.PathExternalContactGet, url.Values{"external_userid": {res.ExternalUserID}}, &got)
	if len(got.FollowUser) != 1 {
		t.Errorf("after the customer deleted the founder: %d follow users, want 1", len(got.FollowUser))
	}
}
