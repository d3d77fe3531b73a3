package runner

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"siyu.dev/siyu/journey"
	"siyu.dev/siyu/store"
)

// Webhook headers.
const (
	HeaderSignature   = "X-Siyu-Signature" // sha256=<hex HMAC-SHA256 of the body, keyed by the step's secret>
	HeaderIdempotency = "Idempotency-Key"  // the same on every retry of one delivery
	HeaderEvent       = "X-Siyu-Event"     // journey.step
	webhookAttempts   = 8
)

// WebhookBody is what a webhook step POSTs.
type WebhookBody struct {
	Event          string            `json:"event"` // journey.step
	JourneyID      int64             `json:"journey_id"`
	JourneyVersion int               `json:"journey_version"`
	EnrollmentID   int64             `json:"enrollment_id"`
	Step           string            `json:"step"`
	CustomerID     int64             `json:"customer_id"`
	TriggerKey     string            `json:"trigger_key"`
	Vars           map[string]string `json:"vars,omitempty"`
	At             time.Time         `json:"at"`
}

type webhookPayload struct {
	URL    string          `json:"url"`
	Secret string          `json:"secret"`
	Key    string          `json:"key"`
	Body   json.RawMessage `json:"body"`
}

// Sign is the signature header value of a body.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a signature header value, in constant time.
func Verify(secret string, body []byte, header string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(header))
}

// webhookJob freezes the body when the step runs, so that every retry
// sends the same bytes under the same idempotency key.
func webhookJob(e store.Enrollment, s journey.Step, now time.Time) (store.NewJob, error) {
	key := SendKey(e.JourneyID, e.Version, e.ID, s.ID)
	body, err := json.Marshal(WebhookBody{Event: "journey.step", JourneyID: e.JourneyID, JourneyVersion: e.Version, EnrollmentID: e.ID,
		Step: s.ID, CustomerID: e.CustomerID, TriggerKey: e.TriggerKey, Vars: e.Vars, At: now})
	if err != nil {
		return store.NewJob{}, err
	}
	p, err := json.Marshal(webhookPayload{URL: s.Webhook.URL, Secret: s.Webhook.Secret, Key: key, Body: body})
	if err != nil {
		return store.NewJob{}, err
	}
	return store.NewJob{Kind: KindWebhook, Key: strconv.FormatInt(e.ID, 10) + ":" + s.ID, Payload: p, RunAt: now, MaxAttempts: webhookAttempts}, nil
}

// postWebhook delivers one webhook; anything but a 2xx answer is retried
// by the queue with backoff.
func (r *Runner) postWebhook(ctx context.Context, j store.Job) error {
	var p webhookPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.URL == "" {
		return fmt.Errorf("webhook job %d: bad payload", j.ID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL, bytes.NewReader(p.Body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderSignature, Sign(p.Secret, p.Body))
	req.Header.Set(HeaderIdempotency, p.Key)
	req.Header.Set(HeaderEvent, "journey.step")
	resp, err := r.opt.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook %s answered %s", p.URL, resp.Status)
	}
	return nil
}
