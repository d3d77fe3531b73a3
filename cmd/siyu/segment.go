package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"siyu.dev/siyu/segment"
)

func segmentCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "segment", Short: "Segments: preview a rule, list and refresh saved segments"}
	cmd.AddCommand(segmentPreviewCmd(), segmentListCmd(), segmentRefreshCmd())
	return cmd
}

func segmentPreviewCmd() *cobra.Command {
	var db dbFlags
	var workspace string
	var sample int
	cmd := &cobra.Command{
		Use:   "preview RULE",
		Short: "Count (and show some of) the customers a rule selects",
		Example: `  siyu segment preview --workspace demo 'stage == "silent" and monetary >= 500元'
  siyu segment preview --workspace demo 'count("moment.liked", 30d, "topic", "skincare") >= 3'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rule, err := segment.Parse(args[0])
			var pe *segment.Error
			if errors.As(err, &pe) && !strings.Contains(args[0], "\n") {
				return fmt.Errorf("rule %s\n  %s\n  %*s^", pe, args[0], pe.Pos.Col-1, "")
			}
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			st, w, err := db.openWorkspace(ctx, newLogger(), workspace)
			if err != nil {
				return err
			}
			defer st.Close()
			start := time.Now()
			n, err := st.CountRule(ctx, w.ID, rule, start)
			if err != nil {
				return err
			}
			took := time.Since(start)
			fmt.Printf("%d customers match (counted in %s)\n", n, took.Round(time.Millisecond))
			if sample > 0 {
				cs, err := st.SampleRule(ctx, w.ID, rule, start, sample)
				if err != nil {
					return err
				}
				for _, c := range cs {
					fmt.Printf("  %d\t%s\t%s\t%s\n", c.ID, c.Name, c.City, c.TotalPaid)
				}
			}
			return nil
		},
	}
	db.register(cmd)
	cmd.Flags().StringVar(&workspace, "workspace", "", "workspace slug (required)")
	cmd.Flags().IntVar(&sample, "sample", 10, "how many matching customers to show")
	cmd.MarkFlagRequired("workspace")
	return cmd
}

func segmentListCmd() *cobra.Command {
	var db dbFlags
	var workspace string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List a workspace's saved segments as JSON",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			st, w, err := db.openWorkspace(ctx, newLogger(), workspace)
			if err != nil {
				return err
			}
			defer st.Close()
			list, err := st.Segments(ctx, w.ID)
			if err != nil {
				return err
			}
			enc := json.NewEncoder(os.Stdout)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			return enc.Encode(list)
		},
	}
	db.register(cmd)
	cmd.Flags().StringVar(&workspace, "workspace", "", "workspace slug (required)")
	cmd.MarkFlagRequired("workspace")
	return cmd
}

func segmentRefreshCmd() *cobra.Command {
	var db dbFlags
	var workspace string
	var id int64
	cmd := &cobra.Command{
		Use:   "refresh",
		Short: "Recompute saved segments now: one (--workspace and --id) or all of every workspace",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			log := newLogger()
			print := func(r segment.Refresh) {
				fmt.Printf("workspace %d segment %d: %d members, %d entered, %d exited, %s\n",
					r.WorkspaceID, r.SegmentID, r.Members, r.Entered, r.Exited, r.Took.Round(time.Millisecond))
			}
			if id != 0 {
				st, w, err := db.openWorkspace(ctx, log, workspace)
				if err != nil {
					return err
				}
				defer st.Close()
				r, err := st.RefreshSegment(ctx, w.ID, id)
				if err != nil {
					return err
				}
				print(r)
				return nil
			}
			st, err := db.open(ctx, log)
			if err != nil {
				return err
			}
			defer st.Close()
			worker := segment.Worker{Store: st}
			done, err := worker.RefreshAll(ctx)
			for _, r := range done {
				print(r)
			}
			return err
		},
	}
	db.register(cmd)
	cmd.Flags().StringVar(&workspace, "workspace", "", "workspace slug (with --id)")
	cmd.Flags().Int64Var(&id, "id", 0, "the segment to refresh; without it every segment is")
	return cmd
}
