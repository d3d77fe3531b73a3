package wecomsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"
	"unicode/utf8"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/wecom"
)

// DefaultTagGroup is the corp tag group that Siyu's own tags are created
// in when they have no group.
const DefaultTagGroup = "私域"

// tagPushLease is how long a worker holds a tag job; mark_tag for even a
// customer with many contacts takes far less.
const tagPushLease = 2 * time.Minute

// PushTags does the queued WeCom side of tag changes made in Siyu (jobs of
// kind store.JobWeComMarkTag, queued in the transaction that changed the
// tag) until none is due, and returns how many it pushed. For each job
// it reads whether the customer has the tag now and adds or removes the
// corp tag on every live contact of the customer (mark_tag), creating the
// corp tag first (add_corp_tag) when a Siyu tag has none yet. A failed job
// is retried with backoff by the queue; one that fails for good (a tag name
// WeCom refuses) is logged and dropped.
//
// The echo is harmless: WeCom's edit_external_contact callback after the
// change is mirrored into Siyu as source "wecom" tags, which queue nothing.
func (s *Service) PushTags(ctx context.Context, worker string) (int, error) {
	done := 0
	for {
		jobs, err := s.st.ClaimJobs(ctx, worker, []string{store.JobWeComMarkTag}, 20, tagPushLease)
		if err != nil {
			return done, err
		}
		if len(jobs) == 0 {
			return done, nil
		}
		for _, j := range jobs {
			err := s.pushTag(ctx, j)
			var permanent *permanentError
			switch {
			case err == nil:
				if err = s.st.CompleteJob(ctx, j.ID, worker); err == nil {
					done++
				}
			case errors.As(err, &permanent):
				s.log.Warn("wecom tag push dropped", "workspace", j.WorkspaceID, "job", j.Key, "err", err)
				err = s.st.CompleteJob(ctx, j.ID, worker)
			default:
				s.log.Info("wecom tag push failed, will retry", "workspace", j.WorkspaceID, "job", j.Key, "attempt", j.Attempts, "err", err)
				var dead bool
				dead, err = s.st.RetryJob(ctx, j, worker, err, time.Time{})
				if dead {
					s.log.Error("wecom tag push gave up", "workspace", j.WorkspaceID, "job", j.Key)
				}
			}
			if err != nil && !store.IsLeaseLost(err) {
				return done, err
			}
		}
	}
}

// RunTagPush pushes tag changes every interval until ctx ends.
func (s *Service) RunTagPush(ctx context.Context, interval time.Duration) {
	host, _ := os.Hostname()
	worker := fmt.Sprintf("tagpush-%s-%d", host, os.Getpid())
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.PushTags(ctx, worker); err != nil && ctx.Err() == nil {
			s.log.Error("wecom tag push", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// permanentError is a push that no retry can make work.
type permanentError struct{ msg string }

func (e *permanentError) Error() string { return e.msg }

func (s *Service) pushTag(ctx context.Context, j store.Job) error {
	var p store.TagPushPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return &permanentError{fmt.Sprintf("bad payload: %v", err)}
	}
	ws := j.WorkspaceID
	target, err := s.st.TagPushTarget(ctx, ws, p)
	if errors.Is(err, siyu.ErrNotFound) {
		return nil // the tag or the customer is gone
	}
	if err != nil {
		return err
	}
	tag := target.Tag
	if len(target.Contacts) == 0 || !tag.SyncsToWeCom() {
		return nil
	}
	client, _, err := s.Client(ctx, ws)
	if errors.Is(err, ErrNotConfigured) {
		return nil
	}
	if err != nil {
		return err
	}
	if tag.WeComTagID == "" {
		if !target.Has {
			return nil // never made in WeCom, so nothing to take off
		}
		if tag.WeComTagID, err = s.createCorpTag(ctx, client, tag); err != nil {
			return err
		}
		if err := s.st.SetTagWeComID(ctx, ws, tag.ID, tag.WeComTagID); err != nil {
			return err
		}
	}
	for _, c := range target.Contacts {
		req := wecom.MarkTagRequest{UserID: c[0], ExternalUserID: c[1]}
		if target.Has {
			req.AddTag = []string{tag.WeComTagID}
		} else {
			req.RemoveTag = []string{tag.WeComTagID}
		}
		err := client.MarkTag(ctx, req)
		var apiErr *wecom.APIError
		switch {
		case err == nil:
		case errors.As(err, &apiErr) && apiErr.Code == wecom.ErrCodeNoExternalContactRelation:
			// The contact ended since; its del callback is on its way.
		case errors.As(err, &apiErr) && apiErr.Code == wecom.ErrCodeInvalidTagID:
			// The corp tag was deleted in WeCom. A tag made in Siyu is made
			// again on the retry; one that came from WeCom stays deleted.
			if err := s.st.SetTagWeComID(ctx, ws, tag.ID, ""); err != nil {
				return err
			}
			return fmt.Errorf("corp tag %s of %q no longer exists in WeCom", tag.WeComTagID, tag.Name)
		default:
			return err
		}
	}
	return nil
}

// createCorpTag makes the corp tag for a Siyu tag, or finds it when WeCom
// already has one of that name in the group (made by an earlier attempt
// whose answer was lost, or by an admin).
func (s *Service) createCorpTag(ctx context.Context, client *wecom.Client, tag store.TagInfo) (string, error) {
	group := tag.GroupName
	if group == "" {
		group = DefaultTagGroup
	}
	if utf8.RuneCountInString(tag.Name) > wecom.MaxTagNameLen || utf8.RuneCountInString(group) > wecom.MaxTagNameLen {
		return "", &permanentError{fmt.Sprintf("tag %q (group %q) is longer than WeCom's %d characters", tag.Name, group, wecom.MaxTagNameLen)}
	}
	g, err := client.AddCorpTag(ctx, wecom.AddCorpTagRequest{GroupName: group, Tag: []wecom.NewCorpTag{{Name: tag.Name}}})
	var apiErr *wecom.APIError
	switch {
	case err == nil:
		for _, t := range g.Tag {
			if t.Name == tag.Name {
				return t.ID, nil
			}
		}
		return "", fmt.Errorf("add_corp_tag answered without tag %q", tag.Name)
	case errors.As(err, &apiErr) && apiErr.Code == wecom.ErrCodeTagNameExists:
		groups, err := client.GetCorpTagList(ctx, wecom.GetCorpTagListRequest{})
		if err != nil {
			return "", err
		}
		for _, g := range groups {
			if g.GroupName != group || g.Deleted {
				continue
			}
			for _, t := range g.Tag {
				if t.Name == tag.Name && !t.Deleted {
					return t.ID, nil
				}
			}
		}
		return "", fmt.Errorf("WeCom says tag %q exists in group %q but does not list it", tag.Name, group)
	default:
		return "", err
	}
}
