package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/emulator"
	"siyu.dev/siyu/wecomsync"
)

// DemoWeCom runs the WeCom emulator beside the demo workspace, so a
// newcomer sees the whole loop offline: Siyu's real client calls the
// emulator's API, the emulator's population scans the demo's channel codes
// and posts signed, encrypted callbacks to Siyu, and what they buy flows back
// as orders. It returns the emulator's base URL. selfURL is where Siyu
// itself is served.
func (s *Server) DemoWeCom(ctx context.Context, selfURL string) (string, error) {
	st, log := s.cfg.Store, s.cfg.Logger
	w, err := st.WorkspaceBySlug(ctx, DemoWorkspace)
	if err != nil {
		return "", err
	}
	pop := emulator.DefaultPopulation()
	pop.Activity = 60 // a scan or so a minute, so the console changes while one watches
	emu := emulator.New(emulator.Config{Seed: 20240618, Population: &pop})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: emu.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	go func() {
		<-ctx.Done()
		srv.Close()
		emu.Close()
	}()
	base := "http://" + ln.Addr().String()
	if err := s.adoptDemoContacts(ctx, w.ID, emu); err != nil {
		return "", fmt.Errorf("demo contacts: %w", err)
	}

	key := make([]byte, 32)
	rand.Read(key)
	app := siyu.WeComApp{CorpID: emu.CorpID(), Secret: emu.Secret(), BaseURL: base, Token: "siyuDemo",
		EncodingAESKey: strings.TrimRight(base64.StdEncoding.EncodeToString(key), "=")}
	if err := s.wecom.Configure(ctx, w.ID, app); err != nil {
		return "", err
	}
	cb := &emulator.CallbackConfig{URL: strings.TrimRight(selfURL, "/") + "/wecom/callback/" + DemoWorkspace, Token: app.Token, EncodingAESKey: app.EncodingAESKey}
	if err := emu.SetCallback(ctx, cb); err != nil {
		return "", fmt.Errorf("emulator callback: %w", err)
	}
	// The reconciliation worker may have seen the new app first and be
	// syncing already: wait for it, then sync (a no-op by then).
	res, err := s.wecom.FullSync(ctx, w.ID, nil)
	for wait := time.Now().Add(time.Minute); errors.Is(err, wecomsync.ErrSyncRunning) && time.Now().Before(wait); {
		time.Sleep(200 * time.Millisecond)
		res, err = s.wecom.FullSync(ctx, w.ID, nil)
	}
	if err != nil {
		return "", fmt.Errorf("first sync: %w", err)
	}
	log.Info("demo wecom emulator running", "url", base, "contacts", res.Contacts, "groups", res.Groups)
	if err := s.demoCodes(ctx, w.ID, emu); err != nil {
		return "", err
	}
	go emu.Run(ctx, 5*time.Second)
	go demoShopFeed(ctx, s, w.ID, emu, log)
	return base, nil
}

// demoCodes creates the demo's channel codes once, and has a few of the
// emulator's people open the 获客助手 link (the population scans QR codes on
// its own, but a link's URL is where the brand puts it: an SMS, here).
func (s *Server) demoCodes(ctx context.Context, ws int64, emu *emulator.Emulator) error {
	existing, err := s.cfg.Store.ChannelCodes(ctx, ws)
	if err != nil || len(existing) > 0 {
		return err
	}
	codes := []siyu.ChannelCode{
		{Name: "包裹卡·穿搭指南", Kind: siyu.CodeParcel, State: "parcel_styling", Accounts: []string{"service_01"}, Tags: []string{"包裹卡"},
			Welcome: "您好～我是木棉集的小刘。这是您那件衣服的洗护和搭配指南，有尺码问题随时找我 👗", Cost: 30000},
		{Name: "抖音直播间", Kind: siyu.CodeCampaign, State: "douyin_live", Accounts: []string{"founder"}, Tags: []string{"抖音直播"},
			Welcome: "欢迎来到木棉集！我是创始人知夏，直播间福利在群里发哦", Cost: 200000},
		{Name: "杭州门店收银台", Kind: siyu.CodeChannel, State: "store_hz", Accounts: []string{"store_hz01", "store_hz02"}, Tags: []string{"门店客户"},
			Welcome: "感谢光临木棉集杭州店，新品到店第一时间告诉您"},
		{Name: "短信召回·获客链接", Kind: siyu.CodeCampaign, Medium: siyu.MediumLink, State: "sms_recall", Accounts: []string{"service_01"},
			Tags: []string{"短信召回"}, Welcome: "您好，我是木棉集的小刘，短信里的老客专享券已经放进您的账户啦", Cost: 5000},
	}
	for _, c := range codes {
		made, err := s.wecom.CreateChannelCode(ctx, ws, c)
		if err != nil {
			return fmt.Errorf("demo code %s: %w", c.State, err)
		}
		if made.Medium != siyu.MediumLink {
			continue
		}
		for user, added := 0, 0; user < len(emu.Users()) && added < 12; user += 7 {
			if _, err := emu.ClickLink(made.QRCode, user); err == nil {
				added++ // people already served by the account skip it
			}
		}
	}
	return nil
}

// demoShopFeed imports what the emulator's people buy, as a shop's order
// feed would.
func demoShopFeed(ctx context.Context, s *Server, ws int64, emu *emulator.Emulator, log *slog.Logger) {
	seen := 0
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		orders := emu.OrdersSince(seen)
		if len(orders) == 0 {
			continue
		}
		res, err := s.cfg.Store.ImportOrders(ctx, ws, orders, "shop-feed")
		if err != nil {
			log.Error("demo shop feed", "err", err)
			continue
		}
		seen += len(orders)
		log.Debug("demo shop feed", "orders", res.Inserted, "merges", res.Merges)
	}
}
