package wecom

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"siyu.dev/siyu/wecom/wxcrypt"
)

// Receiver defaults.
const (
	DefaultMaxSkew      = 5 * time.Minute
	DefaultMaxBodyBytes = 64 << 10
)

// ReceiverOptions tunes a Receiver. Zero values take the defaults.
type ReceiverOptions struct {
	// MaxSkew is how far the timestamp of a callback may be from now, in
	// either direction. Default DefaultMaxSkew.
	MaxSkew time.Duration
	// ReplayGuard remembers the callbacks taken. Default: a
	// MemoryReplayGuard of DefaultReplayCapacity.
	ReplayGuard ReplayGuard
	// MaxBodyBytes bounds a POST body. Default DefaultMaxBodyBytes.
	MaxBodyBytes int64
	Logger       *slog.Logger
	Now          func() time.Time
}

// EventHandler handles one decrypted callback event. An error makes the
// Receiver answer 500, so that WeCom retries (3 tries in all).
type EventHandler func(ctx context.Context, ev Event) error

// Receiver is the http.Handler for a WeCom callback URL. GET answers the
// URL verification with the decrypted echostr; POST checks the timestamp,
// the signature and replays, decrypts the event and calls the handler.
// Answers other than 200 carry no detail; the reason is logged.
type Receiver struct {
	crypt   *wxcrypt.Crypt
	handler EventHandler
	skew    time.Duration
	guard   ReplayGuard
	// handled remembers the events handled in this process, so that a
	// retry of one (WeCom retries when an answer was slow) is answered as
	// a success and WeCom stops; a retry while the first delivery is still
	// being handled gets 409, so that WeCom comes back if that one fails.
	handled *MemoryReplayGuard
	maxBody int64
	log     *slog.Logger
	now     func() time.Time
}

// NewReceiver returns a Receiver. It panics if crypt or handler is nil.
func NewReceiver(crypt *wxcrypt.Crypt, handler EventHandler, opts ReceiverOptions) *Receiver {
	if crypt == nil || handler == nil {
		panic("wecom: NewReceiver needs a crypt and a handler")
	}
	r := &Receiver{
		crypt:   crypt,
		handler: handler,
		skew:    opts.MaxSkew,
		guard:   opts.ReplayGuard,
		maxBody: opts.MaxBodyBytes,
		log:     opts.Logger,
		now:     opts.Now,
	}
	if r.skew <= 0 {
		r.skew = DefaultMaxSkew
	}
	if r.guard == nil {
		r.guard = NewMemoryReplayGuard(0)
	}
	r.handled = NewMemoryReplayGuard(0)
	if r.maxBody <= 0 {
		r.maxBody = DefaultMaxBodyBytes
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.now == nil {
		r.now = time.Now
	}
	return r
}

// ServeHTTP implements http.Handler.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		rc.verifyURL(w, r)
	case http.MethodPost:
		rc.receive(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		rc.reject(w, r, http.StatusMethodNotAllowed, "method not allowed")
	}
}

// reject answers with a bare status and logs why.
func (rc *Receiver) reject(w http.ResponseWriter, r *http.Request, status int, reason string, args ...any) {
	rc.log.Warn("wecom callback rejected", append([]any{"status", status, "reason", reason, "remote", r.RemoteAddr}, args...)...)
	http.Error(w, http.StatusText(status), status)
}

// checkTimestamp rejects callbacks outside the skew window.
func (rc *Receiver) checkTimestamp(ts string) (int, string) {
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return http.StatusBadRequest, "timestamp missing or not a number"
	}
	d := rc.now().Sub(time.Unix(n, 0))
	if d > rc.skew || d < -rc.skew {
		return http.StatusForbidden, "timestamp outside the accepted window"
	}
	return 0, ""
}

