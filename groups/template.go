package groups

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/wecom"
)

// Template limits. DefaultMemberCap is the usual size of a campaign group;
// MaxMemberCap is the customer-group size vendors report for WeCom (500,
// owner included; WeCom's API docs do not state it).
const (
	DefaultMemberCap = 200
	MaxMemberCap     = 500
	MaxLayers        = 20
	MaxAdmins        = 10
	maxNameRunes     = 100
	maxNoticeRunes   = 1000
	maxWelcomeBytes  = 4000 // as a WeCom text message
	seqPlaceholder   = "{{n}}"
)

// invalid is a validation error naming the field.
func invalid(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", siyu.ErrInvalid, field, fmt.Sprintf(format, args...))
}

// CheckTemplate validates a template and fills its defaults: a member cap
// of DefaultMemberCap, a name pattern with {{n}} (appended when missing).
func CheckTemplate(t *store.GroupTemplate) error {
	t.Name = strings.TrimSpace(t.Name)
	t.NamePattern = strings.TrimSpace(t.NamePattern)
	t.Notice = strings.TrimSpace(t.Notice)
	t.Welcome = strings.TrimSpace(t.Welcome)
	if t.Name == "" || utf8.RuneCountInString(t.Name) > maxNameRunes {
		return invalid("name", "give a name of 1 to %d characters", maxNameRunes)
	}
	if t.NamePattern == "" {
		t.NamePattern = t.Name
	}
	switch strings.Count(t.NamePattern, seqPlaceholder) {
	case 0:
		t.NamePattern += seqPlaceholder
	case 1:
	default:
		return invalid("name_pattern", "%q has {{n}} more than once", t.NamePattern)
	}
	if strings.ContainsAny(strings.ReplaceAll(t.NamePattern, seqPlaceholder, ""), "{}") {
		return invalid("name_pattern", "%q: only {{n}} (the group's number) can be used", t.NamePattern)
	}
	if n := utf8.RuneCountInString(roomBaseName(t.NamePattern)); n == 0 || n > wecom.MaxRoomBaseName {
		return invalid("name_pattern", "the text before {{n}} is the name WeCom gives new groups: 1 to %d characters, not %d", wecom.MaxRoomBaseName, n)
	}
	if utf8.RuneCountInString(t.Notice) > maxNoticeRunes {
		return invalid("notice", "at most %d characters", maxNoticeRunes)
	}
	if len(t.Welcome) > maxWelcomeBytes {
		return invalid("welcome", "at most %d bytes, not %d", maxWelcomeBytes, len(t.Welcome))
	}
	if len(t.Admins) > MaxAdmins {
		return invalid("admins", "at most %d", MaxAdmins)
	}
	for i, a := range t.Admins {
		t.Admins[i] = strings.TrimSpace(a)
		if t.Admins[i] == "" {
			return invalid(fmt.Sprintf("admins[%d]", i), "empty WeCom userid")
		}
	}
	if t.MemberCap == 0 {
		t.MemberCap = DefaultMemberCap
	}
	if t.MemberCap < 2 || t.MemberCap > MaxMemberCap {
		return invalid("member_cap", "must be from 2 to %d (owner included), not %d", MaxMemberCap, t.MemberCap)
	}
	if t.OwnerAccountID <= 0 {
		return invalid("owner_account_id", "missing")
	}
	if len(t.Layers) > MaxLayers {
		return invalid("layers", "at most %d small groups", MaxLayers)
	}
	names := map[string]bool{}
	for i := range t.Layers {
		l := &t.Layers[i]
		field := fmt.Sprintf("layers[%d]", i)
		l.Name = strings.TrimSpace(l.Name)
		if l.Name == "" || utf8.RuneCountInString(l.Name) > maxNameRunes || names[l.Name] {
			return invalid(field+".name", "%q: small groups need distinct names of 1 to %d characters", l.Name, maxNameRunes)
		}
		names[l.Name] = true
		if l.TutorAccountID <= 0 {
			return invalid(field+".tutor_account_id", "missing")
		}
	}
	return nil
}

// GroupName is the name of the n-th group of a pattern.
func GroupName(pattern string, n int) string {
	return strings.Replace(pattern, seqPlaceholder, strconv.Itoa(n), 1)
}

// roomBaseName is the text before {{n}}: what the join way names the
// groups WeCom creates (room_base_name + a number).
func roomBaseName(pattern string) string {
	before, _, _ := strings.Cut(pattern, seqPlaceholder)
	return strings.TrimSpace(before)
}
