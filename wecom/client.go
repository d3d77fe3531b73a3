package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxResponseBytes bounds a response body; the largest documented answers
// (a page of 100 contacts with profiles) are far smaller.
const maxResponseBytes = 16 << 20

// Config configures a Client.
type Config struct {
	BaseURL    string       // default DefaultBaseURL; point it at the emulator in tests
	CorpID     string       // required
	Secret     string       // the secret of the app (customer contact or self-built app); required
	HTTPClient *http.Client // default: a client with a 30 s timeout
	Limiter    Limiter      // default: an in-process TokenBucket at DefaultPerMinute
	Logger     *slog.Logger // default: discard
	Tokens     *TokenCache  // default: DefaultTokenCache
	Retry      RetryPolicy
}

// RetryPolicy bounds the retries of a call that failed with a retryable
// errcode (45009, 45033, -1, 41096), an HTTP 5xx or a transport error. The
// delay doubles from BaseDelay up to MaxDelay, with jitter.
type RetryPolicy struct {
	MaxAttempts int           // total attempts, default 4
	BaseDelay   time.Duration // default 250 ms
	MaxDelay    time.Duration // default 8 s
}

// Client calls the WeCom API for one app of one corp. It is safe for
// concurrent use.
type Client struct {
	base    string
	corpID  string
	secret  string
	http    *http.Client
	limiter Limiter
	log     *slog.Logger
	tokens  *TokenCache
	retry   RetryPolicy
	sleep   func(ctx context.Context, d time.Duration) error
}

// defaultLimiter is shared by clients that do not name one, so that the
// per-corp budget is per process, not per client.
var defaultLimiter = NewTokenBucket(TokenBucketConfig{})

// NewClient returns a client. It does not call WeCom.
func NewClient(cfg Config) (*Client, error) {
	if cfg.CorpID == "" {
		return nil, errors.New("wecom: Config.CorpID is required")
	}
	if cfg.Secret == "" {
		return nil, errors.New("wecom: Config.Secret is required")
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("wecom: Config.BaseURL %q is not an http(s) URL", cfg.BaseURL)
	}
	c := &Client{
		base:    base,
		corpID:  cfg.CorpID,
		secret:  cfg.Secret,
		http:    cfg.HTTPClient,
		limiter: cfg.Limiter,
		log:     cfg.Logger,
		tokens:  cfg.Tokens,
		retry:   cfg.Retry,
		sleep:   sleepCtx,
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: 30 * time.Second}
	}
	if c.limiter == nil {
		c.limiter = defaultLimiter
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.tokens == nil {
		c.tokens = DefaultTokenCache
	}
	if c.retry.MaxAttempts <= 0 {
		c.retry.MaxAttempts = 4
	}
	if c.retry.BaseDelay <= 0 {
		c.retry.BaseDelay = 250 * time.Millisecond
	}
	if c.retry.MaxDelay <= 0 {
		c.retry.MaxDelay = 8 * time.Second
	}
	return c, nil
}

// CorpID is the corp this client calls for.
func (c *Client) CorpID() string { return c.corpID }

func (c *Client) tokenKey() tokenKey { return tokenKey{c.base, c.corpID, c.secret} }

// AccessToken returns a valid access token, from the cache when it can.
func (c *Client) AccessToken(ctx context.Context) (string, error) {
	return c.tokens.get(ctx, c.tokenKey(), c.fetchToken)
}

func (c *Client) fetchToken(ctx context.Context) (string, time.Duration, error) {
	q := url.Values{QueryCorpID: {c.corpID}, QueryCorpSecret: {c.secret}}
	var resp GetTokenResponse
	// A credential error (40001, 40013, 40091) is not retryable, so it is
	// never repeated here; see TokenCache for why that matters.
	if err := c.callWithRetry(ctx, http.MethodGet, PathGetToken, q, nil, &resp, true); err != nil {
		return "", 0, err
	}
	if resp.AccessToken == "" {
		return "", 0, &APIError{Code: ErrCodeSystemBusy, Msg: "gettoken returned no access_token", Path: PathGetToken}
	}
	ttl := time.Duration(resp.ExpiresIn) * time.Second
	if ttl <= 0 {
		ttl = 7200 * time.Second
	}
	c.log.Debug("wecom access token fetched", "corp_id", c.corpID, "expires_in", resp.ExpiresIn)
	return resp.AccessToken, ttl, nil
}

// get calls a GET endpoint; GETs are always safe to retry.
func (c *Client) get(ctx context.Context, path string, q url.Values, out envelope) error {
	return c.call(ctx, http.MethodGet, path, q, nil, out, true)
}

