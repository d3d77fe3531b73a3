package wecom

import (
	"context"
	"errors"
	"strings"
	"testing"

	"siyu.dev/siyu"
)

// Requests WeCom would refuse are refused before they are sent.
func TestAcquisitionLinkValidation(t *testing.T) {
	c := &Client{}
	ctx := context.Background()
	rng := AcquisitionRange{UserList: []string{"founder"}}
	for name, err := range map[string]error{
		"no name": func() error {
			_, err := c.CreateAcquisitionLink(ctx, CreateAcquisitionLinkRequest{Range: rng})
			return err
		}(),
		"long name": func() error {
			_, err := c.CreateAcquisitionLink(ctx, CreateAcquisitionLinkRequest{LinkName: strings.Repeat("链", 31), Range: rng})
			return err
		}(),
		"empty range": func() error {
			_, err := c.CreateAcquisitionLink(ctx, CreateAcquisitionLinkRequest{LinkName: "x"})
			return err
		}(),
		"update no id": c.UpdateAcquisitionLink(ctx, CreateAcquisitionLinkRequest{LinkName: "x", Range: rng}),
		"get no id":    func() error { _, err := c.GetAcquisitionLink(ctx, ""); return err }(),
		"customers": func() error {
			_, err := c.AcquisitionCustomers(ctx, AcquisitionCustomersRequest{LinkID: "l", Limit: 1001})
			return err
		}(),
	} {
		if !errors.Is(err, siyu.ErrInvalid) {
			t.Errorf("%s: %v, want siyu.ErrInvalid", name, err)
		}
	}
	u, err := LinkURLWithState("https://work.weixin.qq.com/ca/abc?x=1", "短信 1")
	if err != nil || !strings.Contains(u, "customer_channel=%E7%9F%AD%E4%BF%A1+1") || !strings.Contains(u, "x=1") {
		t.Fatalf("%q %v", u, err)
	}
}
