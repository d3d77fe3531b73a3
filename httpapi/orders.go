package httpapi

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"siyu.dev/siyu"
)

// postOrders imports a batch of orders. Re-sending a batch is safe: orders
// are keyed by (channel, external_id), so known orders are updated or left
// alone, never duplicated.
func (a *api) postOrders(w http.ResponseWriter, r *http.Request) error {
	strict, err := boolParam(r, "strict")
	if err != nil {
		return err
	}
	body, err := readJSONBody(w, r)
	if err != nil {
		return err
	}
	rows, err := decodeBatch[siyu.OrderInput](body, "orders")
	if err != nil {
		return err
	}
	for i := range rows {
		rows[i].Line = i + 1
	}
	if strict {
		if bad := invalidOrders(rows); len(bad) > 0 {
			return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_rows", Field: bad[0].Field, Rows: bad,
				Message: fmt.Sprintf("%d of %d orders are invalid; nothing was stored (strict mode)", len(bad), len(rows))}
		}
	}
	// Rows out of bounds never reach the store; the rest are prepared there
	// and rejected ones come back in the result.
	var outOfBounds []siyu.RowError
	good := rows[:0:0]
	for _, row := range rows {
		if err := checkBounds(row); err != nil {
			outOfBounds = append(outOfBounds, rowError(err, "orders", row.Line))
		} else {
			good = append(good, row)
		}
	}
	res := siyu.ImportResult{}
	if len(good) > 0 {
		res, err = a.store.ImportOrders(r.Context(), tokenFrom(r.Context()).WorkspaceID, good, "api")
		if err != nil {
			return err
		}
	}
	for i, e := range res.Errors {
		res.Errors[i].Field = rowField("orders", e.Line, e.Field)
	}
	res.Rows = len(rows)
	res.Rejected += len(outOfBounds)
	res.Errors = append(res.Errors, outOfBounds...)
	slices.SortStableFunc(res.Errors, func(a, b siyu.RowError) int { return cmp.Compare(a.Line, b.Line) })
	writeJSON(w, http.StatusOK, res)
	return nil
}

// maxFen bounds every amount of an order (¥10 billion) so that sums over
// millions of orders cannot overflow int64 in the database.
const maxFen = siyu.MaxAmount

// maxQuantity bounds an item's quantity for the same reason.
const maxQuantity = 1_000_000

// checkBounds refuses amounts no real order has; the field names are the
// ones Prepare uses.
func checkBounds(o siyu.OrderInput) error {
	bad := func(field, format string, args ...any) error {
		return siyu.RowError{Line: o.Line, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	if o.Amount > maxFen {
		return bad("amount", "amount %s is more than %s", o.Amount, maxFen)
	}
	if o.Refund > maxFen {
		return bad("refund", "refund %s is more than %s", o.Refund, maxFen)
	}
	for i, it := range o.Items {
		if it.Price > maxFen || it.Quantity > maxQuantity {
			return bad(fmt.Sprintf("items[%d]", i), "price above %s or quantity above %d", maxFen, maxQuantity)
		}
	}
	return nil
}

// invalidOrders runs Prepare on copies of the rows (the store prepares the
// originals again) and returns every failure.
func invalidOrders(rows []siyu.OrderInput) []siyu.RowError {
	var bad []siyu.RowError
	for _, row := range rows {
		err := checkBounds(row)
		if err == nil {
			err = row.Prepare()
		}
		if err != nil {
			bad = append(bad, rowError(err, "orders", row.Line))
		}
	}
	return bad
}

// rowError turns a Prepare error into a RowError whose field is the JSON
// path of the request: orders[3].channel.
func rowError(err error, key string, line int) siyu.RowError {
	re, ok := err.(siyu.RowError)
	if !ok {
		re = siyu.RowError{Msg: err.Error()}
	}
	re.Line = line
	re.Field = rowField(key, line, re.Field)
	return re
}

// Prepare names a few fields by their Go meaning; the API names them by
// their JSON keys.
var preparedFieldToJSON = map[string]string{
	"amount": "amount_fen",
	"refund": "refund_fen",
}

// rowField names field of the 1-based row line as a JSON path.
func rowField(key string, line int, field string) string {
	if line < 1 {
		return field
	}
	path := fmt.Sprintf("%s[%d]", key, line-1)
	if j, ok := preparedFieldToJSON[field]; ok {
		field = j
	}
	// Prepare names an identifier by its kind ("identifiers[0].phone"); the
	// JSON path stops at the array element.
	if strings.HasPrefix(field, "identifiers[") {
		if i := strings.IndexByte(field, ']'); i > 0 {
			field = field[:i+1]
		}
	}
	if field == "" {
		return path
	}
	return path + "." + field
}

func boolParam(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, badRequest("invalid_parameter", name, "%s must be true or false, not %q", name, v)
	}
	return b, nil
}
