package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"siyu.dev/siyu"
)

// Where a customer's tag came from (customer_tags.source). Keyword rules
// write "rule:<id>"; WeCom sync writes "wecom"; channel codes
// "channel_code".
const (
	TagSourceManual = "manual"
	TagSourceWeCom  = "wecom"
)

// RuleTagSource is the source a keyword rule's tags carry.
func RuleTagSource(ruleID int64) string { return "rule:" + strconv.FormatInt(ruleID, 10) }

// MaxTagNameLen is the longest tag name, in characters.
const MaxTagNameLen = 64

// TagInfo is a tag with how many (live) customers carry it.
type TagInfo struct {
	siyu.Tag
	// PushWeCom says the tag is mirrored to WeCom as a corp tag even though
	// it was made in Siyu. Tags with a WeComTagID are mirrored anyway.
	PushWeCom bool `json:"push_wecom"`
	Customers int  `json:"customers"`
}

// SyncsToWeCom reports whether putting the tag on a customer is also done
// in WeCom.
func (t TagInfo) SyncsToWeCom() bool { return t.WeComTagID != "" || t.PushWeCom }

// CustomerTag is a tag on a customer with where it came from.
type CustomerTag struct {
	siyu.Tag
	Source    string    `json:"source"`
	CreatedAt time.Time `json:"created_at"`
}

func cleanTagName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > MaxTagNameLen {
		return "", fmt.Errorf("%w: tag name must be 1..%d characters", siyu.ErrInvalid, MaxTagNameLen)
	}
	return name, nil
}

const tagColumns = `t.id, t.workspace_id, t.name, t.group_name, t.wecom_tag_id, t.push_wecom`

func scanTagInfo(r scanner, extra ...any) (TagInfo, error) {
	var t TagInfo
	var push int
	err := r.Scan(append([]any{&t.ID, &t.WorkspaceID, &t.Name, &t.GroupName, &t.WeComTagID, &push}, extra...)...)
	t.PushWeCom = push != 0
	return t, err
}

