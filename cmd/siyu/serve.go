package main

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"siyu.dev/siyu/server"
)

func serveCmd(demoAlias bool) *cobra.Command {
	var db dbFlags
	var addr string
	var demo, secure bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the REST API, the web console and the background workers",
		RunE: func(cmd *cobra.Command, args []string) error {
			log := newLogger()
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			st, err := db.open(ctx, log)
			if err != nil {
				return err
			}
			defer st.Close()
			if demo || demoAlias {
				if err := server.SeedDemo(ctx, st, log); err != nil {
					return fmt.Errorf("demo: %w", err)
				}
			}
			srv, err := server.New(server.Config{Store: st, Logger: log, SecureCookies: secure})
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			self := "http://" + ln.Addr().String()
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ctx, ln) }()
			srv.RunWorkers(ctx)
			if demo || demoAlias {
				if _, err := srv.DemoWeCom(ctx, self); err != nil {
					log.Error("demo wecom emulator not started", "err", err)
				}
			}
			log.Info("siyu is serving", "console", self+"/", "database", st.Dialect())
			return <-errc
		},
	}
	if demoAlias {
		cmd.Use = "demo"
		cmd.Short = "Same as serve --demo: load the demo workspace and serve it"
	}
	db.register(cmd)
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "listen address")
	cmd.Flags().BoolVar(&demo, "demo", false, "load the demo workspace (木棉集, a DTC apparel and skincare brand) on first start")
	cmd.Flags().BoolVar(&secure, "secure-cookies", os.Getenv("SIYU_SECURE_COOKIES") == "1", "mark cookies Secure (set when served over HTTPS)")
	return cmd
}
