package wecom

import (
	"strconv"
	"unicode/utf8"
)

// Client-side checks of documented limits, so that a bad request fails with
// a clear message instead of an errcode.

func checkMaxRunes(api, field, s string, max int) error {
	if n := utf8.RuneCountInString(s); n > max {
		return invalid(api, "%s has %d characters, at most %d", field, n, max)
	}
	return nil
}

func checkMaxBytes(api, field, s string, max int) error {
	if len(s) > max {
		return invalid(api, "%s has %d bytes, at most %d", field, len(s), max)
	}
	return nil
}

func checkCount(api, field string, n, min, max int) error {
	if n < min || n > max {
		if min == max {
			return invalid(api, "%s has %d entries, need exactly %d", field, n, min)
		}
		return invalid(api, "%s has %d entries, need %d to %d", field, n, min, max)
	}
	return nil
}

func checkRequired(api, field, s string) error {
	if s == "" {
		return invalid(api, "%s is required", field)
	}
	return nil
}

func checkLimit(api string, limit, max int) error {
	if limit < 0 || limit > max {
		return invalid(api, "limit %d is out of range 0 to %d", limit, max)
	}
	return nil
}

// checkMessage validates the text and attachments of a welcome message or
// mass message.
func checkMessage(api string, text *TextContent, atts []Attachment) error {
	if (text == nil || text.Content == "") && len(atts) == 0 {
		return invalid(api, "text and attachments are both empty")
	}
	if text != nil {
		if err := checkMaxBytes(api, "text.content", text.Content, MaxTextBytes); err != nil {
			return err
		}
	}
	return checkAttachments(api, atts, MsgTypeImage, MsgTypeLink, MsgTypeMiniProgram, MsgTypeVideo, MsgTypeFile)
}

func checkAttachments(api string, atts []Attachment, allowed ...string) error {
	if len(atts) > MaxAttachments {
		return invalid(api, "attachments has %d entries, at most %d", len(atts), MaxAttachments)
	}
	for i, a := range atts {
		ok := false
		for _, t := range allowed {
			ok = ok || a.MsgType == t
		}
		if !ok {
			return invalid(api, "attachments[%d].msgtype %q is not one of %v", i, a.MsgType, allowed)
		}
		present := map[string]bool{
			MsgTypeImage:       a.Image != nil,
			MsgTypeLink:        a.Link != nil,
			MsgTypeMiniProgram: a.MiniProgram != nil,
			MsgTypeVideo:       a.Video != nil,
			MsgTypeFile:        a.File != nil,
		}
		if !present[a.MsgType] {
			return invalid(api, "attachments[%d] has msgtype %q but no %s member", i, a.MsgType, a.MsgType)
		}
		for t, set := range present {
			if set && t != a.MsgType {
				return invalid(api, "attachments[%d] has msgtype %q but also a %s member", i, a.MsgType, t)
			}
		}
		if a.Link != nil {
			if err := checkMaxBytes(api, "attachments["+strconv.Itoa(i)+"].link.title", a.Link.Title, 128); err != nil {
				return err
			}
			if err := checkMaxBytes(api, "attachments["+strconv.Itoa(i)+"].link.desc", a.Link.Desc, 512); err != nil {
				return err
			}
		}
	}
	return nil
}
