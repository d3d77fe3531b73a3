package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"siyu.dev/siyu/importer"
	"siyu.dev/siyu/orderfile"
)

func importCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "import", Short: "Import data files"}
	var db dbFlags
	var workspace, format, rejects string
	var strict, quiet bool
	orders := &cobra.Command{
		Use:   "orders FILE",
		Short: "Import an order export (generic UTF-8 CSV or the Taobao/Tmall GBK export); re-importing adds nothing",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			f, err := orderfile.ParseFormat(format)
			if err != nil {
				return err
			}
			st, w, err := db.openWorkspace(ctx, newLogger(), workspace)
			if err != nil {
				return err
			}
			defer st.Close()
			path := args[0]
			if rejects == "" {
				rejects = path + ".rejects.csv"
			}
			os.Remove(rejects) // a stale rejects file from an earlier run would mislead
			opts := importer.Options{Format: f, Strict: strict, RejectsPath: rejects}
			if !quiet {
				opts.Progress = os.Stderr
			}
			res, err := importer.File(ctx, st, w.ID, path, opts)
			fmt.Printf("rows %d, inserted %d, updated %d, unchanged %d, rejected %d, new customers %d, merges %d, %.1fs\n",
				res.Rows, res.Inserted, res.Updated, res.Unchanged, res.Rejected, res.NewCustomers, res.Merges, res.Elapsed.Seconds())
			for i, e := range res.Errors {
				if i == 20 {
					fmt.Printf("... and %d more\n", res.Rejected-20)
					break
				}
				fmt.Println(e.Error())
			}
			if res.Rejected > 0 && !strict {
				fmt.Printf("rejected rows written to %s\n", rejects)
			}
			if errors.Is(err, importer.ErrStrict) {
				return fmt.Errorf("%w (%d bad rows; see %s)", err, res.Rejected, rejects)
			}
			return err
		},
	}
	db.register(orders)
	orders.Flags().StringVar(&workspace, "workspace", "", "workspace slug (required)")
	orders.Flags().StringVar(&format, "format", "generic", "generic or taobao")
	orders.Flags().BoolVar(&strict, "strict", false, "import nothing if any row is bad")
	orders.Flags().StringVar(&rejects, "rejects", "", "where to write rejected rows (default FILE.rejects.csv)")
	orders.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress output")
	orders.MarkFlagRequired("workspace")
	cmd.AddCommand(orders)
	return cmd
}
