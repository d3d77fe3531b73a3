// Package wecomsync joins the WeCom channel to Siyu's data: it turns
// callbacks into contacts, groups and tags, runs full syncs and their
// reconciliation, and creates channel codes (渠道活码) whose state links a new
// contact to the customer the code was made for. It talks to WeCom only
// through the wecom client, so the same code runs against the emulator and
// the real service.
package wecomsync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/wecom"
	"siyu.dev/siyu/wecom/wxcrypt"
)

// Service is the WeCom integration of every workspace that configured an app.
type Service struct {
	st      *store.Store
	log     *slog.Logger
	limiter wecom.Limiter
	http    *http.Client

	mu        sync.Mutex
	clients   map[int64]*clientFor
	receivers map[int64]http.Handler
}

type clientFor struct {
	app    siyu.WeComApp
	client *wecom.Client
}

// Options tunes the service.
type Options struct {
	Logger *slog.Logger
	// Limiter is shared by every client, so all callers of one corp and API
	// draw from one budget. Default: an in-process token bucket.
	Limiter    wecom.Limiter
	HTTPClient *http.Client
}

// New returns the service.
func New(st *store.Store, opts Options) *Service {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Limiter == nil {
		opts.Limiter = wecom.NewTokenBucket(wecom.TokenBucketConfig{})
	}
	return &Service{st: st, log: opts.Logger, limiter: opts.Limiter, http: opts.HTTPClient, clients: map[int64]*clientFor{}, receivers: map[int64]http.Handler{}}
}

// ErrNotConfigured is returned for a workspace without a WeCom app.
var ErrNotConfigured = fmt.Errorf("wecom is not configured for this workspace: %w", siyu.ErrNotFound)

// Configure saves a workspace's app and drops the cached client.
func (s *Service) Configure(ctx context.Context, workspaceID int64, app siyu.WeComApp) error {
	if _, err := wxcrypt.New(app.Token, app.EncodingAESKey, app.CorpID); err != nil {
		return fmt.Errorf("%w: callback settings: %v", siyu.ErrInvalid, err)
	}
	if err := s.st.SetWeComApp(ctx, workspaceID, app); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.clients, workspaceID)
	delete(s.receivers, workspaceID)
	s.mu.Unlock()
	return nil
}

// Client returns the WeCom client of a workspace.
func (s *Service) Client(ctx context.Context, workspaceID int64) (*wecom.Client, siyu.WeComApp, error) {
	s.mu.Lock()
	c, ok := s.clients[workspaceID]
	s.mu.Unlock()
	if ok {
		return c.client, c.app, nil
	}
	app, err := s.st.WeComApp(ctx, workspaceID)
	if errors.Is(err, siyu.ErrNotFound) {
		return nil, app, ErrNotConfigured
	}
	if err != nil {
		return nil, app, err
	}
	client, err := wecom.NewClient(wecom.Config{BaseURL: app.BaseURL, CorpID: app.CorpID, Secret: app.Secret, Limiter: s.limiter, Logger: s.log, HTTPClient: s.http})
	if err != nil {
		return nil, app, err
	}
	s.mu.Lock()
	s.clients[workspaceID] = &clientFor{app: app, client: client}
	s.mu.Unlock()
	return client, app, nil
}

// Receiver returns the callback handler of a workspace. Signatures,
// timestamps and replays are checked by the wecom receiver (kept per
// workspace, so its replay memory lasts); events are then deduplicated across
// nodes in the store and handled.
func (s *Service) Receiver(ctx context.Context, workspaceID int64) (http.Handler, error) {
	s.mu.Lock()
	h, ok := s.receivers[workspaceID]
	s.mu.Unlock()
	if ok {
		return h, nil
	}
	_, app, err := s.Client(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	crypt, err := wxcrypt.New(app.Token, app.EncodingAESKey, app.CorpID)
	if err != nil {
		return nil, err
	}
	h = wecom.NewReceiver(crypt, func(ctx context.Context, ev wecom.Event) error {
		return s.HandleEvent(ctx, workspaceID, ev)
	}, wecom.ReceiverOptions{Logger: s.log})
	s.mu.Lock()
	s.receivers[workspaceID] = h
	s.mu.Unlock()
	return h, nil
}

// eventKey identifies an event so that a second delivery is recognised.
func eventKey(ev wecom.Event) string {
	return strings.Join([]string{ev.Event, ev.ChangeType, ev.UserID, ev.ExternalUserID, ev.ChatID, ev.UpdateDetail, ev.ID,
		fmt.Sprint(ev.CreateTime), strings.Join(ev.MemChangeList, ",")}, "|")
}

// HandleEvent applies one callback event. Handling is idempotent: a
// duplicated delivery of a handled event is skipped, and a failed one is
// handled again when WeCom retries it.
//
// The event is marked seen only after it was handled. A mark made before
// could outlive a failure it could no longer undo (the database restarting
// mid-way, or a committed mark whose answer was lost), and WeCom's retry
// would then be dropped for good. Two nodes taking the same event at the
// same moment may both handle it, which the idempotent writes allow.
func (s *Service) HandleEvent(ctx context.Context, workspaceID int64, ev wecom.Event) error {
	key := eventKey(ev)
	seen, err := s.st.EventSeen(ctx, workspaceID, key)
	if err != nil {
		return err
	}
	if seen {
		return nil
	}
	if err := s.handleEvent(ctx, workspaceID, ev); err != nil {
		return err
	}
	_, err = s.st.MarkEventSeen(ctx, workspaceID, key)
	return err
}

func (s *Service) handleEvent(ctx context.Context, workspaceID int64, ev wecom.Event) error {
	at := time.Unix(ev.CreateTime, 0)
	if ev.CreateTime == 0 {
		at = time.Now()
	}
	switch ev.Event {
	case wecom.EventChangeExternalContact:
		switch ev.ChangeType {
		case wecom.ChangeAddExternalContact, wecom.ChangeAddHalfExternalContact, wecom.ChangeEditExternalContact:
			return s.contactAdded(ctx, workspaceID, ev)
		case wecom.ChangeDelExternalContact:
			if err := s.st.EndContact(ctx, workspaceID, ev.UserID, ev.ExternalUserID, at, siyu.DeletedByAccount); err != nil {
				return err
			}
			return s.st.FissionContactChanged(ctx, workspaceID, ev.UserID, ev.ExternalUserID) // claw-back
		case wecom.ChangeDelFollowUser:
			if err := s.st.EndContact(ctx, workspaceID, ev.UserID, ev.ExternalUserID, at, siyu.DeletedByCustomer); err != nil {
				return err
			}
			return s.st.FissionContactChanged(ctx, workspaceID, ev.UserID, ev.ExternalUserID) // claw-back
		}
	case wecom.EventChangeExternalChat:
		if ev.ChangeType == wecom.ChangeDismiss {
			return s.st.DismissGroup(ctx, workspaceID, ev.ChatID, at)
		}
		return s.syncGroup(ctx, workspaceID, ev.ChatID)
	case wecom.EventChangeExternalTag:
		return s.syncTags(ctx, workspaceID)
	}
	s.log.Debug("wecom event ignored", "event", ev.Event, "change", ev.ChangeType)
	return nil
}
