package wxcrypt

import (
	"strings"
	"testing"
)

// The vectors of WeCom's own crypto sample (token QDG6eK, corpid
// wx5823bf96d3bd56c7): a URL verification and an event POST.
const (
	sampleToken     = "QDG6eK"
	sampleCorpID    = "wx5823bf96d3bd56c7"
	sampleAESKey    = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	sampleVerifySig = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
	sampleVerifyTS  = "1409659589"
	sampleVerifyNon = "263014780"
	sampleEchoStr   = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
	samplePostSig   = "477715d11cdb4164915debcba66cb864d751f3e6"
	samplePostTS    = "1409659813"
	samplePostNonce = "1372623149"
	samplePostBody  = "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
)

func TestOfficialSample(t *testing.T) {
	c, err := New(sampleToken, sampleAESKey, sampleCorpID)
	if err != nil {
		t.Fatal(err)
	}
	echo, err := c.VerifyURL(sampleVerifySig, sampleVerifyTS, sampleVerifyNon, sampleEchoStr)
	if err != nil {
		t.Fatalf("VerifyURL: %v", err)
	}
	if string(echo) != "1616140317555161061" {
		t.Errorf("echostr = %q", echo)
	}
	msg, err := c.DecryptMessage(samplePostSig, samplePostTS, samplePostNonce, []byte(samplePostBody))
	if err != nil {
		t.Fatalf("DecryptMessage: %v", err)
	}
	for _, want := range []string{"<Content><![CDATA[hello]]></Content>", "<MsgId>4561255354251345929</MsgId>", "<CreateTime>1409659813</CreateTime>"} {
		if !strings.Contains(string(msg), want) {
			t.Errorf("decrypted message lacks %s: %q", want, msg)
		}
	}
	if got := c.Sign(samplePostTS, samplePostNonce, mustEnvelope(t, samplePostBody)); got != samplePostSig {
		t.Errorf("Sign = %s, want %s", got, samplePostSig)
	}
}

func mustEnvelope(t *testing.T, body string) string {
	t.Helper()
	env, err := ParseEnvelope([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return env.Encrypt
}
