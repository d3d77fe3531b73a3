package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// customerCmd answers a person's data requests (PIPL): export and erase.
func customerCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "customer", Short: "A person's data: export (access request) and erase (deletion request)"}
	for _, action := range []string{"export", "erase"} {
		var db dbFlags
		var workspace, who string
		var id int64
		c := &cobra.Command{
			Use:   action,
			Short: map[string]string{"export": "Print everything stored about a customer as JSON, phones and emails in clear", "erase": "Erase a customer's personal data (orders stay as anonymous revenue)"}[action],
			RunE: func(cmd *cobra.Command, args []string) error {
				st, w, err := db.openWorkspace(cmd.Context(), newLogger(), workspace)
				if err != nil {
					return err
				}
				defer st.Close()
				if action == "erase" {
					if err := st.EraseCustomer(cmd.Context(), w.ID, id, "cli:"+who); err != nil {
						return err
					}
					fmt.Printf("customer %d erased\n", id)
					return nil
				}
				data, err := st.ExportCustomer(cmd.Context(), w.ID, id)
				if err != nil {
					return err
				}
				return printJSON(data)
			},
		}
		db.register(c)
		c.Flags().StringVar(&workspace, "workspace", "", "workspace slug (required)")
		c.Flags().Int64Var(&id, "id", 0, "customer id (required)")
		c.Flags().StringVar(&who, "by", os.Getenv("USER"), "who asked, for the audit trail")
		c.MarkFlagRequired("workspace")
		c.MarkFlagRequired("id")
		cmd.AddCommand(c)
	}
	return cmd
}
