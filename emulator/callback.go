package emulator

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"siyu.dev/siyu/wecom"
	"siyu.dev/siyu/wecom/wxcrypt"
)

// Delivery is the record of one event pushed to the callback URL.
type Delivery struct {
	Event     wecom.Event `json:"event"`
	Attempts  int         `json:"attempts"`
	Status    int         `json:"status"` // HTTP status of the last attempt; 0 on a transport error
	Err       string      `json:"error,omitempty"`
	Delivered bool        `json:"delivered"`
	At        time.Time   `json:"at"` // wall time of the last attempt
}

// callbacks pushes events, one at a time and in order, from a goroutine of
// its own: WeCom does not wait for the receiver, and neither does the
// emulator.
type callbacks struct {
	e    *Emulator
	mu   sync.Mutex
	cond *sync.Cond

	cfg    *CallbackConfig
	crypt  *wxcrypt.Crypt
	queue  []wecom.Event
	busy   bool
	closed bool
	log    []Delivery
	client *http.Client
}

func newCallbacks(e *Emulator, cfg *CallbackConfig) *callbacks {
	cb := &callbacks{e: e, client: &http.Client{}}
	cb.cond = sync.NewCond(&cb.mu)
	if cfg != nil {
		crypt, err := newCrypt(*cfg, e.cfg.CorpID)
		if err != nil {
			panic(err) // a programming error: user input goes through SetCallback
		}
		c := *cfg
		cb.cfg, cb.crypt = &c, crypt
	}
	go cb.run()
	return cb
}

func newCrypt(cfg CallbackConfig, corpID string) (*wxcrypt.Crypt, error) {
	if cfg.URL == "" {
		return nil, errors.New("emulator: callback URL is empty")
	}
	if _, err := url.ParseRequestURI(cfg.URL); err != nil {
		return nil, fmt.Errorf("emulator: callback URL: %w", err)
	}
	return wxcrypt.New(cfg.Token, cfg.EncodingAESKey, corpID)
}

// enqueue queues an event for delivery; without a callback URL it is only
// logged. It never blocks on the network.
func (cb *callbacks) enqueue(ev wecom.Event) {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	if cb.cfg == nil || cb.closed {
		return
	}
	cb.queue = append(cb.queue, ev)
	cb.cond.Broadcast()
}

func (cb *callbacks) run() {
	cb.mu.Lock()
	for {
		for len(cb.queue) == 0 && !cb.closed {
			cb.cond.Wait()
		}
		if cb.closed {
			cb.mu.Unlock()
			return
		}
		ev := cb.queue[0]
		cb.queue = cb.queue[1:]
		cb.busy = true
		cfg, crypt := *cb.cfg, cb.crypt
		cb.mu.Unlock()

		d := cb.deliver(cfg, crypt, ev)

		cb.mu.Lock()
		cb.busy = false
		if len(cb.log) >= maxLog {
			cb.log = cb.log[len(cb.log)-maxLog/2:]
		}
		cb.log = append(cb.log, d)
		cb.cond.Broadcast()
	}
}

// deliver posts one event, retrying on a non-200 answer or a timeout.
func (cb *callbacks) deliver(cfg CallbackConfig, crypt *wxcrypt.Crypt, ev wecom.Event) Delivery {
	if ev.WelcomeCode != "" {
		cb.e.welcomePushed(ev.WelcomeCode)
	}
	pol := cb.e.Policy()
	attempts := max(pol.CallbackAttempts, 1)
	d := Delivery{Event: ev}
	msg, err := wecom.MarshalEvent(ev)
	if err != nil {
		d.Err = err.Error()
		return d
	}
	for d.Attempts < attempts {
		d.Attempts++
		d.At = time.Now()
		d.Status, err = cb.post(cfg, crypt, msg, pol.CallbackTimeout)
		if err == nil && d.Status == http.StatusOK {
			d.Delivered, d.Err = true, ""
			return d
		}
		if err != nil {
			d.Err = err.Error()
		} else {
			d.Err = "HTTP " + strconv.Itoa(d.Status)
		}
		if cb.isClosed() {
			return d
		}
		if d.Attempts < attempts {
			time.Sleep(pol.CallbackBackoff << (d.Attempts - 1))
		}
	}
	return d
}

