package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"siyu.dev/siyu/emulator"
	"siyu.dev/siyu/emulator/douyinemu"
	"siyu.dev/siyu/wecom"
)

// douyinEmulatorCmd is `siyu emulator douyin`.
func douyinEmulatorCmd() *cobra.Command {
	var addr, callbackURL, wecomURL, wecomCorp, wecomSecret string
	var seed int64
	var population int
	var perDay float64
	cmd := &cobra.Command{
		Use:   "douyin",
		Short: "Serve a Douyin emulator: comment, private-message and fans endpoints, signed webhooks, a simulated population that comments in Chinese",
		Long: `Serve a Douyin open-platform emulator for one business account.

With --wecom-url (a running "siyu emulator wecom"), the Douyin users are the
WeCom emulator's people, and a user who scans a channel code sent in a
private message adds the member in the WeCom emulator.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			log := newLogger()
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			pol := douyinemu.DefaultPolicy()
			pol.CommentsPerDay = perDay
			cfg := douyinemu.Config{Seed: seed, Population: population, Policy: &pol}
			if wecomURL != "" {
				bridge, err := newWeComBridge(ctx, wecomURL, wecomCorp, wecomSecret)
				if err != nil {
					return err
				}
				cfg.Users, cfg.OnChannelCode = bridge.users, bridge.scan
			}
			emu := douyinemu.New(cfg)
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			srv := &http.Server{Handler: emu.Handler(), ReadHeaderTimeout: 10 * time.Second}
			go srv.Serve(ln)
			// The emulator's own made-up credentials, to configure Siyu with.
			log.Info("douyin emulator serving", "url", "http://"+ln.Addr().String(), "client_key", emu.ClientKey(),
				"client_secret", emu.ClientSecret(), "access_token", emu.AccessToken(), "account_open_id", emu.AccountOpenID(), "videos", emu.Videos())
			if callbackURL != "" {
				setCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
				err := emu.SetCallback(setCtx, callbackURL)
				cancel()
				if err != nil {
					return fmt.Errorf("callback URL: %w", err)
				}
				log.Info("pushing webhooks", "url", callbackURL)
			}
			go emu.Run(ctx, 10*time.Second)
			<-ctx.Done()
			return srv.Close()
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8091", "listen address (keep it on loopback)")
	cmd.Flags().StringVar(&callbackURL, "callback-url", "", "where to push webhooks, e.g. http://127.0.0.1:8080/douyin/webhook/mumian")
	cmd.Flags().StringVar(&wecomURL, "wecom-url", "", "a WeCom emulator to carry channel-code scans through, e.g. http://127.0.0.1:8090")
	cmd.Flags().StringVar(&wecomCorp, "wecom-corp-id", "wwemulator0000001", "the WeCom emulator's corpid")
	cmd.Flags().StringVar(&wecomSecret, "wecom-secret", "emulator-secret", "the WeCom emulator's secret")
	cmd.Flags().Int64Var(&seed, "seed", 1, "population seed")
	cmd.Flags().IntVar(&population, "population", 200, "users (without --wecom-url)")
	cmd.Flags().Float64Var(&perDay, "comments-per-day", 0.5, "comments per user per day")
	return cmd
}

// weComBridge joins the Douyin emulator to a WeCom emulator over HTTP: the
// same people, and a scanned QR URL becomes an add through that contact way.
type weComBridge struct {
	base   string
	client *wecom.Client
	users  []douyinemu.User
}

func newWeComBridge(ctx context.Context, base, corpID, secret string) (*weComBridge, error) {
	base = strings.TrimRight(base, "/")
	c, err := wecom.NewClient(wecom.Config{BaseURL: base, CorpID: corpID, Secret: secret})
	if err != nil {
		return nil, err
	}
	b := &weComBridge{base: base, client: c}
	res, err := http.Get(base + "/emulator/users")
	if err != nil {
		return nil, fmt.Errorf("wecom emulator users: %w", err)
	}
	defer res.Body.Close()
	var people []emulator.User
	if err := json.NewDecoder(res.Body).Decode(&people); err != nil {
		return nil, fmt.Errorf("wecom emulator users: %w", err)
	}
	for _, p := range people {
		b.users = append(b.users, douyinemu.User{OpenID: p.DouyinOpenID, UnionID: "dy" + p.UnionID, Nickname: p.Nickname,
			Province: p.Province, City: p.City, Gender: p.Gender, Ref: p.Index})
	}
	return b, nil
}

// scan finds the contact way whose QR is url and has the person add through it.
func (b *weComBridge) scan(ctx context.Context, url string, u douyinemu.User) error {
	list, err := b.client.ListContactWay(ctx, wecom.ListContactWayRequest{Limit: 1000})
	if err != nil {
		return err
	}
	for _, ref := range list.ContactWay {
		way, err := b.client.GetContactWay(ctx, ref.ConfigID)
		if err != nil {
			return err
		}
		if way.QRCode != url {
			continue
		}
		body, _ := json.Marshal(map[string]any{"code": way.ConfigID, "user": u.Ref})
		res, err := http.Post(b.base+"/emulator/scan", "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("wecom emulator scan: HTTP %d", res.StatusCode)
		}
		return nil
	}
	return fmt.Errorf("no contact way has the QR %s", url)
}
