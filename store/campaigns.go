package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"siyu.dev/siyu"
)

// Campaign statuses.
const (
	CampaignDraft     = "draft"
	CampaignPlanned   = "planned"
	CampaignLaunching = "launching" // handing deliveries to dispatch; a relaunch resumes
	CampaignLaunched  = "launched"
)

// Campaign audiences.
const (
	AudienceSegment = "segment" // Ref is the saved segment's id
	AudienceTag     = "tag"     // Ref is the tag's name
	AudienceAll     = "all"     // every live customer
)

// Campaign is a message to an audience through one channel at one time.
type Campaign struct {
	ID              int64             `json:"id"`
	WorkspaceID     int64             `json:"workspace_id"`
	Name            string            `json:"name"`
	Status          string            `json:"status"`
	AudienceKind    string            `json:"audience_kind"`
	AudienceRef     string            `json:"audience_ref,omitempty"`
	Channel         siyu.ReachChannel `json:"channel"`
	Variants        []CampaignVariant `json:"variants"`
	HoldoutPct      int               `json:"holdout_pct"`
	SendAt          time.Time         `json:"send_at"`
	AttributionDays int               `json:"attribution_days"`
	Plan            json.RawMessage   `json:"plan,omitempty"` // the latest plan's summary
	PlannedAt       *time.Time        `json:"planned_at,omitempty"`
	LaunchedAt      *time.Time        `json:"launched_at,omitempty"`
	CreatedBy       string            `json:"created_by,omitempty"`
	CreatedAt       time.Time         `json:"created_at"`
}

// CampaignVariant is one version of the message with its share of the
// audience (weights are relative).
type CampaignVariant struct {
	Name    string       `json:"name"`
	Weight  int          `json:"weight"`
	Message siyu.Message `json:"message"`
}

