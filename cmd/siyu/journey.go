package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"siyu.dev/siyu"
	"siyu.dev/siyu/journey"
	"siyu.dev/siyu/journey/runner"
	"siyu.dev/siyu/policy"
	"siyu.dev/siyu/store"
)

func journeyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "journey", Short: "Journeys: list, create from a template or a file, activate, pause, dry-run"}
	cmd.AddCommand(journeyListCmd(), journeyCreateCmd(), journeyStatusCmd("activate", store.JourneyActive), journeyStatusCmd("pause", store.JourneyPaused), journeyDryRunCmd())
	return cmd
}

// journeyAudit records a change made from the command line.
func journeyAudit(cmd *cobra.Command, st *store.Store, ws int64, action string, id int64, detail string) {
	actor := "cli"
	if u := os.Getenv("USER"); u != "" {
		actor = "cli:" + u
	}
	if err := st.Audit(cmd.Context(), ws, store.AuditEntry{Actor: actor, Action: action, Target: "journey:" + strconv.FormatInt(id, 10), Detail: detail}); err != nil {
		fmt.Fprintln(os.Stderr, "warning: audit:", err)
	}
}

func journeyListCmd() *cobra.Command {
	var db dbFlags
	var workspace string
	var asJSON bool
	c := &cobra.Command{
		Use:   "list",
		Short: "The workspace's journeys, and the templates to start one from",
		RunE: func(cmd *cobra.Command, args []string) error {
			st, w, err := db.openWorkspace(cmd.Context(), newLogger(), workspace)
			if err != nil {
				return err
			}
			defer st.Close()
			list, err := st.Journeys(cmd.Context(), w.ID)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(map[string]any{"journeys": list, "templates": journey.Builtins})
			}
			for _, j := range list {
				fmt.Printf("%d\t%s\t%s\tversion %d (live %d)\t%s\n", j.ID, j.Status, j.Name, j.Version, j.LiveVersion, j.Template)
			}
			if len(list) == 0 {
				fmt.Println("no journeys yet")
			}
			fmt.Println("\ntemplates (siyu journey create --template KEY):")
			for _, b := range journey.Builtins {
				fmt.Printf("  %-20s %s\n", b.Key, b.Name)
			}
			return nil
		},
	}
	db.register(c)
	c.Flags().StringVar(&workspace, "workspace", "", "workspace slug (required)")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	c.MarkFlagRequired("workspace")
	return c
}

