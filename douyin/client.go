package douyin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxResponseBytes bounds an answer; a page of 50 comments is a few KB.
const maxResponseBytes = 4 << 20

// TokenSource returns the user access token of the business account. The
// OAuth flow that obtains and refreshes it is outside this package.
type TokenSource func(ctx context.Context) (string, error)

// StaticToken is a TokenSource of one token.
func StaticToken(token string) TokenSource {
	return func(context.Context) (string, error) { return token, nil }
}

// Config configures a Client.
type Config struct {
	BaseURL    string       // default DefaultBaseURL; point it at the emulator in tests
	OpenID     string       // the business account's open_id; required
	Token      TokenSource  // required
	HTTPClient *http.Client // default: a client with a 10 s timeout
}

// Client calls the Douyin open platform for one business account. It is
// safe for concurrent use.
type Client struct {
	base   string
	openID string
	token  TokenSource
	http   *http.Client
}

// NewClient returns a client. It does not call Douyin.
func NewClient(cfg Config) (*Client, error) {
	if cfg.OpenID == "" {
		return nil, errors.New("douyin: Config.OpenID is required")
	}
	if cfg.Token == nil {
		return nil, errors.New("douyin: Config.Token is required")
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("douyin: Config.BaseURL %q is not an http(s) URL", cfg.BaseURL)
	}
	c := &Client{base: base, openID: cfg.OpenID, token: cfg.Token, http: cfg.HTTPClient}
	if c.http == nil {
		c.http = &http.Client{Timeout: 10 * time.Second}
	}
	return c, nil
}

// OpenID is the account this client calls for.
func (c *Client) OpenID() string { return c.openID }

func checkCount(count int) error {
	if count < 1 || count > MaxPageCount {
		return fmt.Errorf("douyin: count %d: must be 1..%d", count, MaxPageCount)
	}
	return nil
}

// ListComments reads a page of the comments on a video, newest first.
func (c *Client) ListComments(ctx context.Context, itemID string, cursor int64, count int) (CommentList, error) {
	var out Response[CommentList]
	if itemID == "" {
		return out.Data, errors.New("douyin: item_id is required")
	}
	if err := checkCount(count); err != nil {
		return out.Data, err
	}
	q := url.Values{QueryItemID: {itemID}, QueryCursor: {strconv.FormatInt(cursor, 10)}, QueryCount: {strconv.Itoa(count)}}
	err := c.call(ctx, http.MethodGet, PathCommentList, q, nil, &out)
	return out.Data, err
}

// ListCommentReplies reads a page of the replies to a comment.
func (c *Client) ListCommentReplies(ctx context.Context, itemID, commentID string, cursor int64, count int) (CommentList, error) {
	var out Response[CommentList]
	if itemID == "" || commentID == "" {
		return out.Data, errors.New("douyin: item_id and comment_id are required")
	}
	if err := checkCount(count); err != nil {
		return out.Data, err
	}
	q := url.Values{QueryItemID: {itemID}, QueryCommentID: {commentID}, QueryCursor: {strconv.FormatInt(cursor, 10)}, QueryCount: {strconv.Itoa(count)}}
	err := c.call(ctx, http.MethodGet, PathCommentReplyList, q, nil, &out)
	return out.Data, err
}

// ReplyComment replies to a comment as the account and returns the new
// comment's id. It is not retried: a second attempt could post twice.
func (c *Client) ReplyComment(ctx context.Context, req ReplyCommentRequest) (string, error) {
	var out Response[ReplyCommentData]
	if req.ItemID == "" || strings.TrimSpace(req.Content) == "" {
		return "", errors.New("douyin: item_id and content are required")
	}
	err := c.call(ctx, http.MethodPost, PathCommentReply, nil, req, &out)
	return out.Data.CommentID, err
}

// SendIM replies to a user's private message. Not retried, like
// ReplyComment.
func (c *Client) SendIM(ctx context.Context, req IMSendRequest) (string, error) {
	var out Response[IMSendData]
	if req.MsgID == "" || req.ConversationID == "" || req.ToUserID == "" {
		return "", errors.New("douyin: msg_id, conversation_id and to_user_id are required")
	}
	if req.Scene == "" {
		req.Scene = SceneIMReply
	}
	err := c.call(ctx, http.MethodPost, PathIMSend, nil, req, &out)
	return out.Data.MsgID, err
}

// ListFans reads a page of the account's most recent fans.
func (c *Client) ListFans(ctx context.Context, cursor int64, count int) (FansList, error) {
	var out Response[FansList]
	if err := checkCount(count); err != nil {
		return out.Data, err
	}
	q := url.Values{QueryCursor: {strconv.FormatInt(cursor, 10)}, QueryCount: {strconv.Itoa(count)}}
	err := c.call(ctx, http.MethodGet, PathFansList, q, nil, &out)
	return out.Data, err
}

// call sends one request and decodes the envelope into out. A GET is
// tried once more after system busy or a 5xx.
func (c *Client) call(ctx context.Context, method, path string, q url.Values, body any, out any) error {
	var payload []byte
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("douyin %s: encode request: %w", path, err)
		}
		payload = b
	}
	if q == nil {
		q = url.Values{}
	}
	q.Set(QueryOpenID, c.openID)
	attempts := 1
	if method == http.MethodGet {
		attempts = 2
	}
	var err error
	for i := 0; i < attempts; i++ {
		err = c.roundTrip(ctx, method, path, q, payload, out)
		var he *HTTPError
		retry := ErrorCode(err) == ErrCodeSystemBusy || (errors.As(err, &he) && he.Status >= 500)
		if err == nil || !retry || ctx.Err() != nil {
			return err
		}
	}
	return err
}

func (c *Client) roundTrip(ctx context.Context, method, path string, q url.Values, payload []byte, out any) error {
	tok, err := c.token(ctx)
	if err != nil {
		return fmt.Errorf("douyin %s: access token: %w", path, err)
	}
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path+"?"+q.Encode(), rd)
	if err != nil {
		return fmt.Errorf("douyin %s: %w", path, err)
	}
	req.Header.Set(HeaderAccessToken, tok)
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var ue *url.Error
		if errors.As(err, &ue) { // the URL carries no secret, but keep errors short
			err = ue.Err
		}
		return fmt.Errorf("douyin %s: %w", path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return fmt.Errorf("douyin %s: read answer: %w", path, err)
	}
	if len(data) > maxResponseBytes {
		return fmt.Errorf("douyin %s: answer larger than %d bytes", path, maxResponseBytes)
	}
	var head Response[Result]
	headErr := json.Unmarshal(data, &head)
	if headErr == nil {
		if e := apiError(path, head); e != nil {
			return e
		}
	}
	if resp.StatusCode != http.StatusOK {
		return &HTTPError{Status: resp.StatusCode, Path: path}
	}
	if headErr != nil {
		return fmt.Errorf("douyin %s: answer is not JSON: %w", path, headErr)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("douyin %s: decode answer: %w", path, err)
	}
	return nil
}

// apiError reads the error of an envelope: data.error_code, or
// extra.error_code when data carries none.
func apiError(path string, head Response[Result]) error {
	code, desc := head.Data.ErrorCode, head.Data.Description
	if code == 0 {
		code, desc = head.Extra.ErrorCode, head.Extra.Description
	}
	if code == 0 {
		return nil
	}
	return &APIError{Code: code, SubCode: head.Extra.SubErrorCode, Description: desc, LogID: head.Extra.LogID, Path: path}
}
