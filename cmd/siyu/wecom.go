package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"siyu.dev/siyu"
	"siyu.dev/siyu/emulator"
	"siyu.dev/siyu/wecomsync"
)

func wecomCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "wecom", Short: "Connect a workspace to its WeCom (企业微信) app"}
	var db dbFlags
	var workspace string
	var app siyu.WeComApp
	configure := &cobra.Command{
		Use:   "configure",
		Short: "Save the WeCom app of a workspace (secrets stored encrypted); callbacks go to /wecom/callback/WORKSPACE",
		RunE: func(cmd *cobra.Command, args []string) error {
			log := newLogger()
			st, w, err := db.openWorkspace(cmd.Context(), log, workspace)
			if err != nil {
				return err
			}
			defer st.Close()
			if app.Secret == "" {
				app.Secret = os.Getenv("SIYU_WECOM_SECRET")
			}
			if err := wecomsync.New(st, wecomsync.Options{Logger: log}).Configure(cmd.Context(), w.ID, app); err != nil {
				return err
			}
			fmt.Printf("WeCom app of %s saved. Callback URL: https://YOUR-HOST/wecom/callback/%s\n", w.Slug, w.Slug)
			return nil
		},
	}
	db.register(configure)
	configure.Flags().StringVar(&workspace, "workspace", "", "workspace slug (required)")
	configure.Flags().StringVar(&app.CorpID, "corp-id", "", "corpid (required)")
	configure.Flags().StringVar(&app.Secret, "secret", "", "the app's secret (or env SIYU_WECOM_SECRET)")
	configure.Flags().StringVar(&app.Token, "token", "", "callback Token (required)")
	configure.Flags().StringVar(&app.EncodingAESKey, "aes-key", "", "callback EncodingAESKey, 43 characters (required)")
	configure.Flags().StringVar(&app.BaseURL, "base-url", "", "API base URL (default the real service; point it at an emulator for tests)")
	for _, f := range []string{"workspace", "corp-id", "token", "aes-key"} {
		configure.MarkFlagRequired(f)
	}

	var sdb dbFlags
	var sws string
	sync := &cobra.Command{
		Use:   "sync",
		Short: "Full sync of a workspace's WeCom contacts, groups and tags (resumes an interrupted one)",
		RunE: func(cmd *cobra.Command, args []string) error {
			log := newLogger()
			st, w, err := sdb.openWorkspace(cmd.Context(), log, sws)
			if err != nil {
				return err
			}
			defer st.Close()
			res, err := wecomsync.New(st, wecomsync.Options{Logger: log}).FullSync(cmd.Context(), w.ID, func(p wecomsync.Progress) {
				fmt.Fprintf(os.Stderr, "%s: %d/%d\n", p.Phase, p.Done, p.Total)
			})
			if err != nil {
				return err
			}
			fmt.Printf("accounts %d, contacts %d, ended %d, groups %d, tags %d, resumed %v, %.1fs\n",
				res.Accounts, res.Contacts, res.Ended, res.Groups, res.Tags, res.Resumed, res.Elapsed.Seconds())
			return nil
		},
	}
	sdb.register(sync)
	sync.Flags().StringVar(&sws, "workspace", "", "workspace slug (required)")
	sync.MarkFlagRequired("workspace")
	cmd.AddCommand(configure, sync)
	return cmd
}

func emulatorCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "emulator", Short: "Run a local emulator of an external service"}
	var addr, callbackURL, token, aesKey string
	var seed int64
	var activity float64
	wecomEmu := &cobra.Command{
		Use:   "wecom",
		Short: "Serve a WeCom emulator: the customer-contact API, signed encrypted callbacks, a simulated population; control API under /emulator/ (loopback only)",
		RunE: func(cmd *cobra.Command, args []string) error {
			log := newLogger()
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			pop := emulator.DefaultPopulation()
			pop.Activity = activity
			emu := emulator.New(emulator.Config{Seed: seed, Population: &pop})
			defer emu.Close()
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			srv := &http.Server{Handler: emu.Handler(), ReadHeaderTimeout: 10 * time.Second}
			go srv.Serve(ln)
			log.Info("wecom emulator serving", "url", "http://"+ln.Addr().String(), "corpid", emu.CorpID(), "secret", emu.Secret()) // the emulator's own made-up secret
			if callbackURL != "" {
				setCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
				err := emu.SetCallback(setCtx, &emulator.CallbackConfig{URL: callbackURL, Token: token, EncodingAESKey: aesKey})
				cancel()
				if err != nil {
					return fmt.Errorf("callback URL: %w", err)
				}
				log.Info("pushing callbacks", "url", callbackURL)
			}
			go emu.Run(ctx, 5*time.Second)
			<-ctx.Done()
			return srv.Close()
		},
	}
	wecomEmu.Flags().StringVar(&addr, "addr", "127.0.0.1:8090", "listen address (keep it on loopback)")
	wecomEmu.Flags().StringVar(&callbackURL, "callback-url", "", "where to push callbacks, e.g. http://127.0.0.1:8080/wecom/callback/mumian")
	wecomEmu.Flags().StringVar(&token, "token", "", "callback Token")
	wecomEmu.Flags().StringVar(&aesKey, "aes-key", "", "callback EncodingAESKey")
	wecomEmu.Flags().Int64Var(&seed, "seed", 1, "population seed")
	wecomEmu.Flags().Float64Var(&activity, "activity", 1, "multiplier of the population's activity")
	cmd.AddCommand(wecomEmu)
	cmd.AddCommand(douyinEmulatorCmd())
	return cmd
}
