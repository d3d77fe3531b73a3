package siyu

import (
	"strings"
	"testing"
	"time"
)

func TestOrderInputPrepare(t *testing.T) {
	paid := time.Date(2025, 6, 18, 12, 0, 0, 0, Shanghai)
	good := func() OrderInput {
		return OrderInput{Channel: ChannelJD, ExternalID: " J1 ", Status: StatusCompleted, PlacedAt: paid, PaidAt: &paid, Amount: 12800,
			Identifiers: []Identifier{{KindPhone, "+86 138-0013-8000"}, {KindPhone, "13800138000"}, {KindPhone, "138****8000"}}}
	}
	tests := []struct {
		name      string
		change    func(*OrderInput)
		wantField string
	}{
		{"valid", func(*OrderInput) {}, ""},
		{"missing id", func(o *OrderInput) { o.ExternalID = " " }, "external_id"},
		{"unknown channel", func(o *OrderInput) { o.Channel = "pdd" }, "channel"},
		{"paid without time", func(o *OrderInput) { o.PaidAt = nil }, "paid_at"},
		{"negative amount", func(o *OrderInput) { o.Amount = -1 }, "amount"},
		{"absurd amount", func(o *OrderInput) { o.Amount = MaxAmount + 1 }, "amount"},
		{"refund over amount", func(o *OrderInput) { o.Refund = 12801 }, "refund"},
		{"NUL in name", func(o *OrderInput) { o.BuyerName = "a\x00b" }, "buyer_name"},
		{"huge address", func(o *OrderInput) { o.Address = strings.Repeat("路", 2000) }, "address"},
		{"bad phone", func(o *OrderInput) { o.Identifiers = []Identifier{{KindPhone, "12345"}} }, "identifiers[0].phone"},
		{"bad openid", func(o *OrderInput) { o.Identifiers = []Identifier{{KindOpenID, "no-app"}} }, "identifiers[0].wechat_openid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := good()
			tt.change(&o)
			err := o.Prepare()
			if tt.wantField == "" {
				if err != nil {
					t.Fatal(err)
				}
				if o.ExternalID != "J1" || len(o.Identifiers) != 1 || o.Identifiers[0].Value != "13800138000" || o.MaskedPhone != "138****8000" {
					t.Fatalf("not normalised: %+v", o)
				}
				if o.PlacedAt.Location() != time.UTC || !o.PlacedAt.Equal(paid) {
					t.Fatalf("placed_at %v", o.PlacedAt)
				}
				return
			}
			re, ok := err.(RowError)
			if !ok || re.Field != tt.wantField {
				t.Fatalf("err = %v, want a RowError on %s", err, tt.wantField)
			}
		})
	}
}

func TestParseYuan(t *testing.T) {
	tests := []struct {
		in   string
		want Fen
		ok   bool
	}{
		{"12", 1200, true}, {"12.3", 1230, true}, {"12.30", 1230, true}, {"¥1,234.50", 123450, true},
		{"-5.00", -500, true}, {".5", 50, true}, {"12.500", 1250, true},
		{"12.345", 0, false}, {"", 0, false}, {"abc", 0, false}, {"1e5", 0, false}, {".", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseYuan(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseYuan(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	if s := Fen(-123450).String(); s != "-1234.50" {
		t.Errorf("String = %s", s)
	}
}

func TestNormalizePhone(t *testing.T) {
	for in, want := range map[string]string{
		"13800138000": "13800138000", "+86 138 0013 8000": "13800138000", "0086-13800138000": "13800138000",
		"８６１３８００１３８０００": "13800138000", "(138)0013-8000": "13800138000",
	} {
		if got, err := NormalizePhone(in); err != nil || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"138****8000", "12345", "23800138000", "1380013800a", ""} {
		if _, err := NormalizePhone(bad); err == nil {
			t.Errorf("NormalizePhone(%q) accepted", bad)
		}
	}
}

func FuzzNormalizeIdentifier(f *testing.F) {
	for _, s := range []string{"13800138000", "+86 138", "a@b.c", "wx:oid", "\x00", "１３８"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, k := range IdentityKinds {
			n, err := NormalizeIdentifier(Identifier{k, v})
			if err != nil {
				continue
			}
			again, err := NormalizeIdentifier(n)
			if err != nil || again != n {
				t.Fatalf("%s %q: normalising twice changed it: %q -> %q (%v)", k, v, n.Value, again.Value, err)
			}
		}
	})
}
