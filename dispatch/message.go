package dispatch

import (
	"siyu.dev/siyu"
	"siyu.dev/siyu/wecom"
)

// template renders a message as add_msg_template's text and attachments.
func template(m siyu.Message) (*wecom.TextContent, []wecom.Attachment) {
	var text *wecom.TextContent
	if m.Text != "" {
		text = &wecom.TextContent{Content: m.Text}
	}
	var atts []wecom.Attachment
	if m.Image != nil {
		atts = append(atts, wecom.Attachment{MsgType: wecom.MsgTypeImage, Image: &wecom.ImageAttachment{MediaID: m.Image.MediaID, PicURL: m.Image.PicURL}})
	}
	if m.Link != nil {
		atts = append(atts, wecom.Attachment{MsgType: wecom.MsgTypeLink, Link: &wecom.LinkAttachment{
			Title: m.Link.Title, Desc: m.Link.Desc, URL: m.Link.URL, PicURL: m.Link.PicURL,
		}})
	}
	if m.MiniProgram != nil {
		atts = append(atts, wecom.Attachment{MsgType: wecom.MsgTypeMiniProgram, MiniProgram: &wecom.MiniProgramAttachment{
			Title: m.MiniProgram.Title, AppID: m.MiniProgram.AppID, Page: m.MiniProgram.Page, PicMediaID: m.MiniProgram.PicMediaID,
		}})
	}
	return text, atts
}

// sameText reports whether a listed mass message carries the text we send.
// Only the text is compared: WeCom may rewrite attachments (media ids).
func sameText(m wecom.GroupMsg, text *wecom.TextContent) bool {
	a, b := "", ""
	if m.Text != nil {
		a = m.Text.Content
	}
	if text != nil {
		b = text.Content
	}
	return a == b
}
