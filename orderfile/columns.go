package orderfile

import (
	"fmt"
	"strconv"
	"strings"

	"siyu.dev/siyu"
)

// columns finds columns by header name.
type columns struct {
	names []string
	key   func(string) string
	index map[string]int
	dup   map[string]int // key -> second position, for names that repeat
}

func newColumns(names []string, key func(string) string) *columns {
	c := &columns{names: names, key: key, index: make(map[string]int, len(names)), dup: map[string]int{}}
	for i, n := range names {
		if n == "" {
			continue
		}
		k := key(n)
		if _, ok := c.index[k]; ok {
			if _, seen := c.dup[k]; !seen {
				c.dup[k] = i
			}
			continue
		}
		c.index[k] = i
	}
	return c
}

// find returns the index of the named column, or -1.
func (c *columns) find(name string) int {
	if i, ok := c.index[c.key(name)]; ok {
		return i
	}
	return -1
}

// has reports whether every named column is present.
func (c *columns) has(names ...string) bool {
	for _, n := range names {
		if c.find(n) < 0 {
			return false
		}
	}
	return true
}

// checkUsed fails if a column the parser reads appears twice: which one is
// meant cannot be guessed.
func (c *columns) checkUsed(used ...int) error {
	for _, i := range used {
		if i < 0 {
			continue
		}
		if j, ok := c.dup[c.key(c.names[i])]; ok {
			return fmt.Errorf("%w: header: column %s appears twice (columns %d and %d)", siyu.ErrInvalid, c.names[i], i+1, j+1)
		}
	}
	return nil
}

// missingColumns is the error for a header without required columns; hint
// says what the file seems to be instead, if anything.
func missingColumns(missing []string, hint string) error {
	msg := strings.Join(missing, ", ")
	if hint != "" {
		msg += " (" + hint + ")"
	}
	return fmt.Errorf("%w: header: missing required column(s) %s", siyu.ErrInvalid, msg)
}

// identifierIndex parses the index out of a Prepare field name such as
// "identifiers[2].phone".
func identifierIndex(field string) (int, bool) {
	rest, ok := strings.CutPrefix(field, "identifiers[")
	if !ok {
		return 0, false
	}
	num, _, ok := strings.Cut(rest, "]")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(num)
	return i, err == nil && i >= 0
}

// badCell builds the error for one cell; the Reader adds the line.
func badCell(names []string, col int, format string, args ...any) error {
	field := ""
	if col >= 0 && col < len(names) {
		field = names[col]
	}
	return siyu.RowError{Field: field, Msg: fmt.Sprintf(format, args...)}
}