func (rc *Receiver) verifyURL(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sig, ts, nonce, echo := q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), q.Get("echostr")
	if sig == "" || nonce == "" || echo == "" {
		rc.reject(w, r, http.StatusBadRequest, "missing msg_signature, nonce or echostr")
		return
	}
	if status, reason := rc.checkTimestamp(ts); status != 0 {
		rc.reject(w, r, status, reason, "timestamp", ts)
		return
	}
	// Base64 has no spaces: a space is a '+' that was not percent-encoded.
	echo = strings.ReplaceAll(echo, " ", "+")
	msg, err := rc.crypt.VerifyURL(sig, ts, nonce, echo)
	if err != nil {
		rc.reject(w, r, statusFor(err), "URL verification failed", "err", err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(msg)
}

func statusFor(err error) int {
	if errors.Is(err, wxcrypt.ErrInvalidSignature) || errors.Is(err, wxcrypt.ErrReceiveIDMismatch) {
		return http.StatusForbidden
	}
	return http.StatusBadRequest
}

func (rc *Receiver) receive(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sig, ts, nonce := q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce")
	if sig == "" || nonce == "" {
		rc.reject(w, r, http.StatusBadRequest, "missing msg_signature or nonce")
		return
	}
	if status, reason := rc.checkTimestamp(ts); status != 0 {
		rc.reject(w, r, status, reason, "timestamp", ts)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, rc.maxBody+1))
	if err != nil {
		rc.reject(w, r, http.StatusBadRequest, "reading body failed", "err", err)
		return
	}
	if int64(len(body)) > rc.maxBody {
		rc.reject(w, r, http.StatusRequestEntityTooLarge, "body too large")
		return
	}
	plain, err := rc.crypt.DecryptMessage(sig, ts, nonce, body)
	if err != nil {
		rc.reject(w, r, statusFor(err), "decrypting the callback failed", "err", err)
		return
	}
	ev, err := ParseEvent(plain)
	if err != nil {
		rc.reject(w, r, http.StatusBadRequest, "event XML is malformed", "err", err)
		return
	}

	ctx := r.Context()
	ttl := 2 * rc.skew // a request cannot be accepted again once its timestamp leaves the window
	reqKey := "wecom:req:" + sig + ":" + ts + ":" + nonce
	evKey := "wecom:event:" + eventIdentity(ev)
	if ok, err := rc.guard.Claim(ctx, reqKey, ttl); err != nil {
		rc.reject(w, r, http.StatusServiceUnavailable, "replay guard failed", "err", err)
		return
	} else if !ok {
		rc.duplicate(w, r, evKey, "replayed request")
		return
	}
	if ok, err := rc.guard.Claim(ctx, evKey, ttl); err != nil || !ok {
		// Forget this request, so that WeCom's retry with the same
		// parameters is judged again once the first delivery settles.
		rc.release(reqKey)
		if err != nil {
			rc.reject(w, r, http.StatusServiceUnavailable, "replay guard failed", "err", err)
		} else {
			rc.duplicate(w, r, evKey, "event already received", "event", ev.Event, "change_type", ev.ChangeType)
		}
		return
	}

	handled := false
	defer func() {
		if !handled { // the handler failed or panicked: let WeCom retry
			rc.release(reqKey)
			rc.release(evKey)
		}
	}()
	if err := rc.handler(ctx, ev); err != nil {
		rc.log.Error("wecom callback handler failed", "event", ev.Event, "change_type", ev.ChangeType, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	handled = true
	rc.handled.Claim(ctx, evKey, ttl)
	w.WriteHeader(http.StatusOK)
}

// duplicate answers a callback whose event was taken already: 200 when it
// was handled (nothing is done again), 409 while it is still being handled.
func (rc *Receiver) duplicate(w http.ResponseWriter, r *http.Request, evKey string, msg string, args ...any) {
	if !rc.handled.Holds(evKey) {
		rc.reject(w, r, http.StatusConflict, msg, args...)
		return
	}
	rc.log.DebugContext(r.Context(), "wecom callback: "+msg+"; handled before, answered as done", args...)
	w.WriteHeader(http.StatusOK)
}

func (rc *Receiver) release(key string) {
	// Use a fresh context: the request's may already be cancelled, and a
	// claim left behind would turn WeCom's retry into a "replay".
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rc.guard.Release(ctx, key); err != nil {
		rc.log.Error("wecom replay guard release failed", "err", err)
	}
}

// eventIdentity is a digest of every field of ev: WeCom's retries of one
// event carry the same content (including CreateTime) under new
// signatures.
func eventIdentity(ev Event) string {
	b, _ := json.Marshal(ev) // a struct of strings and ints always encodes
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
