package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"siyu.dev/siyu"
)

// Moment post statuses: a moment campaign's one post to customers' moments
// (客户朋友圈) goes draft → pending (launched) → submitting (marked before
// add_moment_task) → submitted (jobid known) → posted (moment_id known,
// results polled) → done; or failed.
const (
	MomentDraft      = "draft"
	MomentPending    = "pending"
	MomentSubmitting = "submitting"
	MomentSubmitted  = "submitted"
	MomentPosted     = "posted"
	MomentDone       = "done"
	MomentFailed     = "failed"
)

// MomentOptions are what an operator chooses for a moment campaign.
type MomentOptions struct {
	// Senders are the WeCom userids of the accounts that post it; none
	// means every active account holding a live contact of the audience.
	Senders []string `json:"senders,omitempty"`
	// Tags (Siyu tag names that are WeCom corp tags) restrict who sees it
	// to customers carrying one of them; none means all of the senders'
	// customers.
	Tags []string `json:"tags,omitempty"`
	// Topic is written into the moment.liked and moment.commented events
	// (props.topic), so that segments and interest tags can count them.
	Topic string `json:"topic,omitempty"`
	// LinkMediaID is the uploaded cover image of a link card: WeCom's
	// moments take a media id there, not a URL.
	LinkMediaID string `json:"link_media_id,omitempty"`
}

// MomentSender is an account that posts a moment.
type MomentSender struct {
	AccountID int64  `json:"account_id"`
	Sender    string `json:"sender"`
}

// MomentPost is what a moment campaign posts, fixed at launch. Senders are
// narrowed to the ones the policy admitted when the post is marked
// submitting.
type MomentPost struct {
	Variant     string         `json:"variant"`
	Message     siyu.Message   `json:"message"`
	Senders     []MomentSender `json:"senders"`
	TagIDs      []string       `json:"tag_ids,omitempty"` // WeCom corp tag ids
	Topic       string         `json:"topic,omitempty"`
	LinkMediaID string         `json:"link_media_id,omitempty"`
}

// MomentSenderResult is one sender's part of a posted moment as WeCom last
// reported it.
type MomentSenderResult struct {
	Sender    string `json:"sender"`
	Published bool   `json:"published"`
	Visible   int    `json:"visible"` // customers in the visible range WeCom chose
	Reached   int    `json:"reached"` // customers it was delivered to
	Likes     int    `json:"likes"`
	Comments  int    `json:"comments"`
}

// CampaignMoment is a moment campaign's post and where it stands.
type CampaignMoment struct {
	CampaignID   int64                `json:"campaign_id"`
	WorkspaceID  int64                `json:"workspace_id"`
	Options      MomentOptions        `json:"options"`
	Status       string               `json:"status"`
	Post         *MomentPost          `json:"post,omitempty"`
	SubmittingAt time.Time            `json:"submitting_at,omitzero"`
	JobID        string               `json:"jobid,omitempty"`
	MomentID     string               `json:"moment_id,omitempty"`
	Results      []MomentSenderResult `json:"results,omitempty"`
	Error        string               `json:"error,omitempty"`
}

