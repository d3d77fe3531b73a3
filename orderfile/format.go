package orderfile

import (
	"fmt"
	"strings"

	"siyu.dev/siyu"
)

// Format names a file layout.
type Format string

// The supported formats.
const (
	FormatGeneric Format = "generic"
	FormatTaobao  Format = "taobao"
)

// Formats lists the supported formats.
var Formats = []Format{FormatGeneric, FormatTaobao}

// ParseFormat turns a user-supplied name ("taobao", " Generic ") into a Format.
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	for _, x := range Formats {
		if x == f {
			return f, nil
		}
	}
	return "", fmt.Errorf("%w: unknown file format %q (want generic or taobao)", siyu.ErrInvalid, s)
}

// Options adjusts how a file is read.
type Options struct {
	// Channel, when set, overrides the channel of every row in a taobao file
	// (instead of telling taobao from tmall by a 店铺类型/订单类型 column),
	// and is the channel of generic rows whose channel cell is empty (the
	// channel column is then optional).
	Channel siyu.Channel
}
