package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
)

const (
	alnum   = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	idChars = alnum + "-_"
)

// randString draws n characters from chars.
func randString(r *rand.Rand, chars string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[r.IntN(len(chars))]
	}
	return string(b)
}

// ids draws the identifiers WeCom hands out, in the shapes seen in the
// documentation's examples. They come from their own seeded stream so that
// creating an object does not change what the population does.
type ids struct{ r *rand.Rand }

func (g ids) chatID() string      { return "wr" + randString(g.r, alnum, 30) }
func (g ids) tagID() string       { return "et" + randString(g.r, alnum, 30) }
func (g ids) msgID() string       { return "msg" + randString(g.r, alnum, 26) }
func (g ids) momentID() string    { return "mom" + randString(g.r, alnum, 26) }
func (g ids) jobID() string       { return randString(g.r, alnum, 32) }
func (g ids) token() string       { return randString(g.r, idChars, 86) }
func (g ids) welcomeCode() string { return randString(g.r, idChars, 43) }

// configID is 32 hex characters, like 42b34949e138eb6e027c123cba77fAAA.
func (g ids) configID() string { return randString(g.r, "0123456789abcdef", 32) }

// qrPath is the path part of a qpic QR code URL.
func (g ids) qrPath() string { return randString(g.r, alnum, 40) }

// externalUserID is stable for a (corp, WeChat user) pair, as WeCom's is:
// "wm" and 30 characters derived from the pair.
func externalUserID(corpID, unionID string) string {
	sum := sha256.Sum256([]byte(corpID + "\x00" + unionID))
	b := make([]byte, 30)
	for i := range b {
		b[i] = alnum[int(sum[i])%len(alnum)]
	}
	return "wm" + string(b)
}

// avatarURL is a qlogo-style avatar address derived from the unionid.
func avatarURL(unionID string) string {
	sum := sha256.Sum256([]byte(unionID))
	return "http://wx.qlogo.cn/mmhead/" + hex.EncodeToString(sum[:20]) + "/0"
}