// CreateMomentCampaign stores a new draft campaign of the moment channel
// with its options, in one transaction; the caller has validated both.
func (s *Store) CreateMomentCampaign(ctx context.Context, workspaceID int64, c Campaign, opt MomentOptions) (Campaign, error) {
	variants, err := json.Marshal(c.Variants)
	if err != nil {
		return c, err
	}
	options, err := json.Marshal(opt)
	if err != nil {
		return c, err
	}
	c.WorkspaceID, c.Status, c.Channel = workspaceID, CampaignDraft, siyu.ReachMoment
	c.CreatedAt = s.now().UTC().Truncate(time.Millisecond)
	c.SendAt = c.SendAt.UTC().Truncate(time.Millisecond)
	err = s.write(ctx, workspaceID, func(t *tx) error {
		if err := t.queryRow(ctx, `INSERT INTO campaigns (workspace_id, name, status, audience_kind, audience_ref, channel, variants, holdout_pct,
			send_at, attribution_days, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			workspaceID, c.Name, c.Status, c.AudienceKind, c.AudienceRef, string(c.Channel), string(variants), c.HoldoutPct,
			ms(c.SendAt), c.AttributionDays, c.CreatedBy, ms(c.CreatedAt), ms(c.CreatedAt)).Scan(&c.ID); err != nil {
			return err
		}
		_, err := t.exec(ctx, `INSERT INTO campaign_moments (campaign_id, workspace_id, options, status, updated_at) VALUES (?, ?, ?, ?, ?)`,
			c.ID, workspaceID, string(options), MomentDraft, ms(t.now))
		return err
	})
	return c, err
}

// CampaignMoment returns a moment campaign's post. It reads from the writer
// so that a worker sees what the last step committed.
func (s *Store) CampaignMoment(ctx context.Context, workspaceID, campaignID int64) (CampaignMoment, error) {
	m := CampaignMoment{CampaignID: campaignID, WorkspaceID: workspaceID}
	var options, post, results string
	var submitting sql.NullInt64
	err := s.queryRowW(ctx, `SELECT options, status, post, submitting_at, jobid, moment_id, results, error FROM campaign_moments
		WHERE workspace_id = ? AND campaign_id = ?`, workspaceID, campaignID).
		Scan(&options, &m.Status, &post, &submitting, &m.JobID, &m.MomentID, &results, &m.Error)
	if err != nil {
		return m, notFound(err)
	}
	if err := json.Unmarshal([]byte(options), &m.Options); err != nil {
		return m, fmt.Errorf("campaign %d: moment options: %w", campaignID, err)
	}
	if post != "" {
		m.Post = new(MomentPost)
		if err := json.Unmarshal([]byte(post), m.Post); err != nil {
			return m, fmt.Errorf("campaign %d: moment post: %w", campaignID, err)
		}
	}
	if results != "" {
		if err := json.Unmarshal([]byte(results), &m.Results); err != nil {
			return m, fmt.Errorf("campaign %d: moment results: %w", campaignID, err)
		}
	}
	if submitting.Valid {
		m.SubmittingAt = fromMS(submitting.Int64)
	}
	return m, nil
}

// moveMoment changes a post's status from one to another, failing with
// siyu.ErrConflict when it is not in from any more (another worker moved
// it on).
func (t *tx) moveMoment(ctx context.Context, ws, campaignID int64, from, set string, args ...any) error {
	res, err := t.exec(ctx, `UPDATE campaign_moments SET `+set+`, updated_at = ? WHERE workspace_id = ? AND campaign_id = ? AND status = ?`,
		append(args, ms(t.now), ws, campaignID, from)...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			err = fmt.Errorf("%w: the moment of campaign %d is not %s", siyu.ErrConflict, campaignID, from)
		}
		return err
	}
	return nil
}

// StartMomentPost fixes a draft moment campaign's post and enqueues job to
// post it, in one transaction. A post already started is left as it is (the
// job is enqueued only if missing), so launching again does nothing.
func (s *Store) StartMomentPost(ctx context.Context, workspaceID, campaignID int64, post MomentPost, job NewJob) error {
	body, err := json.Marshal(post)
	if err != nil {
		return err
	}
	return s.write(ctx, workspaceID, func(t *tx) error {
		if _, err := t.exec(ctx, `UPDATE campaign_moments SET status = ?, post = ?, updated_at = ? WHERE workspace_id = ? AND campaign_id = ? AND status = ?`,
			MomentPending, string(body), ms(t.now), workspaceID, campaignID, MomentDraft); err != nil {
			return err
		}
		_, err := t.enqueueJobs(ctx, workspaceID, []NewJob{job})
		return err
	})
}

// MarkMomentSubmitting records the senders the policy admitted and marks a
// pending post submitting at at, committed before add_moment_task is called.
func (s *Store) MarkMomentSubmitting(ctx context.Context, workspaceID, campaignID int64, post MomentPost, at time.Time) error {
	body, err := json.Marshal(post)
	if err != nil {
		return err
	}
	return s.write(ctx, workspaceID, func(t *tx) error {
		return t.moveMoment(ctx, workspaceID, campaignID, MomentPending, `status = ?, post = ?, submitting_at = ?, error = ''`,
			MomentSubmitting, string(body), ms(at))
	})
}

// ReleaseMoment puts a submitting post back to pending after WeCom refused
// add_moment_task (so no job was created).
func (s *Store) ReleaseMoment(ctx context.Context, workspaceID, campaignID int64, cause error) error {
	return s.write(ctx, workspaceID, func(t *tx) error {
		return t.moveMoment(ctx, workspaceID, campaignID, MomentSubmitting, `status = ?, submitting_at = NULL, error = ?`, MomentPending, errText(cause))
	})
}

// MomentSubmitted records the jobid of add_moment_task.
func (s *Store) MomentSubmitted(ctx context.Context, workspaceID, campaignID int64, jobID string) error {
	return s.write(ctx, workspaceID, func(t *tx) error {
		return t.moveMoment(ctx, workspaceID, campaignID, MomentSubmitting, `status = ?, jobid = ?`, MomentSubmitted, jobID)
	})
}

// MomentPosted records the moment WeCom made (from its job, or found again
// after a crash) for a post in from.
func (s *Store) MomentPosted(ctx context.Context, workspaceID, campaignID int64, from, momentID string) error {
	return s.write(ctx, workspaceID, func(t *tx) error {
		return t.moveMoment(ctx, workspaceID, campaignID, from, `status = ?, moment_id = ?, error = ''`, MomentPosted, momentID)
	})
}

// FinishMoment moves a post from one status to done or failed.
func (s *Store) FinishMoment(ctx context.Context, workspaceID, campaignID int64, from, to string, cause error) error {
	return s.write(ctx, workspaceID, func(t *tx) error {
		return t.moveMoment(ctx, workspaceID, campaignID, from, `status = ?, error = ?`, to, errText(cause))
	})
}

// MomentIDTaken reports whether a campaign of the workspace already owns
// momentID.
func (s *Store) MomentIDTaken(ctx context.Context, workspaceID int64, momentID string) (bool, error) {
	var n int
	err := s.queryRowW(ctx, `SELECT COUNT(*) FROM campaign_moments WHERE workspace_id = ? AND moment_id = ?`, workspaceID, momentID).Scan(&n)
	return n > 0, err
}

// SaveMomentResults stores the latest counts of each sender.
func (s *Store) SaveMomentResults(ctx context.Context, workspaceID, campaignID int64, results []MomentSenderResult) error {
	body, err := json.Marshal(results)
	if err != nil {
		return err
	}
	res, err := s.exec(ctx, `UPDATE campaign_moments SET results = ?, updated_at = ? WHERE workspace_id = ? AND campaign_id = ?`,
		string(body), ms(s.now()), workspaceID, campaignID)
	return oneRow(res, err)
}

// Kinds of moment interactions.
const (
	MomentLike    = "like"
	MomentComment = "comment"
)

// MomentInteraction is a like or a comment of a customer on a sender's post
// of a moment.
type MomentInteraction struct {
	ExternalUserID string
	Kind           string // MomentLike or MomentComment
	At             time.Time
}

// RecordMomentInteractions turns the likes and comments of one sender's
// post into events for the customers (siyu.EventMomentLiked,
// siyu.EventMomentComment, with props campaign_id, moment_id, sender and
// topic), each once however often they are reported: what was recorded
// before is skipped, in the same transaction as the events. An
// external_userid that is no contact of the sender's account is skipped
// (and looked at again next time). It returns how many events it added.
func (s *Store) RecordMomentInteractions(ctx context.Context, workspaceID, campaignID int64, momentID, sender, topic string, xs []MomentInteraction) (int, error) {
	if len(xs) == 0 {
		return 0, nil
	}
	added := 0
	err := s.write(ctx, workspaceID, func(t *tx) error {
		type seenKey struct {
			ext, kind string
			at        int64
		}
		seen := map[seenKey]bool{}
		rows, err := t.query(ctx, `SELECT external_userid, kind, at FROM moment_interactions WHERE workspace_id = ? AND moment_id = ? AND sender = ?`,
			workspaceID, momentID, sender)
		if err != nil {
			return err
		}
		for rows.Next() {
			var k seenKey
			if err := rows.Scan(&k.ext, &k.kind, &k.at); err != nil {
				rows.Close()
				return err
			}
			seen[k] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		customers := map[string]int64{}
		var fresh []MomentInteraction
		for _, x := range xs {
			k := seenKey{x.ExternalUserID, x.Kind, ms(x.At)}
			if seen[k] || x.ExternalUserID == "" || (x.Kind != MomentLike && x.Kind != MomentComment) {
				continue
			}
			seen[k] = true
			if _, ok := customers[x.ExternalUserID]; !ok {
				var id int64
				err := t.queryRow(ctx, `SELECT c.customer_id FROM contacts c JOIN accounts a ON a.id = c.account_id
					WHERE c.workspace_id = ? AND a.wecom_userid = ? AND c.external_userid = ? ORDER BY c.added_at DESC LIMIT 1`,
					workspaceID, sender, x.ExternalUserID).Scan(&id)
				if err != nil && err != sql.ErrNoRows {
					return err
				}
				if id != 0 {
					if id, err = t.root(ctx, id); err != nil {
						return err
					}
				}
				customers[x.ExternalUserID] = id
			}
			if customers[x.ExternalUserID] != 0 {
				fresh = append(fresh, x)
			}
		}
		if len(fresh) == 0 {
			return nil
		}
		ids, err := t.newIDs(ctx, "events", len(fresh))
		if err != nil {
			return err
		}
		var events, seenRows [][]any
		for i, x := range fresh {
			customer := customers[x.ExternalUserID]
			typ := siyu.EventMomentLiked
			if x.Kind == MomentComment {
				typ = siyu.EventMomentComment
			}
			props, _ := json.Marshal(map[string]any{"campaign_id": campaignID, "moment_id": momentID, "sender": sender, "topic": topic})
			events = append(events, []any{ids[i], workspaceID, customer, typ, "wecom", ms(x.At), string(props)})
			seenRows = append(seenRows, []any{workspaceID, momentID, sender, x.ExternalUserID, x.Kind, ms(x.At), customer})
		}
		if err := t.insertRows(ctx, "moment_interactions", []string{"workspace_id", "moment_id", "sender", "external_userid", "kind", "at", "customer_id"},
			seenRows, " ON CONFLICT DO NOTHING"); err != nil {
			return err
		}
		if err := t.insertRows(ctx, "events", []string{"id", "workspace_id", "customer_id", "type", "source", "occurred_at", "props"}, events, ""); err != nil {
			return err
		}
		added = len(fresh)
		return nil
	})
	return added, err
}

// MomentVisible counts, per account, the live contacts who can see a moment
// the account posts: all of them, or with tags only those carrying one of
// the tags (Siyu's copy of the corp tags, so the count is an estimate).
func (s *Store) MomentVisible(ctx context.Context, workspaceID int64, accounts []int64, tags []string) (map[int64]int, error) {
	out := map[int64]int{}
	if len(accounts) == 0 {
		return out, nil
	}
	q := `SELECT c.account_id, COUNT(*) FROM contacts c WHERE c.workspace_id = ? AND c.deleted_at IS NULL AND c.account_id IN (` + placeholders(len(accounts)) + `)`
	args := append([]any{workspaceID}, int64Args(accounts)...)
	if len(tags) > 0 {
		q += ` AND EXISTS (SELECT 1 FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id
			WHERE ct.customer_id = c.customer_id AND t.workspace_id = ? AND t.name IN (` + placeholders(len(tags)) + `))`
		args = append(args, workspaceID)
		for _, tg := range tags {
			args = append(args, tg)
		}
	}
	rows, err := s.query(ctx, q+` GROUP BY c.account_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}