// Tags lists a workspace's tags by group and name, each with the number of
// customers (not merged away) that carry it.
func (s *Store) Tags(ctx context.Context, workspaceID int64) ([]TagInfo, error) {
	rows, err := s.query(ctx, `SELECT `+tagColumns+`, COUNT(c.id) FROM tags t
		LEFT JOIN customer_tags ct ON ct.tag_id = t.id
		LEFT JOIN customers c ON c.id = ct.customer_id AND c.merged_into IS NULL
		WHERE t.workspace_id = ? GROUP BY t.id, t.workspace_id, t.name, t.group_name, t.wecom_tag_id, t.push_wecom
		ORDER BY t.group_name, t.name`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []TagInfo{}
	for rows.Next() {
		var n int
		t, err := scanTagInfo(rows, &n)
		if err != nil {
			return nil, err
		}
		t.Customers = n
		out = append(out, t)
	}
	return out, rows.Err()
}

// TagByName returns a workspace's tag.
func (s *Store) TagByName(ctx context.Context, workspaceID int64, name string) (TagInfo, error) {
	t, err := scanTagInfo(s.queryRow(ctx, `SELECT `+tagColumns+` FROM tags t WHERE t.workspace_id = ? AND t.name = ?`, workspaceID, strings.TrimSpace(name)))
	return t, notFound(err)
}

// CreateTag makes a tag. A name the workspace has already is a conflict.
func (s *Store) CreateTag(ctx context.Context, workspaceID int64, tag siyu.Tag, pushWeCom bool) (TagInfo, error) {
	name, err := cleanTagName(tag.Name)
	if err != nil {
		return TagInfo{}, err
	}
	group := strings.TrimSpace(tag.GroupName)
	if len([]rune(group)) > MaxTagNameLen {
		return TagInfo{}, fmt.Errorf("%w: tag group name must be at most %d characters", siyu.ErrInvalid, MaxTagNameLen)
	}
	out := TagInfo{Tag: siyu.Tag{WorkspaceID: workspaceID, Name: name, GroupName: group}, PushWeCom: pushWeCom}
	err = s.write(ctx, workspaceID, func(t *tx) error {
		return t.queryRow(ctx, `INSERT INTO tags (workspace_id, name, group_name, push_wecom) VALUES (?, ?, ?, ?) RETURNING id`,
			workspaceID, name, group, boolInt(pushWeCom)).Scan(&out.ID)
	})
	if isUnique(err) {
		return out, fmt.Errorf("%w: tag %q exists", siyu.ErrConflict, name)
	}
	return out, err
}

// SetTagWeComID records the corp tag a Siyu tag became in WeCom.
func (s *Store) SetTagWeComID(ctx context.Context, workspaceID, tagID int64, wecomTagID string) error {
	res, err := s.exec(ctx, `UPDATE tags SET wecom_tag_id = ? WHERE id = ? AND workspace_id = ?`, wecomTagID, tagID, workspaceID)
	return oneRow(res, err)
}

// CustomerTags lists a customer's tags with their sources.
func (s *Store) CustomerTags(ctx context.Context, workspaceID, customerID int64) ([]CustomerTag, error) {
	rows, err := s.query(ctx, `SELECT t.id, t.workspace_id, t.name, t.group_name, t.wecom_tag_id, ct.source, ct.created_at
		FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id
		WHERE ct.customer_id = ? AND t.workspace_id = ? ORDER BY t.group_name, t.name`, customerID, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []CustomerTag{}
	for rows.Next() {
		var ct CustomerTag
		var created int64
		if err := rows.Scan(&ct.ID, &ct.WorkspaceID, &ct.Name, &ct.GroupName, &ct.WeComTagID, &ct.Source, &created); err != nil {
			return nil, err
		}
		ct.CreatedAt = fromMS(created)
		out = append(out, ct)
	}
	return out, rows.Err()
}

// AddCustomerTag puts a tag on a customer (an operator's act: source
// "manual", or another source given). The tag is created when the
// workspace does not have it. It reports whether the customer did not have
// the tag before. When the tag is mirrored to WeCom and the customer is
// someone's contact, pushing it there is queued in the same transaction.
func (s *Store) AddCustomerTag(ctx context.Context, workspaceID, customerID int64, tagName, source string) (bool, error) {
	name, err := cleanTagName(tagName)
	if err != nil {
		return false, err
	}
	if source == "" {
		source = TagSourceManual
	}
	added := false
	err = s.write(ctx, workspaceID, func(t *tx) error {
		root, err := t.customerInWorkspace(ctx, workspaceID, customerID)
		if err != nil {
			return err
		}
		tag, err := t.ensureTagInfo(ctx, workspaceID, name)
		if err != nil {
			return err
		}
		added, err = t.tagCustomer(ctx, workspaceID, root, tag, source)
		return err
	})
	return added, err
}

// RemoveCustomerTag takes a tag off a customer, whatever put it there. It
// reports whether the customer had it. A tag mirrored to WeCom is queued
// for removal there too.
func (s *Store) RemoveCustomerTag(ctx context.Context, workspaceID, customerID int64, tagName string) (bool, error) {
	removed := false
	err := s.write(ctx, workspaceID, func(t *tx) error {
		root, err := t.customerInWorkspace(ctx, workspaceID, customerID)
		if err != nil {
			return err
		}
		tag, err := scanTagInfo(t.queryRow(ctx, `SELECT `+tagColumns+` FROM tags t WHERE t.workspace_id = ? AND t.name = ?`, workspaceID, strings.TrimSpace(tagName)))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		removed, err = t.untagCustomer(ctx, workspaceID, root, tag)
		return err
	})
	return removed, err
}

// ensureTagInfo returns the workspace's tag of that name, creating it.
func (t *tx) ensureTagInfo(ctx context.Context, ws int64, name string) (TagInfo, error) {
	if _, err := t.exec(ctx, `INSERT INTO tags (workspace_id, name) VALUES (?, ?) ON CONFLICT (workspace_id, name) DO NOTHING`, ws, name); err != nil {
		return TagInfo{}, err
	}
	return scanTagInfo(t.queryRow(ctx, `SELECT `+tagColumns+` FROM tags t WHERE t.workspace_id = ? AND t.name = ?`, ws, name))
}

// tagCustomer puts tag on the (live) customer and queues the WeCom push.
func (t *tx) tagCustomer(ctx context.Context, ws, customer int64, tag TagInfo, source string) (bool, error) {
	res, err := t.exec(ctx, `INSERT INTO customer_tags (customer_id, tag_id, source, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (customer_id, tag_id) DO NOTHING`,
		customer, tag.ID, source, ms(t.now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, err
	}
	return true, t.queueTagPush(ctx, ws, customer, tag)
}

func (t *tx) untagCustomer(ctx context.Context, ws, customer int64, tag TagInfo) (bool, error) {
	res, err := t.exec(ctx, `DELETE FROM customer_tags WHERE customer_id = ? AND tag_id = ?`, customer, tag.ID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, err
	}
	return true, t.queueTagPush(ctx, ws, customer, tag)
}

// JobWeComMarkTag is the job kind that makes WeCom's corp tags of one
// customer's contacts match Siyu for one tag. The job carries no add or
// remove: the worker reads whether the customer has the tag when it runs,
// so jobs done out of order or twice still leave WeCom right.
const JobWeComMarkTag = "wecom.mark_tag"

// TagPushPayload is the payload of a JobWeComMarkTag job.
type TagPushPayload struct {
	CustomerID int64 `json:"customer_id"`
	TagID      int64 `json:"tag_id"`
}

// queueTagPush queues the WeCom side of a tag change, when the tag is
// mirrored, the workspace has WeCom and the customer is a live contact.
// Every change gets its own job (the key carries the time and a counter),
// so a change made while an earlier push is done or queued is not lost.
func (t *tx) queueTagPush(ctx context.Context, ws, customer int64, tag TagInfo) error {
	if !tag.SyncsToWeCom() {
		return nil
	}
	var n int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM wecom_apps WHERE workspace_id = ?`, ws).Scan(&n); err != nil || n == 0 {
		return err
	}
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM contacts WHERE workspace_id = ? AND customer_id = ? AND deleted_at IS NULL`, ws, customer).Scan(&n); err != nil || n == 0 {
		return err
	}
	payload, err := json.Marshal(TagPushPayload{CustomerID: customer, TagID: tag.ID})
	if err != nil {
		return err
	}
	key := fmt.Sprintf("c%d:t%d:%d:%d", customer, tag.ID, t.now.UnixNano(), tagPushSeq.Add(1))
	_, err = t.enqueueJobs(ctx, ws, []NewJob{{Kind: JobWeComMarkTag, Key: key, Payload: payload, MaxAttempts: 12}})
	return err
}

// tagPushSeq tells apart pushes queued in the same nanosecond.
var tagPushSeq atomic.Int64

// TagPush is what a JobWeComMarkTag job needs: the tag, whether the
// customer has it now, and the customer's live contacts.
type TagPush struct {
	Tag      TagInfo
	Has      bool
	Contacts [][2]string // (account userid, external_userid)
}

// TagPushTarget reads the current state of a queued tag push. A customer
// merged since the job was queued is followed to the survivor.
func (s *Store) TagPushTarget(ctx context.Context, workspaceID int64, p TagPushPayload) (TagPush, error) {
	var out TagPush
	tag, err := scanTagInfo(s.queryRow(ctx, `SELECT `+tagColumns+` FROM tags t WHERE t.id = ? AND t.workspace_id = ?`, p.TagID, workspaceID))
	if err != nil {
		return out, notFound(err)
	}
	out.Tag = tag
	customer, err := s.rootOf(ctx, workspaceID, p.CustomerID)
	if err != nil {
		return out, err
	}
	var n int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM customer_tags WHERE customer_id = ? AND tag_id = ?`, customer, tag.ID).Scan(&n); err != nil {
		return out, err
	}
	out.Has = n > 0
	rows, err := s.query(ctx, `SELECT a.wecom_userid, c.external_userid FROM contacts c JOIN accounts a ON a.id = c.account_id
		WHERE c.workspace_id = ? AND c.customer_id = ? AND c.deleted_at IS NULL ORDER BY c.id`, workspaceID, customer)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var pair [2]string
		if err := rows.Scan(&pair[0], &pair[1]); err != nil {
			return out, err
		}
		out.Contacts = append(out.Contacts, pair)
	}
	return out, rows.Err()
}

// rootOf follows merges from a customer of the workspace to the live one.
func (s *Store) rootOf(ctx context.Context, ws, id int64) (int64, error) {
	for range 64 {
		var next *int64
		if err := s.queryRow(ctx, `SELECT merged_into FROM customers WHERE id = ? AND workspace_id = ?`, id, ws).Scan(&next); err != nil {
			return 0, notFound(err)
		}
		if next == nil {
			return id, nil
		}
		id = *next
	}
	return 0, fmt.Errorf("customer %d: merge chain too long", id)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
