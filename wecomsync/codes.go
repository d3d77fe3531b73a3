package wecomsync

import (
	"context"
	"fmt"

	"siyu.dev/siyu"
	"siyu.dev/siyu/wecom"
)

// CreateChannelCode stores a channel code and creates its "contact me" way
// in WeCom: one member, or several taken in turn (WeCom's multi-member way
// hands each new scan to the next member). The store validates first and
// reserves the state; if WeCom refuses, the code is removed again.
func (s *Service) CreateChannelCode(ctx context.Context, workspaceID int64, c siyu.ChannelCode) (siyu.ChannelCode, error) {
	client, _, err := s.Client(ctx, workspaceID)
	if err != nil {
		return c, err
	}
	c, err = s.st.CreateChannelCode(ctx, workspaceID, c)
	if err != nil {
		return c, err
	}
	if c.Medium == siyu.MediumLink {
		return s.createLinkCode(ctx, client, workspaceID, c)
	}
	typ := wecom.ContactWayTypeSingle
	if len(c.Accounts) > 1 {
		typ = wecom.ContactWayTypeMulti
	}
	remark := []rune(c.Name)
	if len(remark) > 30 {
		remark = remark[:30]
	}
	resp, err := client.AddContactWay(ctx, wecom.AddContactWayRequest{
		Type: typ, Scene: wecom.SceneQRCode, State: c.State, User: c.Accounts, Remark: string(remark),
	})
	if err != nil {
		if derr := s.st.DeleteChannelCode(context.WithoutCancel(ctx), workspaceID, c.ID); derr != nil {
			s.log.Error("channel code left without a WeCom way", "id", c.ID, "err", derr)
		}
		return c, fmt.Errorf("wecom add_contact_way: %w", err)
	}
	c.ConfigID, c.QRCode = resp.ConfigID, resp.QRCode
	if err := s.st.SetChannelCodeWeCom(ctx, workspaceID, c.ID, c.ConfigID, c.QRCode); err != nil {
		return c, err
	}
	return c, nil
}

// createLinkCode puts a 获客助手 link behind a code: the link answers with
// the code's accounts, and its URL carries the state as customer_channel,
// which WeCom sends back as State in add_external_contact.
func (s *Service) createLinkCode(ctx context.Context, client *wecom.Client, workspaceID int64, c siyu.ChannelCode) (siyu.ChannelCode, error) {
	name := []rune(c.Name)
	if len(name) > wecom.MaxLinkNameLen {
		name = name[:wecom.MaxLinkNameLen]
	}
	resp, err := client.CreateAcquisitionLink(ctx, wecom.CreateAcquisitionLinkRequest{
		LinkName: string(name), Range: wecom.AcquisitionRange{UserList: c.Accounts}, SkipVerify: true,
	})
	if err != nil {
		if derr := s.st.DeleteChannelCode(context.WithoutCancel(ctx), workspaceID, c.ID); derr != nil {
			s.log.Error("channel code left without a WeCom link", "id", c.ID, "err", derr)
		}
		return c, fmt.Errorf("wecom customer_acquisition/create_link: %w", err)
	}
	u, err := wecom.LinkURLWithState(resp.Link.URL, c.State)
	if err != nil {
		return c, fmt.Errorf("wecom link url %q: %w", resp.Link.URL, err)
	}
	c.ConfigID, c.QRCode = resp.Link.LinkID, u
	if err := s.st.SetChannelCodeWeCom(ctx, workspaceID, c.ID, c.ConfigID, c.QRCode); err != nil {
		return c, err
	}
	return c, nil
}
