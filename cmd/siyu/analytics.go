package main

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"siyu.dev/siyu/analytics"
	"siyu.dev/siyu/analytics/lifecycle"
	"siyu.dev/siyu/analytics/rfm"
)

func analyticsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "analytics", Short: "RFM, lifecycle, cohorts, CLV and funnels of a workspace"}
	for _, part := range []string{"refresh", "rfm", "lifecycle", "cohorts", "clv", "funnel"} {
		var db dbFlags
		var workspace, asOf, scoring string
		var period, from, to string
		var asJSON bool
		c := &cobra.Command{
			Use: part,
			Short: map[string]string{"refresh": "Recompute and store the dashboard snapshot", "rfm": "RFM scores, the R×F grid and segments",
				"lifecycle": "Lifecycle stage counts and monthly flows", "cohorts": "Monthly cohorts, retention, repurchase, inter-purchase times",
				"clv": "BG/NBD + Gamma-Gamma customer lifetime value", "funnel": "Funnels by channel code and by first-order source"}[part],
			RunE: func(cmd *cobra.Command, args []string) error {
				ctx := cmd.Context()
				st, w, err := db.openWorkspace(ctx, newLogger(), workspace)
				if err != nil {
					return err
				}
				defer st.Close()
				if part == "lifecycle" && (period != "" || from != "" || to != "") {
					return lifecycleFlows(cmd, analytics.NewService(st), w.ID, period, from, to, asJSON)
				}
				cfg := analytics.Config{}
				if asOf != "" {
					d, err := rfm.ParseDay(asOf)
					if err != nil {
						return fmt.Errorf("--as-of: %w", err)
					}
					cfg.RFM.AsOf = d.Time()
				}
				if scoring != "" {
					if err := cfg.RFM.Scoring.UnmarshalText([]byte(scoring)); err != nil {
						return fmt.Errorf("--scoring: %w", err)
					}
				}
				start := time.Now()
				snap, err := analytics.Refresh(ctx, st, w.ID, cfg)
				if err != nil {
					return err
				}
				var out any = snap
				switch part {
				case "rfm":
					if !asJSON {
						return snap.RFM.WriteText(os.Stdout)
					}
					out = snap.RFM
				case "lifecycle":
					out = map[string]any{"stages": snap.Stages, "flow": snap.Flow}
				case "cohorts":
					out = snap.Cohorts
				case "clv":
					out = snap.CLV
				case "funnel":
					out = map[string]any{"by_code": snap.ByCode, "by_source": snap.BySource}
				case "refresh":
					if !asJSON {
						fmt.Printf("customers %d, buyers %d, orders %d, computed in %.2fs\n", snap.Customers, snap.Buyers, snap.Orders, time.Since(start).Seconds())
						for _, k := range slices.Sorted(maps.Keys(snap.Timings)) {
							fmt.Printf("  %-15s %.3fs\n", k, snap.Timings[k].Seconds())
						}
						return nil
					}
				}
				return printJSON(out)
			},
		}
		db.register(c)
		c.Flags().StringVar(&workspace, "workspace", "", "workspace slug (required)")
		c.Flags().StringVar(&asOf, "as-of", "", "RFM as-of date, YYYY-MM-DD (default: the day after the last order)")
		c.Flags().StringVar(&scoring, "scoring", "", "RFM scoring: quintiles (default) or fixed")
		c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
		if part == "lifecycle" {
			c.Flags().StringVar(&period, "period", "", "instead of the snapshot's 12 months: flows by day, week or month over --from..--to, with every transition")
			c.Flags().StringVar(&from, "from", "", "first day, YYYY-MM-DD (default: 29 days before --to)")
			c.Flags().StringVar(&to, "to", "", "last day, YYYY-MM-DD (default: today, Asia/Shanghai)")
		}
		c.MarkFlagRequired("workspace")
		cmd.AddCommand(c)
	}
	var db dbFlags
	var workspace, out string
	var n int
	top := &cobra.Command{
		Use:   "top",
		Short: "The N best customers by RFM, as CSV (the list to add on WeChat)",
		RunE: func(cmd *cobra.Command, args []string) error {
			st, w, err := db.openWorkspace(cmd.Context(), newLogger(), workspace)
			if err != nil {
				return err
			}
			defer st.Close()
			best, err := analytics.NewService(st).TopRFM(cmd.Context(), w.ID, n)
			if err != nil {
				return err
			}
			f := os.Stdout
			if out != "" && out != "-" {
				if f, err = os.Create(out); err != nil {
					return err
				}
				defer f.Close()
			}
			return rfm.WriteCSV(f, best)
		},
	}
	db.register(top)
	top.Flags().StringVar(&workspace, "workspace", "", "workspace slug (required)")
	top.Flags().IntVarP(&n, "n", "n", 500, "how many")
	top.Flags().StringVarP(&out, "out", "o", "-", "CSV file (default stdout)")
	top.MarkFlagRequired("workspace")
	cmd.AddCommand(top)
	return cmd
}

// lifecycleFlows prints a workspace's lifecycle flows over a chosen range:
// the stage counts of every period and every transition.
func lifecycleFlows(cmd *cobra.Command, svc *analytics.Service, ws int64, period, from, to string, asJSON bool) error {
	r, err := lifecycle.ParseRange(period, from, to, rfm.DayOf(time.Now()))
	var bad *lifecycle.RangeError
	if errors.As(err, &bad) {
		return fmt.Errorf("--%s: %w", bad.Field, bad.Err)
	}
	flow, err := svc.LifecycleFlows(cmd.Context(), ws, r)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(map[string]any{"flow": flow, "transitions": flow.Transitions()})
	}
	fmt.Printf("%-10s", "start")
	for _, st := range lifecycle.Stages[1:] {
		fmt.Printf(" %12s", st)
	}
	fmt.Println("   (customers at the end of the period)")
	for _, b := range flow.Buckets {
		fmt.Printf("%-10s", b.Start)
		for _, st := range lifecycle.Stages[1:] {
			fmt.Printf(" %12d", b.Close[st])
		}
		fmt.Println()
	}
	fmt.Println()
	fmt.Println("transitions:")
	for _, t := range flow.Transitions() {
		fmt.Printf("%s  %s → %s  %d\n", t.Start, t.From, t.To, t.Count)
	}
	return nil
}
