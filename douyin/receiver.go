package douyin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// DefaultMaxBodyBytes bounds a webhook body.
const DefaultMaxBodyBytes = 64 << 10

// Deduper remembers the deliveries taken, by Msg-Id. Douyin retries a
// delivery (3 times, after a 5 s timeout) with the same Msg-Id, so a
// shared implementation (the database) makes each event handled once
// across nodes.
type Deduper interface {
	// Claim records msgID and reports whether it was new.
	Claim(ctx context.Context, msgID string) (bool, error)
	// Release forgets msgID after a failed handling, so the retry is taken.
	Release(ctx context.Context, msgID string) error
}

// Handler handles one verified, new event. An error makes the Receiver
// answer 500 so that Douyin retries.
type Handler func(ctx context.Context, ev Event) error

// ReceiverOptions tunes a Receiver.
type ReceiverOptions struct {
	Dedupe       Deduper // default: a MemoryDeduper (one node only)
	MaxBodyBytes int64   // default DefaultMaxBodyBytes
	Logger       *slog.Logger
}

// Receiver is the http.Handler of the webhook URL. It checks
// X-Douyin-Signature over the raw body, answers verify_webhook with the
// challenge, drops deliveries already taken (answering 200 so that Douyin
// stops retrying) and hands the rest to the handler. Rejections carry no
// detail; the reason is logged.
type Receiver struct {
	secret  string
	handler Handler
	dedupe  Deduper
	maxBody int64
	log     *slog.Logger
}

// NewReceiver returns a Receiver for the app with clientSecret. It panics
// if the secret or the handler is missing.
func NewReceiver(clientSecret string, h Handler, opts ReceiverOptions) *Receiver {
	if clientSecret == "" || h == nil {
		panic("douyin: NewReceiver needs the client secret and a handler")
	}
	r := &Receiver{secret: clientSecret, handler: h, dedupe: opts.Dedupe, maxBody: opts.MaxBodyBytes, log: opts.Logger}
	if r.dedupe == nil {
		r.dedupe = NewMemoryDeduper()
	}
	if r.maxBody <= 0 {
		r.maxBody = DefaultMaxBodyBytes
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	return r
}

func (rc *Receiver) reject(w http.ResponseWriter, r *http.Request, status int, reason string, args ...any) {
	rc.log.Warn("douyin webhook rejected", append([]any{"status", status, "reason", reason, "remote", r.RemoteAddr}, args...)...)
	http.Error(w, http.StatusText(status), status)
}

// ServeHTTP implements http.Handler.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		rc.reject(w, r, http.StatusMethodNotAllowed, "method not allowed")
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
	if !VerifySignature(rc.secret, body, r.Header.Get(HeaderSignature)) {
		rc.reject(w, r, http.StatusUnauthorized, "signature missing or wrong")
		return
	}
	ev, err := ParseEvent(body)
	if err != nil {
		rc.reject(w, r, http.StatusBadRequest, "malformed event", "err", err)
		return
	}
	if ev.Event == EventVerifyWebhook {
		ch, err := ev.Challenge()
		if err != nil {
			rc.reject(w, r, http.StatusBadRequest, "malformed challenge", "err", err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(VerifyContent{Challenge: ch})
		return
	}
	ev.MsgID = r.Header.Get(HeaderMsgID)
	key := ev.MsgID
	if key == "" { // not expected; a digest still catches a byte-identical retry
		sum := sha256.Sum256(body)
		key = "body:" + hex.EncodeToString(sum[:])
	}
	ctx := r.Context()
	fresh, err := rc.dedupe.Claim(ctx, key)
	if err != nil {
		rc.reject(w, r, http.StatusServiceUnavailable, "dedupe failed", "err", err)
		return
	}
	if !fresh {
		rc.log.Info("douyin webhook already taken", "msg_id", key, "event", ev.Event)
		w.WriteHeader(http.StatusOK)
		return
	}
	handled := false
	defer func() {
		if !handled {
			rc.release(key)
		}
	}()
	if err := rc.handler(ctx, ev); err != nil {
		rc.log.Error("douyin webhook handler failed", "event", ev.Event, "msg_id", key, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	handled = true
	w.WriteHeader(http.StatusOK)
}

func (rc *Receiver) release(key string) {
	// The request's context may be cancelled already; a claim left behind
	// would make Douyin's retry look like a duplicate.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rc.dedupe.Release(ctx, key); err != nil {
		rc.log.Error("douyin dedupe release failed", "err", err)
	}
}

// MemoryDeduper is an in-process Deduper that forgets ids after a day;
// Douyin's retries come within minutes.
type MemoryDeduper struct {
	mu   sync.Mutex
	seen map[string]time.Time
	now  func() time.Time
}

// NewMemoryDeduper returns an empty MemoryDeduper.
func NewMemoryDeduper() *MemoryDeduper {
	return &MemoryDeduper{seen: map[string]time.Time{}, now: time.Now}
}

// Claim implements Deduper.
func (d *MemoryDeduper) Claim(_ context.Context, msgID string) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	if len(d.seen) > 100000 {
		for k, t := range d.seen {
			if now.Sub(t) > 24*time.Hour {
				delete(d.seen, k)
			}
		}
	}
	if t, ok := d.seen[msgID]; ok && now.Sub(t) <= 24*time.Hour {
		return false, nil
	}
	d.seen[msgID] = now
	return true, nil
}

// Release implements Deduper.
func (d *MemoryDeduper) Release(_ context.Context, msgID string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.seen, msgID)
	return nil
}
