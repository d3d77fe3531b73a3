package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
)

func tagsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "tags", Short: "Keyword auto-tags and opt-out keywords over messages and comments"}

	var db dbFlags
	var workspace string
	var rule int64
	backfill := &cobra.Command{
		Use:   "backfill",
		Short: "Apply keyword rules to the messages and comments already recorded, then opt-out keywords to any not yet read",
		Long: "Recomputes every enabled keyword rule (or --rule) over the text within its window: people who match get the tag,\n" +
			"people the rule tagged who no longer match lose it. Then reads the messages and comments recorded since the last pass\n" +
			"for keyword rules and opt-out keywords, as the server does every minute.",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			st, w, err := db.openWorkspace(ctx, newLogger(), workspace)
			if err != nil {
				return err
			}
			defer st.Close()
			start := time.Now()
			refreshed, err := st.RefreshTagRules(ctx, w.ID, rule)
			if err != nil {
				return err
			}
			inbound, err := st.ProcessInbound(ctx, w.ID)
			if err != nil {
				return err
			}
			enc := json.NewEncoder(os.Stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(map[string]any{"rules": refreshed, "inbound": inbound}); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "done in %.2fs\n", time.Since(start).Seconds())
			return nil
		},
	}
	db.register(backfill)
	backfill.Flags().StringVar(&workspace, "workspace", "", "workspace slug (required)")
	backfill.Flags().Int64Var(&rule, "rule", 0, "only this rule id (default: every enabled rule)")
	backfill.MarkFlagRequired("workspace")
	cmd.AddCommand(backfill)
	return cmd
}
