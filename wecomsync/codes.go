package wecomsync

import (
	"context"
	"fmt"

	"siyu.dev/siyu"
	"siyu.dev/siyu/wecom"
)

// CreateChannelCode stores a channel code and creates what carries it in
// WeCom: a "contact me" way (one member, or several taken in turn: WeCom's
// multi-member way hands each new scan to the next member), or for a link
// code a 获客助手 link. The store validates first and reserves the state; if
// WeCom refuses, the code is removed again.
func (s *Service) CreateChannelCode(ctx context.Context, workspaceID int64, c siyu.ChannelCode) (siyu.ChannelCode, error) {
	client, _, err := s.Client(ctx, workspaceID)
	if err != nil {
		return c, err
	}
	c, err = s.st.CreateChannelCode(ctx, workspaceID, c)
	if err != nil {
		return c, err
	}
	create := addContactWay
	if c.Medium == siyu.MediumLink {
		create = createLink
	}
	c.ConfigID, c.QRCode, err = create(ctx, client, c)
	if err != nil {
		if derr := s.st.DeleteChannelCode(context.WithoutCancel(ctx), workspaceID, c.ID); derr != nil {
			s.log.Error("channel code left without its WeCom side", "id", c.ID, "err", derr)
		}
		return c, err
	}
	if err := s.st.SetChannelCodeWeCom(ctx, workspaceID, c.ID, c.ConfigID, c.QRCode); err != nil {
		return c, err
	}
	return c, nil
}

// addContactWay makes a code's "contact me" QR code; it returns its
// config_id and QR code URL.
func addContactWay(ctx context.Context, client *wecom.Client, c siyu.ChannelCode) (string, string, error) {
	typ := wecom.ContactWayTypeSingle
	if len(c.Accounts) > 1 {
		typ = wecom.ContactWayTypeMulti
	}
	resp, err := client.AddContactWay(ctx, wecom.AddContactWayRequest{
		Type: typ, Scene: wecom.SceneQRCode, State: c.State, User: c.Accounts, Remark: clipRunes(c.Name, wecom.MaxRemarkLen),
	})
	if err != nil {
		return "", "", fmt.Errorf("wecom add_contact_way: %w", err)
	}
	return resp.ConfigID, resp.QRCode, nil
}

// createLink makes a code's 获客助手 link: it answers with the code's
// accounts, and its URL carries the state as customer_channel, which WeCom
// sends back as State in add_external_contact. It returns the link_id and
// that URL.
func createLink(ctx context.Context, client *wecom.Client, c siyu.ChannelCode) (string, string, error) {
	resp, err := client.CreateAcquisitionLink(ctx, wecom.CreateAcquisitionLinkRequest{
		LinkName: clipRunes(c.Name, wecom.MaxLinkNameLen), Range: wecom.AcquisitionRange{UserList: c.Accounts}, SkipVerify: true,
	})
	if err != nil {
		return "", "", fmt.Errorf("wecom customer_acquisition/create_link: %w", err)
	}
	u, err := wecom.LinkURLWithState(resp.Link.URL, c.State)
	if err != nil {
		return "", "", fmt.Errorf("wecom link url %q: %w", resp.Link.URL, err)
	}
	return resp.Link.LinkID, u, nil
}

// clipRunes cuts s to at most n characters.
func clipRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
