package rfm

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteText writes the report as plain text: the R×F grids of customers and
// of monetary, and the segment sizes. It is meant for a terminal and for
// checking a run by eye.
func (rep *Report) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "RFM as of %s (Asia/Shanghai), scoring: %s\n", rep.AsOf, rep.Scoring)
	fmt.Fprintf(w, "%d customers, monetary ¥%s\n", rep.Customers, rep.Monetary)
	grid := func(title string, cell func(Cell) string) error {
		fmt.Fprintf(w, "\n%s by R (rows) and F (columns)\n", title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "\tF1\tF2\tF3\tF4\tF5\t\n")
		for r := 5; r >= 1; r-- {
			fmt.Fprintf(tw, "R%d\t", r)
			for f := 1; f <= 5; f++ {
				fmt.Fprintf(tw, "%s\t", cell(rep.Grid[r-1][f-1]))
			}
			fmt.Fprint(tw, "\n")
		}
		return tw.Flush()
	}
	if err := grid("customers", func(c Cell) string { return fmt.Sprint(c.Customers) }); err != nil {
		return err
	}
	if err := grid("monetary ¥", func(c Cell) string { return c.Monetary.String() }); err != nil {
		return err
	}
	fmt.Fprint(w, "\nsegments\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	// The Chinese name goes last: tabwriter counts runes, not display width.
	fmt.Fprint(tw, "segment\tcustomers\tshare\tmonetary ¥\tshare\tname\n")
	for _, s := range rep.Segments {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", s.Segment, s.Customers, percent(int64(s.Customers), int64(rep.Customers)),
			s.Monetary, percent(int64(s.Monetary), int64(rep.Monetary)), s.Segment.Label())
	}
	return tw.Flush()
}

// percent formats part/whole as a percentage with one decimal.
func percent(part, whole int64) string {
	if whole == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(part)/float64(whole))
}