func journeyCreateCmd() *cobra.Command {
	var db dbFlags
	var workspace, template, name, params, file string
	c := &cobra.Command{
		Use:   "create",
		Short: "Create a journey (in draft) from a template or from a definition file",
		Example: `  siyu journey create --workspace demo --template contact_welcome --name 新好友欢迎
  siyu journey create --workspace demo --template silent_reactivation --params '{"segment_id": 3}'
  siyu journey create --workspace demo --name 自定义 --file journey.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if (template == "") == (file == "") {
				return fmt.Errorf("give --template or --file, one of them")
			}
			st, w, err := db.openWorkspace(cmd.Context(), newLogger(), workspace)
			if err != nil {
				return err
			}
			defer st.Close()
			var j store.Journey
			if template != "" {
				var p journey.BuiltinParams
				if params != "" {
					if err := json.Unmarshal([]byte(params), &p); err != nil {
						return fmt.Errorf("--params: %w", err)
					}
				}
				j, err = runner.CreateBuiltin(cmd.Context(), st, w.ID, template, name, p)
			} else {
				body, rerr := os.ReadFile(file)
				if rerr != nil {
					return rerr
				}
				def, perr := journey.Parse(body)
				if perr != nil {
					return fmt.Errorf("%s: %w", file, perr)
				}
				j, err = st.CreateJourney(cmd.Context(), w.ID, name, "", def)
			}
			if err != nil {
				return err
			}
			journeyAudit(cmd, st, w.ID, "journey.create", j.ID, j.Name)
			fmt.Printf("journey %d %q created as %s (version %d); dry-run it, then: siyu journey activate --id %d\n", j.ID, j.Name, j.Status, j.Version, j.ID)
			return nil
		},
	}
	db.register(c)
	c.Flags().StringVar(&workspace, "workspace", "", "workspace slug (required)")
	c.Flags().StringVar(&template, "template", "", "a built-in template (siyu journey list shows them)")
	c.Flags().StringVar(&name, "name", "", "the journey's name (default: the template's)")
	c.Flags().StringVar(&params, "params", "", `the template's parameters as JSON, e.g. {"account": "founder"}`)
	c.Flags().StringVar(&file, "file", "", "a journey definition (JSON, see docs/JOURNEYS.md)")
	c.MarkFlagRequired("workspace")
	return c
}

func journeyStatusCmd(use, status string) *cobra.Command {
	var db dbFlags
	var workspace string
	var id int64
	c := &cobra.Command{
		Use:   use,
		Short: map[string]string{"activate": "Put the journey's latest version live", "pause": "Stop enrolling (people inside wait)"}[use],
		RunE: func(cmd *cobra.Command, args []string) error {
			st, w, err := db.openWorkspace(cmd.Context(), newLogger(), workspace)
			if err != nil {
				return err
			}
			defer st.Close()
			j, err := st.SetJourneyStatus(cmd.Context(), w.ID, id, status)
			if err != nil {
				return err
			}
			journeyAudit(cmd, st, w.ID, "journey."+use, j.ID, j.Name)
			fmt.Printf("journey %d %q is %s (live version %d)\n", j.ID, j.Name, j.Status, j.LiveVersion)
			return nil
		},
	}
	db.register(c)
	c.Flags().StringVar(&workspace, "workspace", "", "workspace slug (required)")
	c.Flags().Int64Var(&id, "id", 0, "the journey (required)")
	c.MarkFlagRequired("workspace")
	c.MarkFlagRequired("id")
	return c
}

func journeyDryRunCmd() *cobra.Command {
	var db dbFlags
	var workspace, from, to string
	var id int64
	var version int
	var asJSON bool
	c := &cobra.Command{
		Use:   "dry-run",
		Short: "Walk the journey over past events without sending anything: who would enter, what each step would do",
		RunE: func(cmd *cobra.Command, args []string) error {
			end := time.Now().UTC()
			if to != "" {
				t, err := time.ParseInLocation("2006-01-02", to, siyu.Shanghai)
				if err != nil {
					return fmt.Errorf("--to: %w", err)
				}
				end = t.AddDate(0, 0, 1).UTC()
			}
			start := end.AddDate(0, 0, -30)
			if from != "" {
				t, err := time.ParseInLocation("2006-01-02", from, siyu.Shanghai)
				if err != nil {
					return fmt.Errorf("--from: %w", err)
				}
				start = t.UTC()
			}
			st, w, err := db.openWorkspace(cmd.Context(), newLogger(), workspace)
			if err != nil {
				return err
			}
			defer st.Close()
			if version == 0 {
				j, err := st.Journey(cmd.Context(), w.ID, id)
				if err != nil {
					return err
				}
				version = j.Version
			}
			rep, err := runner.DryRun(cmd.Context(), st, policy.New(st), w.ID, id, version, start, end)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(rep)
			}
			fmt.Printf("journey %d version %d, %s to %s\n", rep.JourneyID, rep.Version, rep.From.In(siyu.Shanghai).Format("2006-01-02 15:04"), rep.To.In(siyu.Shanghai).Format("2006-01-02 15:04"))
			fmt.Printf("triggers %d, condition false %d, refused re-entry %d, entered %d, completed %d, still waiting %d\n",
				rep.Triggers, rep.NotMatched, rep.Reentry, rep.Entered, rep.Completed, rep.Waiting)
			for _, reason := range slices.Sorted(maps.Keys(rep.Exited)) {
				fmt.Printf("exited (%s) %d\n", reason, rep.Exited[reason])
			}
			for _, s := range rep.Steps {
				fmt.Printf("  %-16s %-10s reached %d", s.ID, s.Type, s.Reached)
				for _, k := range slices.Sorted(maps.Keys(s.Outcomes)) {
					fmt.Printf("  %s %d", k, s.Outcomes[k])
				}
				fmt.Println()
			}
			return nil
		},
	}
	db.register(c)
	c.Flags().StringVar(&workspace, "workspace", "", "workspace slug (required)")
	c.Flags().Int64Var(&id, "id", 0, "the journey (required)")
	c.Flags().IntVar(&version, "version", 0, "the version to walk (default: the latest)")
	c.Flags().StringVar(&from, "from", "", "first day, YYYY-MM-DD, Asia/Shanghai (default: 30 days before --to)")
	c.Flags().StringVar(&to, "to", "", "last day, YYYY-MM-DD (default: now)")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	c.MarkFlagRequired("workspace")
	c.MarkFlagRequired("id")
	return c
}
