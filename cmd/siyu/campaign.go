package main

import (
	"fmt"
	"os"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"siyu.dev/siyu"
	"siyu.dev/siyu/campaign"
	"siyu.dev/siyu/dispatch"
)

func campaignCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "campaign", Short: "Plan, launch and measure campaigns"}
	for _, part := range []string{"plan", "launch", "results"} {
		var db dbFlags
		var workspace string
		var id int64
		var asJSON bool
		c := &cobra.Command{
			Use: part,
			Short: map[string]string{
				"plan":    "Preview who receives a campaign and who is skipped and why",
				"launch":  "Plan a campaign for the last time and hand its deliveries to dispatch (idempotent)",
				"results": "Sends, conversions and uplift per variant against the holdout",
			}[part],
			RunE: func(cmd *cobra.Command, args []string) error {
				ctx := cmd.Context()
				st, w, err := db.openWorkspace(ctx, newLogger(), workspace)
				if err != nil {
					return err
				}
				defer st.Close()
				// Launching only queues the sends; siyu serve or siyu dispatch
				// run delivers them.
				svc := campaign.New(st, dispatch.New(st, nil, dispatch.Options{}))
				var out any
				switch part {
				case "plan":
					p, err := svc.Plan(ctx, w.ID, id)
					if err != nil {
						return err
					}
					if !asJSON {
						printPlan(p)
						return nil
					}
					out = p
				case "launch":
					r, err := svc.Launch(ctx, w.ID, id)
					if err != nil {
						return err
					}
					if !asJSON {
						printPlan(r.Plan)
						if r.AlreadyLaunched {
							fmt.Println("already launched: nothing new queued")
						} else {
							fmt.Printf("queued %d deliveries\n", r.Enqueued)
						}
						return nil
					}
					out = r
				case "results":
					r, err := svc.Results(ctx, w.ID, id)
					if err != nil {
						return err
					}
					if !asJSON {
						printResults(r)
						return nil
					}
					out = r
				}
				return printJSON(out)
			},
		}
		db.register(c)
		c.Flags().StringVar(&workspace, "workspace", "", "workspace slug (required)")
		c.Flags().Int64Var(&id, "id", 0, "campaign id (required)")
		c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
		c.MarkFlagRequired("workspace")
		c.MarkFlagRequired("id")
		cmd.AddCommand(c)
	}
	return cmd
}

func printPlan(p campaign.Plan) {
	fmt.Printf("campaign %d at %s: audience %d, receive %d (%d after quiet hours)\n",
		p.CampaignID, p.SendAt.In(siyu.Shanghai).Format("2006-01-02 15:04"), p.Audience, p.Receive, p.Deferred)
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	reasons := make([]string, 0, len(p.Skipped))
	for r := range p.Skipped {
		reasons = append(reasons, string(r))
	}
	sort.Strings(reasons)
	fmt.Fprintln(tw, "skipped because\tpeople\texamples")
	for _, r := range reasons {
		fmt.Fprintf(tw, "%s\t%d\t%v\n", r, p.Skipped[siyu.SkipReason(r)], p.Samples[r])
	}
	fmt.Fprintln(tw, "\naccount\treceive\tover quota")
	for _, a := range p.ByAccount {
		fmt.Fprintf(tw, "%s\t%d\t%d\n", a.Sender, a.Receive, a.Skipped)
	}
	fmt.Fprintln(tw, "\nvariant\treceive\tskipped")
	for _, v := range p.ByVariant {
		fmt.Fprintf(tw, "%s\t%d\t%d\n", v.Variant, v.Receive, v.Skipped)
	}
	tw.Flush()
}

func printResults(r campaign.Results) {
	fmt.Printf("campaign %d: orders paid %s – %s (%d days)\n", r.CampaignID,
		r.SendAt.In(siyu.Shanghai).Format("2006-01-02 15:04"), r.WindowEnd.In(siyu.Shanghai).Format("2006-01-02 15:04"), r.AttributionDays)
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "group\trecipients\tsent\tfailed\tpending\tconverted\trate\trevenue\tuplift")
	for _, g := range r.Groups {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%.2f%%\t%s\t%+.2f pt\n", g.Group, g.Recipients, g.Sent, g.Failed, g.Pending,
			g.Converted, g.ConversionRate*100, g.Revenue, g.Uplift*100)
	}
	tw.Flush()
}
