package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"siyu.dev/siyu"
	"siyu.dev/siyu/auth"
	"siyu.dev/siyu/store/storetest"
)

// FuzzOrdersJSON sends arbitrary bodies to POST /api/v1/orders. Whatever
// comes in, the answer is a 200 import result or a 4xx JSON error: never a
// 500 and never a panic.
func FuzzOrdersJSON(f *testing.F) {
	st := storetest.Open(f)
	ctx := context.Background()
	ws, err := st.CreateWorkspace(ctx, "fuzz", "Fuzz")
	if err != nil {
		f.Fatal(err)
	}
	secret := auth.NewToken("siyu_")
	if _, err := st.CreateAPIToken(ctx, ws.ID, "fuzz", siyu.RoleOperator, auth.HashToken(secret), auth.TokenPrefix(secret)); err != nil {
		f.Fatal(err)
	}
	h := New(Config{Store: st})

	for _, seed := range []string{
		`{"orders":[]}`,
		`{"orders":[{"channel":"taobao","external_id":"T1","status":"paid","placed_at":"2024-06-18T20:00:00+08:00","paid_at":"2024-06-18T20:01:00+08:00","amount_fen":12900,"identifiers":[{"kind":"phone","value":"13800138000"},{"kind":"taobao_nick","value":"tb"}],"items":[{"title":"茶","quantity":1,"price_fen":12900}]}]}`,
		`{"orders":[{"channel":"jd","external_id":"J1","placed_at":"2024-06-18T12:00:00Z","refund_fen":5,"identifiers":[{"kind":"phone","value":"138****8000"}]}]}`,
		`{"orders":[{"channel":"jd","external_id":"J2","placed_at":"2024-06-18T12:00:00Z","identifiers":[{"kind":"wechat_openid","value":"noapp"}]}]}`,
		`{"orders":[null,{},[],"x",1]}`,
		`{"orders":[{"amount_fen":-1,"items":[{"quantity":-2}]}]}`,
		`{"orders":[{"amount_fen":9223372036854775807,"refund_fen":-9223372036854775808}]}`,
		`{"orders":[{"placed_at":"0000-01-01T00:00:00Z","paid_at":"9999-12-31T23:59:59Z","channel":"other","external_id":"Z"}]}`,
		`{"orders":[{"identifiers":[{"kind":"email","value":"A@B.CN"},{"kind":"email","value":"a@b.cn"}]}]}`,
		`{"orders":[{"channel":"jd","external_id":"\u0000","placed_at":"2024-06-18T12:00:00Z"}]}`,
		`{"orders":[{"channel":"jd","external_id":"B1","paid_at":"2024-06-18T12:00:00Z","amount_fen":1000000000000,"identifiers":[{"kind":"jd_buyer_id","value":"big"}]},{"channel":"jd","external_id":"B2","paid_at":"2024-06-18T12:00:00Z","amount_fen":9223372036854775807,"identifiers":[{"kind":"jd_buyer_id","value":"big"}]}]}`,
		`{"orders":{}}`, `{"orders":[`, `[]`, `null`, `{"Orders":[]}`, `{"orders":[{"LINE":1}]}`,
		"\xef\xbb\xbf{\"orders\":[]}", `{"orders":[]}{}`, `{"orders":[{"props":{"a":[[[[[]]]]]}}]}`,
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}

	f.Fuzz(func(t *testing.T, body []byte, strict bool) {
		target := "/api/v1/orders"
		if strict {
			target += "?strict=true"
		}
		req := httptest.NewRequest("POST", target, strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+secret)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)

		switch {
		case rec.Code == http.StatusOK:
			var res siyu.ImportResult
			if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
				t.Fatalf("200 with a body that is not an import result: %v: %s", err, rec.Body)
			}
			if res.Inserted+res.Updated+res.Unchanged+res.Rejected != res.Rows {
				t.Errorf("counts do not add up: %+v", res)
			}
		case rec.Code >= 400 && rec.Code < 500:
			var e errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Fatalf("%d with a body that is not a JSON error: %s", rec.Code, rec.Body)
			}
		default:
			t.Fatalf("status %d for body %q: %s", rec.Code, body, rec.Body)
		}
	})
}
