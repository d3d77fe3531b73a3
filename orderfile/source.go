package orderfile

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"siyu.dev/siyu"
)

const (
	// maxFieldBytes caps one cell; anything longer is a broken row.
	maxFieldBytes = 64 << 10
	// maxRecordBytes caps what one record may read before it ends. It guards
	// memory against an unterminated quote swallowing the rest of a file.
	maxRecordBytes = 8 << 20
	// sniffBytes is how much of the file decides its encoding.
	sniffBytes = 64 << 10
)

// textEncoding is how the file's bytes are turned into text.
type textEncoding int

const (
	encUndecided textEncoding = iota // only ASCII seen so far
	encUTF8
	encGB18030
)

func (e textEncoding) String() string {
	switch e {
	case encUTF8:
		return "UTF-8"
	case encGB18030:
		return "GBK/GB18030"
	}
	return "ASCII"
}

var errRecordTooLong = fmt.Errorf("record longer than %d MB (an unterminated quote?)", maxRecordBytes>>20)

// limitedSource fails once too much has been read since the last reset. The
// CSV reader buffers ahead, so the count is per record plus one buffer.
type limitedSource struct {
	r io.Reader
	n int
}

func (l *limitedSource) reset() { l.n = 0 }

func (l *limitedSource) Read(p []byte) (int, error) {
	if l.n >= maxRecordBytes {
		return 0, errRecordTooLong
	}
	if len(p) > maxRecordBytes-l.n {
		p = p[:maxRecordBytes-l.n]
	}
	n, err := l.r.Read(p)
	l.n += n
	return n, err
}

// openSource wraps r for the CSV reader, drops a UTF-8 BOM, and decides the
// encoding from the first bytes when they contain any non-ASCII text.
func openSource(r io.Reader) (*bufio.Reader, *limitedSource, textEncoding, error) {
	lim := &limitedSource{r: r}
	br := bufio.NewReaderSize(lim, sniffBytes)
	head, err := br.Peek(sniffBytes)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, nil, 0, err
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		br.Discard(3)
		return br, lim, encUTF8, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return nil, nil, 0, fmt.Errorf("%w: the file is UTF-16 (Excel's \"Unicode text\"); save it as \"CSV UTF-8\" or plain CSV", siyu.ErrInvalid)
	}
	return br, lim, sniff(head, len(head) == sniffBytes), nil
}

// sniff decides the encoding of a file from its first bytes. truncated says
// the sample may end inside a character.
func sniff(head []byte, truncated bool) textEncoding {
	if isASCIIBytes(head) {
		return encUndecided
	}
	if truncated {
		// Do not count a character cut in half by the sample as invalid.
		for i := len(head) - 1; i >= 0 && i >= len(head)-utf8.UTFMax; i-- {
			if utf8.RuneStart(head[i]) {
				if !utf8.FullRune(head[i:]) {
					head = head[:i]
				}
				break
			}
		}
	}
	if looksUTF8(head) {
		return encUTF8
	}
	return encGB18030
}

// looksUTF8 says whether text is UTF-8 with at most a stray bad byte here
// and there (one broken cell must not turn a whole UTF-8 file into
// mojibake: that cell is reported instead). Chinese text in GBK almost
// never forms valid multi-byte UTF-8 sequences, so it fails this by far.
func looksUTF8(b []byte) bool {
	valid, invalid := 0, 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size <= 1:
			invalid++
		case size > 1:
			valid++
		}
		b = b[size:]
	}
	return invalid == 0 || valid >= 20*invalid
}

func isASCIIBytes(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// textDecoder turns the raw cells of a record into UTF-8 text.
type textDecoder struct {
	enc      textEncoding
	gb       transform.Transformer
	src, dst []byte // scratch for GB18030 decoding
}

// decide settles the encoding of a file that has shown only ASCII so far, by
// the first record that holds anything else.
func (d *textDecoder) decide(raw []string) {
	if d.enc != encUndecided {
		return
	}
	for _, s := range raw {
		if !isASCII(s) {
			d.enc = encUTF8
			break
		}
	}
	if d.enc == encUndecided {
		return
	}
	if !looksUTF8([]byte(strings.Join(raw, ""))) {
		d.enc = encGB18030
	}
}

// text decodes one cell. ok is false for a cell of a UTF-8 file that is not
// valid UTF-8; the text then has replacement characters.
func (d *textDecoder) text(s string) (text string, ok bool) {
	if isASCII(s) {
		return s, true
	}
	if d.enc != encGB18030 {
		if utf8.ValidString(s) {
			return s, true
		}
		return strings.ToValidUTF8(s, "\uFFFD"), false
	}
	if d.gb == nil {
		d.gb = simplifiedchinese.GB18030.NewDecoder()
	}
	d.gb.Reset()
	d.src = append(d.src[:0], s...)
	// Every GB18030 byte becomes at most three bytes of UTF-8 (an invalid
	// byte becomes U+FFFD), so one pass always fits.
	if need := 3*len(s) + utf8.UTFMax; cap(d.dst) < need {
		d.dst = make([]byte, need)
	}
	n, _, err := d.gb.Transform(d.dst[:cap(d.dst)], d.src, true)
	if err != nil {
		return strings.ToValidUTF8(s, "\uFFFD"), false
	}
	// The decoder turns bytes that are not GB18030 into U+FFFD; a real
	// U+FFFD in an order export does not happen, so it means a bad cell.
	text = string(d.dst[:n])
	return text, !strings.ContainsRune(text, utf8.RuneError)
}
