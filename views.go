package siyu

import (
	"strconv"
	"time"
)

// Customer360 is everything known about one customer, for the 360 page and
// GET /api/v1/customers/{id}.
type Customer360 struct {
	Customer   Customer      `json:"customer"`
	Identities []Identity    `json:"identities"`
	Orders     []Order       `json:"orders"`
	Contacts   []Contact     `json:"contacts"`
	Groups     []GroupMember `json:"groups"`
	Tags       []Tag         `json:"tags"`
	Timeline   []Event       `json:"timeline"`
	Merges     []Merge       `json:"merges"`
}

// CustomerQuery searches customers in one workspace. Query matches a name
// (substring), a phone (full number, any common spelling), or any identifier
// value exactly.
type CustomerQuery struct {
	Query  string
	Limit  int
	Offset int
}

// CustomerPage is one page of a customer search.
type CustomerPage struct {
	Customers []Customer `json:"customers"`
	Total     int        `json:"total"`
	// Capped says a search matched more customers than it counts: Total
	// is then a lower bound (narrow the search).
	Capped bool `json:"capped,omitempty"`
}

// ImportResult counts what one import did.
type ImportResult struct {
	Rows         int           `json:"rows"`
	Inserted     int           `json:"inserted"`  // new orders
	Updated      int           `json:"updated"`   // known orders whose amount, status or refund changed
	Unchanged    int           `json:"unchanged"` // known orders, nothing to do
	Rejected     int           `json:"rejected"`
	NewCustomers int           `json:"new_customers"`
	Merges       int           `json:"merges"`
	Errors       []RowError    `json:"errors,omitempty"`
	Elapsed      time.Duration `json:"elapsed_ns"`
}

// AddCounts adds another result's stored-row counts (inserted, updated,
// unchanged, new customers, merges) to r; rows, rejections and errors are
// the caller's to combine.
func (r *ImportResult) AddCounts(o ImportResult) {
	r.Inserted += o.Inserted
	r.Updated += o.Updated
	r.Unchanged += o.Unchanged
	r.NewCustomers += o.NewCustomers
	r.Merges += o.Merges
}

// RowError names a bad input row: file, line and field.
type RowError struct {
	File  string `json:"file,omitempty"`
	Line  int    `json:"line"`
	Field string `json:"field,omitempty"`
	Msg   string `json:"message"`
}

func (e RowError) Error() string {
	s := ""
	if e.File != "" {
		s = e.File + ":"
	}
	if e.Line > 0 {
		s += strconv.Itoa(e.Line) + ": "
	} else if s != "" {
		s += " "
	}
	if e.Field != "" {
		s += e.Field + ": "
	}
	return s + e.Msg
}

// PersonalData is everything stored about one person, with protected
// values (phones, emails) opened: the answer to a PIPL access request.
type PersonalData struct {
	Customer360
	Identifiers []Identifier `json:"identifiers"` // in clear
	ExportedAt  time.Time    `json:"exported_at"`
}