// post sends one attempt. The query timestamp is wall time, as a receiver
// checking freshness expects; the event's CreateTime is the emulator's.
func (cb *callbacks) post(cfg CallbackConfig, crypt *wxcrypt.Crypt, msg []byte, timeout time.Duration) (int, error) {
	timestamp := strconv.FormatInt(time.Now().Unix(), 10)
	nonce := cb.e.nonce()
	body, sig, err := crypt.SealMessage(msg, cb.e.cfg.AgentID, timestamp, nonce)
	if err != nil {
		return 0, err
	}
	u, err := withQuery(cfg.URL, url.Values{"msg_signature": {sig}, "timestamp": {timestamp}, "nonce": {nonce}})
	if err != nil {
		return 0, err
	}
	ctx := context.Background()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "text/xml")
	resp, err := cb.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, nil
}

func withQuery(raw string, q url.Values) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	all := u.Query()
	for k, v := range q {
		all[k] = v
	}
	u.RawQuery = all.Encode()
	return u.String(), nil
}

// nonce is a random nonce for a push. It comes from crypto/rand, not a
// seeded stream: pushes are asynchronous and must not change the IDs the
// emulator hands out.
func (e *Emulator) nonce() string { return rand.Text()[:16] }

func (cb *callbacks) isClosed() bool {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	return cb.closed
}

func (cb *callbacks) close() {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	cb.closed = true
	cb.queue = nil
	cb.cond.Broadcast()
}

// flush waits until the queue is empty and nothing is being delivered.
func (cb *callbacks) flush(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		cb.mu.Lock()
		cb.cond.Broadcast()
		cb.mu.Unlock()
	})
	defer stop()
	cb.mu.Lock()
	defer cb.mu.Unlock()
	for (len(cb.queue) > 0 || cb.busy) && !cb.closed {
		if err := ctx.Err(); err != nil {
			return err
		}
		cb.cond.Wait()
	}
	return nil
}

// Flush waits until every event emitted so far has been pushed (or has
// used up its attempts).
func (e *Emulator) Flush(ctx context.Context) error { return e.cb.flush(ctx) }

// Deliveries returns the record of pushed events (the most recent 10,000
// at most).
func (e *Emulator) Deliveries() []Delivery {
	e.cb.mu.Lock()
	defer e.cb.mu.Unlock()
	return append([]Delivery(nil), e.cb.log...)
}

// SetCallback sets the callback URL the way the admin console does: it
// first verifies the URL with a signed, encrypted echostr, which the
// receiver must decrypt and answer with. Pass nil to stop pushing.
func (e *Emulator) SetCallback(ctx context.Context, cfg *CallbackConfig) error {
	if cfg == nil {
		e.cb.mu.Lock()
		e.cb.cfg, e.cb.crypt = nil, nil
		e.cb.mu.Unlock()
		return nil
	}
	crypt, err := newCrypt(*cfg, e.cfg.CorpID)
	if err != nil {
		return err
	}
	if err := e.verifyURL(ctx, *cfg, crypt); err != nil {
		return err
	}
	c := *cfg
	e.cb.mu.Lock()
	e.cb.cfg, e.cb.crypt = &c, crypt
	e.cb.mu.Unlock()
	return nil
}

// verifyURL sends GET url?msg_signature&timestamp&nonce&echostr and checks
// that the receiver answers with the decrypted echostr.
func (e *Emulator) verifyURL(ctx context.Context, cfg CallbackConfig, crypt *wxcrypt.Crypt) error {
	plain := rand.Text()
	echostr, err := crypt.Encrypt([]byte(plain))
	if err != nil {
		return err
	}
	timestamp := strconv.FormatInt(time.Now().Unix(), 10)
	nonce := e.nonce()
	u, err := withQuery(cfg.URL, url.Values{
		"msg_signature": {crypt.Sign(timestamp, nonce, echostr)}, "timestamp": {timestamp}, "nonce": {nonce}, "echostr": {echostr},
	})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := e.cb.client.Do(req)
	if err != nil {
		return fmt.Errorf("emulator: callback URL verification: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK || string(body) != plain {
		return fmt.Errorf("emulator: callback URL verification failed: HTTP %d, the body is not the decrypted echostr", resp.StatusCode)
	}
	return nil
}
