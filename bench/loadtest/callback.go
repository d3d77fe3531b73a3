package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"siyu.dev/siyu/wecom"
	"siyu.dev/siyu/wecom/wxcrypt"
)

// callbackApp is the WeCom app's callback settings, derived from the seed.
type callbackApp struct {
	Token, EncodingAESKey, AgentID string
}

func newCallbackApp(seed uint64) callbackApp {
	k := sha256.Sum256(fmt.Appendf(nil, "siyu load test callback key %d", seed))
	return callbackApp{
		Token:          fmt.Sprintf("loadtoken%d", seed),
		EncodingAESKey: base64.RawStdEncoding.EncodeToString(k[:]), // 43 characters, as WeCom's
		AgentID:        "1000002",
	}
}

// sealer builds callbacks as WeCom pushes them: the event's XML is
// AES-encrypted into an envelope, and the query carries msg_signature,
// timestamp and nonce.
type sealer struct {
	crypt   *wxcrypt.Crypt
	agentID string
	url     string
}

func newSealer(app callbackApp, corpID, callbackURL string) (*sealer, error) {
	c, err := wxcrypt.New(app.Token, app.EncodingAESKey, corpID)
	if err != nil {
		return nil, err
	}
	return &sealer{crypt: c, agentID: app.AgentID, url: callbackURL}, nil
}

// request seals ev for a push at now with the given nonce.
func (s *sealer) request(ev wecom.Event, now time.Time, nonce string) (*http.Request, error) {
	msg, err := wecom.MarshalEvent(ev)
	if err != nil {
		return nil, err
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	body, sig, err := s.crypt.SealMessage(msg, s.agentID, ts, nonce)
	if err != nil {
		return nil, err
	}
	q := url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {nonce}}
	req, err := http.NewRequest(http.MethodPost, s.url+"?"+q.Encode(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "text/xml")
	return req, nil
}

// contactEvent is a change_external_contact event of one contact.
func contactEvent(corpID, changeType, userID, externalUserID string, created int64) wecom.Event {
	return wecom.Event{
		ToUserName:     corpID,
		FromUserName:   "sys",
		CreateTime:     created,
		MsgType:        "event",
		Event:          wecom.EventChangeExternalContact,
		ChangeType:     changeType,
		UserID:         userID,
		ExternalUserID: externalUserID,
	}
}
