package emulator

import (
	"time"

	"siyu.dev/siyu/wecom"
)

// maxWelcomes bounds the welcome codes kept; older ones are long expired.
const maxWelcomes = 10000

// issueWelcome hands out the welcome_code of an add event.
func (e *Emulator) issueWelcome(userID, extID string, at time.Time) string {
	if len(e.st.welcomes) >= maxWelcomes {
		for c, w := range e.st.welcomes {
			if at.Sub(w.issued) > time.Hour {
				delete(e.st.welcomes, c)
			}
		}
	}
	code := e.id.welcomeCode()
	e.st.welcomes[code] = &welcome{code: code, userID: userID, extID: extID, issued: at}
	return code
}

// welcomePushed restarts a code's 20 s when the event carrying it is pushed:
// after Advance jumps the clock, the receiver still gets its 20 s from the
// moment it hears of the add.
func (e *Emulator) welcomePushed(code string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if w := e.st.welcomes[code]; w != nil && !w.sent {
		w.issued = e.clock.now()
	}
}

// checkMessage validates the content of a welcome or mass message.
func checkMessage(text *wecom.TextContent, atts []wecom.Attachment) *Error {
	if (text == nil || text.Content == "") && len(atts) == 0 {
		return errorf(wecom.ErrCodeInvalidParameter, "text and attachments are both empty")
	}
	if text != nil && len(text.Content) > wecom.MaxTextBytes {
		return errorf(wecom.ErrCodeInvalidParameter, "text.content too long: %d bytes, max %d", len(text.Content), wecom.MaxTextBytes)
	}
	if len(atts) > wecom.MaxAttachments {
		return errorf(wecom.ErrCodeTooManyAttachments, "attachments exceed %d", wecom.MaxAttachments)
	}
	for i, a := range atts {
		ok := false
		switch a.MsgType {
		case wecom.MsgTypeImage:
			ok = a.Image != nil && (a.Image.MediaID != "" || a.Image.PicURL != "")
		case wecom.MsgTypeLink:
			ok = a.Link != nil && a.Link.Title != "" && a.Link.URL != "" && len(a.Link.Title) <= 128 && len(a.Link.Desc) <= 512
		case wecom.MsgTypeMiniProgram:
			ok = a.MiniProgram != nil && a.MiniProgram.AppID != "" && a.MiniProgram.Page != ""
		case wecom.MsgTypeVideo:
			ok = a.Video != nil && a.Video.MediaID != ""
		case wecom.MsgTypeFile:
			ok = a.File != nil && a.File.MediaID != ""
		default:
			return errorf(wecom.ErrCodeInvalidAttachmentType, "invalid attachment type %q at attachments[%d]", a.MsgType, i)
		}
		if !ok {
			return errorf(wecom.ErrCodeInvalidParameter, "attachments[%d] (%s) is incomplete", i, a.MsgType)
		}
	}
	return nil
}

// POST send_welcome_msg: once per code, within the code's lifetime.
func apiSendWelcomeMsg(e *Emulator, c *call) (any, error) {
	var req wecom.SendWelcomeMsgRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.WelcomeCode == "" {
		return nil, errorf(wecom.ErrCodeMissingWelcomeCode, "missing welcome code")
	}
	w := e.st.welcomes[req.WelcomeCode]
	switch {
	case w == nil:
		return nil, errorf(wecom.ErrCodeInvalidWelcomeCode, "invalid welcome code, must be used within 20 seconds after adding")
	case w.sent:
		return nil, errorf(wecom.ErrCodeWelcomeAlreadyDelivered, "externaluser has started chatting")
	case c.now.Sub(w.issued) > e.pol.WelcomeCodeTTL:
		return nil, errorf(wecom.ErrCodeInvalidWelcomeCode, "invalid welcome code, must be used within 20 seconds after adding")
	}
	if err := checkMessage(req.Text, req.Attachments); err != nil {
		return nil, err
	}
	f := e.followOf(w.userID, w.extID)
	if f == nil {
		return nil, errorf(wecom.ErrCodeNoExternalContactRelation, "not external contact")
	}
	w.sent = true
	f.welcomed = c.now
	return wecom.OK, nil
}
