package groups

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
)

// ErrNoDispatch is returned when messages are due but no dispatcher is set.
var ErrNoDispatch = errors.New("groups: messages cannot be sent: dispatch is not available")

// Schedule stores a message for every live group of an activity at sendAt
// (the groups that exist then). Tick hands it to dispatch when it is due.
func (s *Service) Schedule(ctx context.Context, ws, activityID int64, m siyu.Message, sendAt time.Time) (store.GroupMessage, error) {
	return s.schedule(ctx, ws, activityID, store.GroupMessageScheduled, m, sendAt)
}

func (s *Service) schedule(ctx context.Context, ws, activityID int64, kind string, m siyu.Message, sendAt time.Time) (store.GroupMessage, error) {
	m.Text = strings.TrimSpace(m.Text)
	if m.Text == "" && m.Image == nil && m.Link == nil && m.MiniProgram == nil {
		return store.GroupMessage{}, invalid("message", "a message needs text or an attachment")
	}
	if len(m.Text) > maxWelcomeBytes {
		return store.GroupMessage{}, invalid("message.text", "at most %d bytes, not %d", maxWelcomeBytes, len(m.Text))
	}
	if sendAt.IsZero() {
		sendAt = s.now()
	}
	return s.Store.AddGroupMessage(ctx, ws, store.GroupMessage{ActivityID: activityID, Kind: kind, Message: m, SendAt: sendAt})
}

// MessageKey is the idempotency key of a group message to one group.
func MessageKey(messageID int64, chatID string) string {
	return fmt.Sprintf("groupmsg:%d:chat:%s", messageID, chatID)
}

// Tick hands the workspace's due group messages to dispatch, one delivery
// per live group of the activity, sent by the group's owner. Keys make a
// repeated tick (or a crash between enqueue and mark) send nothing twice.
// It returns how many deliveries were new.
func (s *Service) Tick(ctx context.Context, ws int64) (int, error) {
	due, err := s.Store.DueGroupMessages(ctx, ws, s.now())
	if err != nil || len(due) == 0 {
		return 0, err
	}
	if s.Enqueuer == nil {
		return 0, ErrNoDispatch
	}
	senders, err := s.senders(ctx, ws)
	if err != nil {
		return 0, err
	}
	added := 0
	for _, m := range due {
		gs, err := s.Store.ActivityGroups(ctx, ws, m.ActivityID)
		if err != nil {
			return added, err
		}
		var ds []siyu.Delivery
		for _, g := range gs {
			if g.DismissedAt != nil || senders[g.OwnerAccountID] == "" {
				continue
			}
			ds = append(ds, siyu.Delivery{Key: MessageKey(m.ID, g.ChatID), WorkspaceID: ws, AccountID: g.OwnerAccountID,
				Sender: senders[g.OwnerAccountID], ChatID: g.ChatID, Channel: siyu.ReachGroup, Message: m.Message})
		}
		if len(ds) > 0 {
			n, err := s.Enqueuer.Enqueue(ctx, ws, ds, m.SendAt)
			if err != nil {
				return added, fmt.Errorf("group message %d: enqueue: %w", m.ID, err)
			}
			added += n
		}
		if err := s.Store.MarkGroupMessageEnqueued(ctx, ws, m.ID, len(ds), s.now()); err != nil {
			return added, err
		}
	}
	return added, nil
}

// senders maps account ids to WeCom userids.
func (s *Service) senders(ctx context.Context, ws int64) (map[int64]string, error) {
	as, err := s.Store.Accounts(ctx, ws)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(as))
	for _, a := range as {
		out[a.ID] = a.WeComUserID
	}
	return out, nil
}

// Run syncs every activity and sends due messages of all workspaces every
// interval until ctx ends. Errors are passed to report (nil: dropped) and
// do not stop the loop.
func (s *Service) Run(ctx context.Context, every time.Duration, report func(ws int64, err error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		wss, err := s.Store.Workspaces(ctx)
		if err != nil && report != nil {
			report(0, err)
		}
		for _, w := range wss {
			if err := s.SyncAll(ctx, w.ID); err != nil && report != nil && !errors.Is(err, ErrNoWeCom) {
				report(w.ID, err)
			}
			if _, err := s.Tick(ctx, w.ID); err != nil && report != nil && !errors.Is(err, ErrNoDispatch) {
				report(w.ID, err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