// post calls a POST endpoint. idempotent says whether sending the same body
// twice does no harm; only then is a transport error or 5xx retried (the
// first attempt may have been carried out).
func (c *Client) post(ctx context.Context, path string, body any, out envelope, idempotent bool) error {
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("wecom %s: encode request: %w", path, err)
	}
	return c.call(ctx, http.MethodPost, path, nil, b, out, idempotent)
}

// call adds the access token and retries once with a new token when WeCom
// says the token is invalid or expired.
func (c *Client) call(ctx context.Context, method, path string, q url.Values, body []byte, out envelope, idempotent bool) error {
	for attempt := 0; ; attempt++ {
		tok, err := c.AccessToken(ctx)
		if err != nil {
			return err
		}
		qq := url.Values{}
		for k, v := range q {
			qq[k] = v
		}
		qq.Set(QueryAccessToken, tok)
		err = c.callWithRetry(ctx, method, path, qq, body, out, idempotent)
		if attempt == 0 && IsTokenError(err) {
			c.log.Info("wecom access token rejected, fetching a new one", "corp_id", c.corpID, "path", path, "errcode", ErrorCode(err))
			c.tokens.invalidate(c.tokenKey(), tok)
			continue
		}
		return err
	}
}

// callWithRetry sends one request, pacing with the limiter and backing off
// on retryable failures.
func (c *Client) callWithRetry(ctx context.Context, method, path string, q url.Values, body []byte, out envelope, idempotent bool) error {
	var err error
	for attempt := 1; ; attempt++ {
		if err := c.limiter.Wait(ctx, c.corpID, path); err != nil {
			return err
		}
		var sent bool
		sent, err = c.roundTrip(ctx, method, path, q, body, out)
		if err == nil || attempt >= c.retry.MaxAttempts || !c.shouldRetry(err, sent, idempotent) {
			return err
		}
		d := c.backoff(attempt)
		c.log.Warn("wecom call failed, retrying", "corp_id", c.corpID, "path", path, "attempt", attempt, "delay", d, "err", err)
		if err := c.sleep(ctx, d); err != nil {
			return err
		}
	}
}

func (c *Client) shouldRetry(err error, sent, idempotent bool) bool {
	if IsRetryable(err) {
		return true
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status >= 500 && idempotent
	}
	var te *transportError
	if errors.As(err, &te) {
		return idempotent || !sent
	}
	return false
}

// backoff is the delay after the attempt-th failure: exponential with
// jitter in [d/2, d].
func (c *Client) backoff(attempt int) time.Duration {
	d := c.retry.BaseDelay << (attempt - 1)
	if d <= 0 || d > c.retry.MaxDelay {
		d = c.retry.MaxDelay
	}
	return d/2 + rand.N(d/2+1)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// transportError is a failure to get an answer. It never includes the URL,
// which carries the access token or the secret.
type transportError struct {
	path string
	err  error
}

func (e *transportError) Error() string { return fmt.Sprintf("wecom %s: %v", e.path, e.err) }
func (e *transportError) Unwrap() error { return e.err }

// roundTrip sends one request and decodes the answer into out. sent reports
// whether the request may have reached WeCom (false for dial failures).
func (c *Client) roundTrip(ctx context.Context, method, path string, q url.Values, body []byte, out envelope) (sent bool, err error) {
	u := c.base + path + "?" + q.Encode()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return false, fmt.Errorf("wecom %s: %w", path, redact(err))
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	req.Header.Set("Accept", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		return !isDialError(err), &transportError{path: path, err: redact(err)}
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxResponseBytes+1))
	if err != nil {
		if ctx.Err() != nil {
			return true, ctx.Err()
		}
		return true, &transportError{path: path, err: redact(err)}
	}
	if len(data) > maxResponseBytes {
		return true, fmt.Errorf("wecom %s: response larger than %d bytes", path, maxResponseBytes)
	}
	var head Response
	headErr := json.Unmarshal(data, &head)
	if res.StatusCode != http.StatusOK {
		if headErr == nil && head.ErrCode != 0 {
			return true, &APIError{Code: head.ErrCode, Msg: head.ErrMsg, Path: path}
		}
		return true, &HTTPError{Status: res.StatusCode, Path: path}
	}
	if headErr != nil {
		return true, fmt.Errorf("wecom %s: response is not JSON: %w", path, headErr)
	}
	if head.ErrCode != 0 {
		return true, &APIError{Code: head.ErrCode, Msg: head.ErrMsg, Path: path}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return true, fmt.Errorf("wecom %s: decode response: %w", path, err)
	}
	return true, nil
}

// redact strips the URL (with its access_token or corpsecret) from errors
// of net/http.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

func isDialError(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial"
}
