package wxcrypt

import (
	"bytes"
	"encoding/xml"
	"strconv"
)

// MaxEnvelopeSize bounds the XML envelope DecryptMessage accepts. Real
// customer-contact events are well under 4 KiB.
const MaxEnvelopeSize = 1 << 20

// cdata marshals as a CDATA section, the way WeCom writes string fields.
type cdata struct {
	Value string `xml:",cdata"`
}

// inbound is the envelope WeCom POSTs to the callback URL.
type inbound struct {
	XMLName    xml.Name `xml:"xml"`
	ToUserName cdata    `xml:"ToUserName"`
	AgentID    cdata    `xml:"AgentID"`
	Encrypt    cdata    `xml:"Encrypt"`
}

// reply is the envelope of an encrypted passive reply.
type reply struct {
	XMLName      xml.Name `xml:"xml"`
	Encrypt      cdata    `xml:"Encrypt"`
	MsgSignature cdata    `xml:"MsgSignature"`
	TimeStamp    string   `xml:"TimeStamp"`
	Nonce        cdata    `xml:"Nonce"`
}

// Envelope is the parsed outer XML of a callback POST.
type Envelope struct {
	ToUserName string
	AgentID    string
	Encrypt    string
}

// ParseEnvelope reads the outer XML of a callback POST.
func ParseEnvelope(body []byte) (Envelope, error) {
	if len(body) > MaxEnvelopeSize {
		return Envelope{}, ErrMessageTooLarge
	}
	var in inbound
	if err := xml.Unmarshal(body, &in); err != nil || in.Encrypt.Value == "" {
		return Envelope{}, ErrInvalidEnvelope
	}
	return Envelope{ToUserName: in.ToUserName.Value, AgentID: in.AgentID.Value, Encrypt: in.Encrypt.Value}, nil
}

// DecryptMessage handles a callback POST: it parses the envelope
// (<xml><ToUserName/><AgentID/><Encrypt/></xml>), checks msg_signature over
// its Encrypt, decrypts it and checks the receiveid. It returns the inner
// event XML.
func (c *Crypt) DecryptMessage(msgSignature, timestamp, nonce string, body []byte) ([]byte, error) {
	env, err := ParseEnvelope(body)
	if err != nil {
		return nil, err
	}
	if err := c.verify(msgSignature, timestamp, nonce, env.Encrypt); err != nil {
		return nil, err
	}
	msg, _, err := c.Decrypt(env.Encrypt)
	return msg, err
}

// SealMessage encrypts msg into the envelope WeCom POSTs, and returns it
// with the msg_signature that goes in the query string beside timestamp and
// nonce. ToUserName is the receiveid.
func (c *Crypt) SealMessage(msg []byte, agentID, timestamp, nonce string) (body []byte, msgSignature string, err error) {
	encrypt, err := c.Encrypt(msg)
	if err != nil {
		return nil, "", err
	}
	env := inbound{
		ToUserName: cdata{c.receiveID},
		AgentID:    cdata{agentID},
		Encrypt:    cdata{encrypt},
	}
	body, err = xml.Marshal(env)
	if err != nil {
		return nil, "", err
	}
	return body, c.Sign(timestamp, nonce, encrypt), nil
}

// EncryptMessage is SealMessage without an AgentID, for callers that take
// the signature from the envelope or compute it with Sign.
func (c *Crypt) EncryptMessage(msg []byte, timestamp, nonce string) ([]byte, error) {
	body, _, err := c.SealMessage(msg, "", timestamp, nonce)
	return body, err
}

// EncryptReply builds an encrypted passive reply:
// <xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>.
func (c *Crypt) EncryptReply(msg []byte, timestamp, nonce string) ([]byte, error) {
	if _, err := strconv.ParseInt(timestamp, 10, 64); err != nil {
		return nil, ErrInvalidEnvelope
	}
	encrypt, err := c.Encrypt(msg)
	if err != nil {
		return nil, err
	}
	return xml.Marshal(reply{
		Encrypt:      cdata{encrypt},
		MsgSignature: cdata{c.Sign(timestamp, nonce, encrypt)},
		TimeStamp:    timestamp,
		Nonce:        cdata{nonce},
	})
}

// DecryptReply checks and decrypts a passive reply built by EncryptReply;
// an emulator uses it to read what the app answered.
func (c *Crypt) DecryptReply(body []byte) ([]byte, error) {
	if len(body) > MaxEnvelopeSize {
		return nil, ErrMessageTooLarge
	}
	var r reply
	if err := xml.Unmarshal(bytes.TrimSpace(body), &r); err != nil || r.Encrypt.Value == "" {
		return nil, ErrInvalidEnvelope
	}
	if err := c.verify(r.MsgSignature.Value, r.TimeStamp, r.Nonce.Value, r.Encrypt.Value); err != nil {
		return nil, err
	}
	msg, _, err := c.Decrypt(r.Encrypt.Value)
	return msg, err
}
