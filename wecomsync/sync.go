package wecomsync

import (
	"context"
	"errors"
	"slices"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/wecom"
)

// Progress reports a full sync as it goes.
type Progress struct {
	Phase string // tags, members, contacts, groups
	Done  int
	Total int
}

// SyncResult counts what a full sync saw and changed.
type SyncResult struct {
	Accounts int           `json:"accounts"`
	Departed int           `json:"departed"` // accounts no longer in WeCom's follow-user list: deactivated, their tasks rehomed
	Contacts int           `json:"contacts"`
	Ended    int           `json:"ended"` // contacts the store had live that WeCom no longer has
	Groups   int           `json:"groups"`
	Tags     int           `json:"tags"`
	Resumed  bool          `json:"resumed"`
	Elapsed  time.Duration `json:"elapsed_ns"`
}

// membersPerBatch is how many members one batch/get_by_user walk covers
// (WeCom's limit) and the unit of checkpointing.
const membersPerBatch = wecom.MaxBatchUserIDs

// checkpointTTL is how old an interrupted sync may be and still be resumed
// rather than started over.
const checkpointTTL = 24 * time.Hour

// FullSync reads everything WeCom has for the workspace: the tag library,
// the members with customer contact, every member's customers (cursor by
// cursor, rate limited by the client, one request at a time: never one
// goroutine per customer) and every group. It also reconciles: a contact the
// store has live that WeCom no longer lists (a missed del callback) is ended.
// After each batch of members it saves a checkpoint, so a sync interrupted by
// a crash resumes where it stopped; re-applying a batch is harmless because
// every write is an upsert.
func (s *Service) FullSync(ctx context.Context, ws int64, progress func(Progress)) (SyncResult, error) {
	start := time.Now()
	var res SyncResult
	// One sync of a workspace at a time, across nodes: a second one would
	// read the first one's checkpoint as an interruption.
	unlock, ok, err := s.st.TryLock(ctx, store.LockWeComSync, ws)
	if err != nil {
		return res, err
	}
	if !ok {
		return res, ErrSyncRunning
	}
	defer unlock()
	report := func(p Progress) {
		if progress != nil {
			progress(p)
		}
	}
	client, _, err := s.Client(ctx, ws)
	if err != nil {
		return res, err
	}
	tagGroups, err := client.GetCorpTagList(ctx, wecom.GetCorpTagListRequest{})
	if err != nil {
		return res, err
	}
	tagByID := map[string]siyu.Tag{}
	var tags []siyu.Tag
	for _, g := range tagGroups {
		for _, t := range g.Tag {
			if !g.Deleted && !t.Deleted {
				tag := siyu.Tag{Name: t.Name, GroupName: g.GroupName, WeComTagID: t.ID}
				tagByID[t.ID] = tag
				tags = append(tags, tag)
			}
		}
	}
	if err := s.st.UpsertTags(ctx, ws, tags); err != nil {
		return res, err
	}
	res.Tags = len(tags)
	report(Progress{Phase: "tags", Done: len(tags), Total: len(tags)})

	members, err := client.GetFollowUserList(ctx)
	if err != nil {
		return res, err
	}
	slices.Sort(members)
	for _, m := range members {
		if err := s.ensureAccount(ctx, ws, m); err != nil {
			return res, err
		}
	}
	res.Accounts = len(members)
	if res.Departed, err = s.deactivateDeparted(ctx, ws, members); err != nil {
		return res, err
	}

	first, started, ok, err := s.st.SyncCheckpoint(ctx, ws)
	if err != nil {
		return res, err
	}
	if !ok || time.Since(started) > checkpointTTL {
		first, started = 0, time.Now()
	} else {
		res.Resumed = first > 0
	}
	batches := (len(members) + membersPerBatch - 1) / membersPerBatch
	for b := first; b < batches; b++ {
		batch := members[b*membersPerBatch : min((b+1)*membersPerBatch, len(members))]
		n, ended, err := s.syncMembers(ctx, ws, client, batch, tagByID, !res.Resumed && batches == 1)
		if err != nil {
			return res, err
		}
		res.Contacts += n
		res.Ended += ended
		if err := s.st.SaveSyncCheckpoint(ctx, ws, b+1, started); err != nil {
			return res, err
		}
		report(Progress{Phase: "contacts", Done: b + 1, Total: batches})
	}

	for ref, err := range client.GroupChats(ctx, wecom.GroupChatListRequest{Limit: 1000}) {
		if err != nil {
			return res, err
		}
		if err := s.syncGroup(ctx, ws, ref.ChatID); err != nil {
			return res, err
		}
		res.Groups++
		if res.Groups%50 == 0 {
			report(Progress{Phase: "groups", Done: res.Groups})
		}
	}
	report(Progress{Phase: "groups", Done: res.Groups, Total: res.Groups})
	if err := s.st.ClearSyncCheckpoint(ctx, ws); err != nil {
		return res, err
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// syncMembers walks the customers of a batch of members and ends the
// relationships the store has that WeCom no longer lists.
//
// removeTags says the batch covers every member, so WeCom tags no contact
// carries any more can be removed from customers.
func (s *Service) syncMembers(ctx context.Context, ws int64, client *wecom.Client, members []string, tagByID map[string]siyu.Tag, removeTags bool) (int, int, error) {
	// The relationships live before the walk are the candidates for
	// ending: one added while the walk runs (its callback handled after the
	// walk read its member's page) is not among them, and is not taken for
	// one whose delete callback was missed.
	live, err := s.st.LiveContacts(ctx, ws)
	if err != nil {
		return 0, 0, err
	}
	seen := map[[2]string]bool{}
	var pending []store.ContactInput
	tagged := map[string][]siyu.Tag{} // external_userid -> corp tags on it
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		_, err := s.st.UpsertContacts(ctx, ws, pending)
		pending = pending[:0]
		return err
	}
	n := 0
	for cf, err := range client.ExternalContactsByUser(ctx, members, wecom.MaxBatchLimit) {
		if err != nil {
			return n, 0, err
		}
		f := cf.FollowInfo
		follow := &wecom.FollowUser{UserID: f.UserID, Remark: f.Remark, CreateTime: f.CreateTime, RemarkMobiles: f.RemarkMobiles, State: f.State}
		pending = append(pending, contactInput(f.UserID, cf.ExternalContact, follow))
		seen[[2]string{f.UserID, cf.ExternalContact.ExternalUserID}] = true
		ext := cf.ExternalContact.ExternalUserID
		if _, ok := tagged[ext]; !ok {
			tagged[ext] = nil
		}
		for _, id := range f.TagID {
			if tag, ok := tagByID[id]; ok {
				tagged[ext] = append(tagged[ext], tag)
			}
		}
		n++
		if len(pending) == 500 {
			if err := flush(); err != nil {
				return n, 0, err
			}
		}
	}
	if err := flush(); err != nil {
		return n, 0, err
	}
	if err := s.st.SyncWeComTags(ctx, ws, tagged, removeTags); err != nil {
		return n, 0, err
	}
	now := time.Now()
	current, err := s.st.LiveContacts(ctx, ws)
	if err != nil {
		return n, 0, err
	}
	inBatch := map[string]bool{}
	for _, m := range members {
		inBatch[m] = true
	}
	ended := 0
	for pair := range live {
		if inBatch[pair[0]] && !seen[pair] && current[pair] {
			if err := s.st.EndContact(ctx, ws, pair[0], pair[1], now, DeletedBySync); err != nil {
				return n, ended, err
			}
			ended++
		}
	}
	return n, ended, nil
}

// ErrSyncRunning is returned when another full sync of the workspace is
// under way (on this node or another).
var ErrSyncRunning = errors.New("a full sync of this workspace is already running")

// DeletedBySync marks a relationship found gone by reconciliation: a del
// callback was missed, so who ended it is unknown.
const DeletedBySync = "sync"
