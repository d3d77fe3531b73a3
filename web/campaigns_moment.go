package web

import (
	"strings"

	"siyu.dev/siyu/store"
)

// momentOptions reads a moment campaign's options from the create form:
// senders and tags are comma-separated (、 and ， too).
func momentOptions(f campaignForm) *store.MomentOptions {
	return &store.MomentOptions{Senders: splitList(f.MomentSenders), Tags: splitList(f.MomentTags), Topic: strings.TrimSpace(f.MomentTopic)}
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
