package rfm

import (
	"encoding/csv"
	"io"
	"strconv"
)

// CSVHeader is the header row WriteCSV writes.
var CSVHeader = []string{"rank", "customer_id", "segment", "segment_name", "rfm", "r", "f", "m", "recency_days", "last_order", "orders", "monetary_yuan"}

// WriteCSV writes results in the given order, one row each, ranked from 1,
// for example the list Top returns. The file starts with a UTF-8 byte order
// mark so that Excel shows the Chinese segment names; money is in yuan with
// two decimals, dates are Shanghai days.
func WriteCSV(w io.Writer, results []Result) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	row := make([]string, len(CSVHeader))
	for i, r := range results {
		row[0] = strconv.Itoa(i + 1)
		row[1] = strconv.FormatInt(r.Customer, 10)
		row[2] = r.Segment.String()
		row[3] = r.Segment.Label()
		row[4] = r.Code()
		row[5] = strconv.Itoa(int(r.R))
		row[6] = strconv.Itoa(int(r.F))
		row[7] = strconv.Itoa(int(r.M))
		row[8] = strconv.Itoa(r.Recency)
		row[9] = r.LastOrder.String()
		row[10] = strconv.Itoa(r.Frequency)
		row[11] = r.Monetary.String()
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
