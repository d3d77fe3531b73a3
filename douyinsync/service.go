// Package douyinsync mines the comments on a workspace's Douyin videos:
// webhooks in, intent rules (keyword, Aho-Corasick over normalised text)
// over every comment and message, a reply while the commenter is still
// online, a private message with a per-person WeCom channel code when they
// write, and — when they add the WeCom account through it — the Douyin
// identity and the WeCom contact on one customer. Every step is recorded
// as an event, and store.DouyinMetrics turns them into reply latency, reply
// rate, follow-back and success to WeChat per rule.
package douyinsync

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/douyin"
	"siyu.dev/siyu/store"
)

// ErrNotConfigured: the workspace has no Douyin app.
var ErrNotConfigured = errors.New("douyin is not configured for this workspace")

// CodeMaker creates a channel code with its WeCom contact way;
// *wecomsync.Service is one.
type CodeMaker interface {
	CreateChannelCode(ctx context.Context, workspaceID int64, c siyu.ChannelCode) (siyu.ChannelCode, error)
}

// Options configure a Service.
type Options struct {
	// Codes makes the per-person channel codes. Without it leads get the
	// comment reply but no private message.
	Codes      CodeMaker
	HTTPClient *http.Client // for Douyin calls; default 10 s timeout
	Logger     *slog.Logger
	Now        func() time.Time
}

// Service runs the pipeline for every workspace of a store.
type Service struct {
	st    *store.Store
	codes CodeMaker
	http  *http.Client
	log   *slog.Logger
	now   func() time.Time
	cache settingsCache
}

// New returns a Service.
func New(st *store.Store, opts Options) *Service {
	s := &Service{st: st, codes: opts.Codes, http: opts.HTTPClient, log: opts.Logger, now: opts.Now, cache: settingsCache{by: map[int64]*compiled{}}}
	if s.http == nil {
		s.http = &http.Client{Timeout: 10 * time.Second}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Configure saves a workspace's Douyin app after checking that the client
// can be built from it.
func (s *Service) Configure(ctx context.Context, ws int64, app store.DouyinApp) error {
	if _, err := s.newClient(app); err != nil {
		return err
	}
	return s.st.SetDouyinApp(ctx, ws, app)
}

func (s *Service) app(ctx context.Context, ws int64) (store.DouyinApp, error) {
	app, err := s.st.DouyinApp(ctx, ws)
	if errors.Is(err, siyu.ErrNotFound) {
		return app, ErrNotConfigured
	}
	return app, err
}

func (s *Service) newClient(app store.DouyinApp) (*douyin.Client, error) {
	return douyin.NewClient(douyin.Config{BaseURL: app.BaseURL, OpenID: app.AccountOpenID, Token: douyin.StaticToken(app.AccessToken), HTTPClient: s.http})
}

// Client returns the Douyin client of a workspace.
func (s *Service) Client(ctx context.Context, ws int64) (*douyin.Client, error) {
	app, err := s.app(ctx, ws)
	if err != nil {
		return nil, err
	}
	return s.newClient(app)
}

// Receiver returns the webhook handler of a workspace: signature checked
// with its client secret, deliveries deduplicated in the database by
// Msg-Id, events handed to HandleEvent.
func (s *Service) Receiver(ctx context.Context, ws int64) (http.Handler, error) {
	app, err := s.app(ctx, ws)
	if err != nil {
		return nil, err
	}
	return douyin.NewReceiver(app.ClientSecret, func(ctx context.Context, ev douyin.Event) error {
		return s.HandleEvent(ctx, ws, ev)
	}, douyin.ReceiverOptions{Dedupe: dedupe{s.st, ws}, Logger: s.log}), nil
}

// dedupe is the database Deduper of one workspace.
type dedupe struct {
	st *store.Store
	ws int64
}

func (d dedupe) Claim(ctx context.Context, msgID string) (bool, error) {
	return d.st.ClaimDouyinMsg(ctx, d.ws, msgID)
}

func (d dedupe) Release(ctx context.Context, msgID string) error {
	return d.st.ReleaseDouyinMsg(ctx, d.ws, msgID)
}
