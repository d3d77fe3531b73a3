package douyinemu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"siyu.dev/siyu/douyin"
)

// Delivery is one webhook pushed, with its outcome.
type Delivery struct {
	MsgID    string    `json:"msg_id"`
	Event    string    `json:"event"`
	Body     []byte    `json:"body"`
	Status   int       `json:"status"` // of the last attempt; 0 when it failed to connect
	Attempts int       `json:"attempts"`
	Err      string    `json:"err,omitempty"`
	At       time.Time `json:"at"`
}

// maxLog bounds the delivery log.
const maxLog = 10000

// SetCallback verifies url as the platform does — a signed verify_webhook
// whose challenge must come back — and then pushes webhooks there. An empty
// url stops pushing.
func (e *Emulator) SetCallback(ctx context.Context, url string) error {
	if url == "" {
		e.mu.Lock()
		e.callback = ""
		e.mu.Unlock()
		return nil
	}
	e.mu.Lock()
	challenge := 1 + e.ids.Int64N(1<<40)
	timeout := e.pol.CallbackTimeout
	e.mu.Unlock()
	body, _ := json.Marshal(map[string]any{"event": douyin.EventVerifyWebhook, "client_key": e.cfg.ClientKey, "content": map[string]int64{"challenge": challenge}})
	status, answer, err := e.post(ctx, url, body, "", timeout)
	if err != nil {
		return fmt.Errorf("douyinemu: verify %s: %w", url, err)
	}
	var got struct {
		Challenge int64 `json:"challenge"`
	}
	if status != http.StatusOK || json.Unmarshal(answer, &got) != nil || got.Challenge != challenge {
		return fmt.Errorf("douyinemu: verify %s: answered %d %q, want the challenge %d", url, status, answer, challenge)
	}
	e.mu.Lock()
	e.callback = url
	e.mu.Unlock()
	return nil
}

func (e *Emulator) post(ctx context.Context, url string, body []byte, msgID string, timeout time.Duration) (int, []byte, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(douyin.HeaderSignature, douyin.Sign(e.cfg.ClientSecret, body))
	if msgID != "" {
		req.Header.Set(douyin.HeaderMsgID, msgID)
	}
	res, err := e.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 1<<16))
	return res.StatusCode, answer, nil
}

// envelope is the body of a webhook. IM contents go out as a JSON string
// holding the object, as the platform does for some events; the rest as
// an object. Siyu's parser takes both.
func (e *Emulator) envelope(o outgoing) []byte {
	content, _ := json.Marshal(o.content)
	var c any = json.RawMessage(content)
	switch o.event {
	case douyin.EventIMReceiveMsg, douyin.EventIMSendMsg, douyin.EventIMEnterDirectMsg:
		c = string(content)
	}
	b, _ := json.Marshal(map[string]any{"event": o.event, "from_user_id": o.from, "to_user_id": o.to, "client_key": e.cfg.ClientKey, "content": c})
	return b
}

// flush sends what the outbox holds: webhooks to the callback URL (each
// retried Policy.CallbackRetries times) and scans to OnChannelCode. It runs
// without mu, so Siyu may call the API while handling a webhook.
func (e *Emulator) flush(ctx context.Context) {
	for {
		e.mu.Lock()
		out := e.outbox
		e.outbox = nil
		url, pol := e.callback, e.pol
		msgIDs := make([]string, len(out))
		for i := range out {
			msgIDs[i] = e.newID("", 32)
		}
		e.mu.Unlock()
		if len(out) == 0 {
			return
		}
		for i, o := range out {
			if o.scan != nil {
				e.scan(ctx, o)
				continue
			}
			if url == "" {
				continue
			}
			d := Delivery{MsgID: msgIDs[i], Event: o.event, Body: e.envelope(o), At: e.Now()}
			for d.Attempts = 1; ; d.Attempts++ {
				status, _, err := e.post(ctx, url, d.Body, d.MsgID, pol.CallbackTimeout)
				d.Status, d.Err = status, ""
				if err != nil {
					d.Err = err.Error()
				} else if status != http.StatusOK {
					d.Err = fmt.Sprintf("HTTP %d", status)
				}
				if d.Err == "" || d.Attempts > pol.CallbackRetries || ctx.Err() != nil {
					break
				}
			}
			e.record(d)
		}
	}
}

func (e *Emulator) scan(ctx context.Context, o outgoing) {
	s := *o.scan
	if e.cfg.OnChannelCode == nil {
		s.Err = "no OnChannelCode"
	} else if err := e.cfg.OnChannelCode(ctx, s.URL, o.user); err != nil {
		s.Err = err.Error()
	}
	e.mu.Lock()
	e.scans = append(e.scans, s)
	e.mu.Unlock()
}

func (e *Emulator) record(d Delivery) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.log) >= maxLog {
		e.log = e.log[len(e.log)-maxLog/2:]
	}
	e.log = append(e.log, d)
}

// Deliveries returns the webhooks pushed so far (the most recent 10,000).
func (e *Emulator) Deliveries() []Delivery {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Delivery(nil), e.log...)
}

// Flush pushes whatever is waiting.
func (e *Emulator) Flush(ctx context.Context) { e.flush(ctx) }

// Resend pushes a logged delivery again with the same Msg-Id and body, as
// the platform's retry does, and returns the answer's status.
func (e *Emulator) Resend(ctx context.Context, msgID string) (int, error) {
	e.mu.Lock()
	url := e.callback
	var body []byte
	for _, d := range e.log {
		if d.MsgID == msgID {
			body = d.Body
		}
	}
	timeout := e.pol.CallbackTimeout
	e.mu.Unlock()
	if body == nil {
		return 0, fmt.Errorf("douyinemu: no delivery %q", msgID)
	}
	if url == "" {
		return 0, errors.New("douyinemu: no callback URL")
	}
	status, _, err := e.post(ctx, url, body, msgID, timeout)
	return status, err
}