// CreateCampaign stores a new draft campaign; the caller has validated it.
func (s *Store) CreateCampaign(ctx context.Context, workspaceID int64, c Campaign) (Campaign, error) {
	variants, err := json.Marshal(c.Variants)
	if err != nil {
		return c, err
	}
	c.WorkspaceID, c.Status = workspaceID, CampaignDraft
	c.CreatedAt = s.now().UTC().Truncate(time.Millisecond)
	c.SendAt = c.SendAt.UTC().Truncate(time.Millisecond)
	err = s.write(ctx, 0, func(t *tx) error {
		return t.queryRow(ctx, `INSERT INTO campaigns (workspace_id, name, status, audience_kind, audience_ref, channel, variants, holdout_pct,
			send_at, attribution_days, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			workspaceID, c.Name, c.Status, c.AudienceKind, c.AudienceRef, string(c.Channel), string(variants), c.HoldoutPct,
			ms(c.SendAt), c.AttributionDays, c.CreatedBy, ms(c.CreatedAt), ms(c.CreatedAt)).Scan(&c.ID)
	})
	return c, err
}

const campaignColumns = `id, workspace_id, name, status, audience_kind, audience_ref, channel, variants, holdout_pct, send_at,
	attribution_days, plan, planned_at, launched_at, created_by, created_at`

func scanCampaign(r scanner) (Campaign, error) {
	var c Campaign
	var variants, plan string
	var sendAt, created int64
	var planned, launched sql.NullInt64
	if err := r.Scan(&c.ID, &c.WorkspaceID, &c.Name, &c.Status, &c.AudienceKind, &c.AudienceRef, &c.Channel, &variants, &c.HoldoutPct,
		&sendAt, &c.AttributionDays, &plan, &planned, &launched, &c.CreatedBy, &created); err != nil {
		return c, notFound(err)
	}
	if err := json.Unmarshal([]byte(variants), &c.Variants); err != nil {
		return c, fmt.Errorf("campaign %d: variants: %w", c.ID, err)
	}
	if plan != "" {
		c.Plan = json.RawMessage(plan)
	}
	c.SendAt, c.CreatedAt = fromMS(sendAt), fromMS(created)
	c.PlannedAt, c.LaunchedAt = fromNullMS(planned), fromNullMS(launched)
	return c, nil
}

// Campaign returns a campaign of the workspace.
func (s *Store) Campaign(ctx context.Context, workspaceID, id int64) (Campaign, error) {
	return scanCampaign(s.queryRow(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE id = ? AND workspace_id = ?`, id, workspaceID))
}

// Campaigns lists the workspace's campaigns, newest first.
func (s *Store) Campaigns(ctx context.Context, workspaceID int64) ([]Campaign, error) {
	rows, err := s.query(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE workspace_id = ? ORDER BY created_at DESC, id DESC`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Campaign{}
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CampaignRecipient is one person a campaign's plan looked at.
type CampaignRecipient struct {
	CustomerID     int64
	Variant        string
	AccountID      int64
	ExternalUserID string
	Reason         siyu.SkipReason // "" receives; SkipHoldout: control group
	RetryAt        time.Time       // quiet hours: when it goes
}

// ClearCampaignRecipients forgets a campaign's previous plan before a new
// one. A launching or launched campaign keeps its plan.
func (s *Store) ClearCampaignRecipients(ctx context.Context, workspaceID, campaignID int64) error {
	return s.write(ctx, workspaceID, func(t *tx) error {
		var status string
		if err := t.queryRow(ctx, `SELECT status FROM campaigns WHERE id = ? AND workspace_id = ?`, campaignID, workspaceID).Scan(&status); err != nil {
			return notFound(err)
		}
		if status == CampaignLaunching || status == CampaignLaunched {
			return fmt.Errorf("campaign %d is %s: its plan is final: %w", campaignID, status, siyu.ErrConflict)
		}
		_, err := t.exec(ctx, `DELETE FROM campaign_recipients WHERE campaign_id = ? AND workspace_id = ?`, campaignID, workspaceID)
		return err
	})
}

// AddCampaignRecipients stores a batch of a plan.
func (s *Store) AddCampaignRecipients(ctx context.Context, workspaceID, campaignID int64, rs []CampaignRecipient) error {
	rows := make([][]any, len(rs))
	for i, r := range rs {
		var account, retry any
		if r.AccountID != 0 {
			account = r.AccountID
		}
		if !r.RetryAt.IsZero() {
			retry = ms(r.RetryAt)
		}
		rows[i] = []any{workspaceID, campaignID, r.CustomerID, r.Variant, account, r.ExternalUserID, string(r.Reason), retry}
	}
	return s.write(ctx, workspaceID, func(t *tx) error {
		return t.insertRows(ctx, "campaign_recipients", []string{"workspace_id", "campaign_id", "customer_id", "variant", "account_id", "external_userid", "reason", "retry_at"}, rows, "")
	})
}

// SaveCampaignPlan records the summary of a finished plan.
func (s *Store) SaveCampaignPlan(ctx context.Context, workspaceID, campaignID int64, summary []byte, at time.Time) error {
	res, err := s.exec(ctx, `UPDATE campaigns SET plan = ?, planned_at = ?, updated_at = ?,
		status = CASE WHEN status = ? THEN ? ELSE status END WHERE id = ? AND workspace_id = ?`,
		string(summary), ms(at), ms(at), CampaignDraft, CampaignPlanned, campaignID, workspaceID)
	return oneRow(res, err)
}

// StartCampaignLaunch moves a campaign to launching and returns the status
// it had: a launched campaign stays launched, and a launching one (a launch
// cut short) is resumed.
func (s *Store) StartCampaignLaunch(ctx context.Context, workspaceID, campaignID int64, at time.Time) (string, error) {
	var before string
	err := s.write(ctx, workspaceID, func(t *tx) error {
		if err := t.queryRow(ctx, `SELECT status FROM campaigns WHERE id = ? AND workspace_id = ?`, campaignID, workspaceID).Scan(&before); err != nil {
			return notFound(err)
		}
		if before == CampaignLaunched || before == CampaignLaunching {
			return nil
		}
		_, err := t.exec(ctx, `UPDATE campaigns SET status = ?, launched_at = ?, updated_at = ? WHERE id = ?`, CampaignLaunching, ms(at), ms(at), campaignID)
		return err
	})
	return before, err
}

// FinishCampaignLaunch marks a campaign launched.
func (s *Store) FinishCampaignLaunch(ctx context.Context, workspaceID, campaignID int64, at time.Time) error {
	res, err := s.exec(ctx, `UPDATE campaigns SET status = ?, updated_at = ? WHERE id = ? AND workspace_id = ?`, CampaignLaunched, ms(at), campaignID, workspaceID)
	return oneRow(res, err)
}

// PendingRecipient is a planned recipient not yet handed to dispatch, with
// what personalises the message.
type PendingRecipient struct {
	CampaignRecipient
	Sender   string
	Name     string
	Province string
	City     string
}

// PendingCampaignRecipients returns up to limit recipients who receive
// (now or after quiet hours) and were not handed to dispatch yet, with
// customer ids above after, in id order.
func (s *Store) PendingCampaignRecipients(ctx context.Context, workspaceID, campaignID, after int64, limit int) ([]PendingRecipient, error) {
	rows, err := s.query(ctx, `SELECT r.customer_id, r.variant, COALESCE(r.account_id, 0), r.external_userid, r.reason, r.retry_at,
		COALESCE(a.wecom_userid, ''), c.name, c.province, c.city
		FROM campaign_recipients r JOIN customers c ON c.id = r.customer_id LEFT JOIN accounts a ON a.id = r.account_id
		WHERE r.campaign_id = ? AND r.workspace_id = ? AND r.reason IN ('', ?) AND r.enqueued_at IS NULL AND r.customer_id > ?
		ORDER BY r.customer_id LIMIT ?`, campaignID, workspaceID, string(siyu.SkipQuietHours), after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PendingRecipient
	for rows.Next() {
		var p PendingRecipient
		var retry sql.NullInt64
		if err := rows.Scan(&p.CustomerID, &p.Variant, &p.AccountID, &p.ExternalUserID, &p.Reason, &retry, &p.Sender, &p.Name, &p.Province, &p.City); err != nil {
			return nil, err
		}
		if retry.Valid {
			p.RetryAt = fromMS(retry.Int64)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// MarkCampaignEnqueued records that recipients were handed to dispatch.
func (s *Store) MarkCampaignEnqueued(ctx context.Context, workspaceID, campaignID int64, customers []int64, at time.Time) error {
	return s.write(ctx, workspaceID, func(t *tx) error {
		return chunks(customers, 1000, func(part []int64) error {
			_, err := t.exec(ctx, `UPDATE campaign_recipients SET enqueued_at = ? WHERE campaign_id = ? AND workspace_id = ? AND customer_id IN (`+
				placeholders(len(part))+`)`, append([]any{ms(at), campaignID, workspaceID}, int64Args(part)...)...)
			return err
		})
	})
}

// CampaignOutcome is the conversions of one group of a campaign's
// recipients: a variant's receivers or the holdout.
type CampaignOutcome struct {
	Variant    string
	Holdout    bool
	Recipients int
	Converted  int      // recipients with a paid order in the window
	Revenue    siyu.Fen // net paid in the window
}

// CampaignOutcomes counts, per variant and for the holdout group, the
// recipients who paid an order in [from, to), and what they paid.
func (s *Store) CampaignOutcomes(ctx context.Context, workspaceID, campaignID int64, from, to time.Time) ([]CampaignOutcome, error) {
	inWindow := `FROM orders o WHERE o.customer_id = r.customer_id AND o.workspace_id = r.workspace_id AND o.paid_at >= ? AND o.paid_at < ? AND o.status IN ` + paidStatuses
	rows, err := s.query(ctx, `SELECT variant, holdout, COUNT(*), SUM(converted), COALESCE(SUM(revenue), 0) FROM (
		SELECT r.variant, CASE WHEN r.reason = ? THEN 1 ELSE 0 END AS holdout,
		  CASE WHEN EXISTS (SELECT 1 `+inWindow+`) THEN 1 ELSE 0 END AS converted,
		  (SELECT SUM(o.amount - o.refund) `+inWindow+`) AS revenue
		FROM campaign_recipients r WHERE r.campaign_id = ? AND r.workspace_id = ? AND r.reason IN ('', ?, ?)) x
		GROUP BY variant, holdout ORDER BY holdout, variant`,
		string(siyu.SkipHoldout), ms(from), ms(to), ms(from), ms(to), campaignID, workspaceID,
		string(siyu.SkipQuietHours), string(siyu.SkipHoldout))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CampaignOutcome
	for rows.Next() {
		var o CampaignOutcome
		var holdout int
		if err := rows.Scan(&o.Variant, &holdout, &o.Recipients, &o.Converted, &o.Revenue); err != nil {
			return nil, err
		}
		o.Holdout = holdout == 1
		out = append(out, o)
	}
	return out, rows.Err()
}

// TagMembers streams the live customers carrying a tag, by id.
func (s *Store) TagMembers(ctx context.Context, workspaceID int64, tag string, fn func(customerID int64) error) error {
	return s.streamAudience(ctx, fn, `SELECT ct.customer_id FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id JOIN customers c ON c.id = ct.customer_id
		WHERE t.workspace_id = ? AND t.name = ? AND c.merged_into IS NULL ORDER BY ct.customer_id`, workspaceID, tag)
}

// AllCustomers streams every live customer id of the workspace.
func (s *Store) AllCustomers(ctx context.Context, workspaceID int64, fn func(customerID int64) error) error {
	return s.streamAudience(ctx, fn, `SELECT id FROM customers WHERE workspace_id = ? AND merged_into IS NULL ORDER BY id`, workspaceID)
}

func (s *Store) streamAudience(ctx context.Context, fn func(int64) error, q string, args ...any) error {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var id, last int64
	for rows.Next() {
		if err := rows.Scan(&id); err != nil {
			return err
		}
		if id == last {
			continue
		}
		last = id
		if err := fn(id); err != nil {
			return err
		}
	}
	return rows.Err()
}

// campaignKey is the idempotency key of a campaign's delivery to a person.
func CampaignKey(campaignID, customerID int64) string {
	return "campaign:" + strconv.FormatInt(campaignID, 10) + ":customer:" + strconv.FormatInt(customerID, 10)
}
