package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
)

func accountCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "account", Short: "Manage WeCom accounts (personas) and the people who act as them"}
	var workspace, account, users string

	var db dbFlags
	operators := &cobra.Command{
		Use:   "operators",
		Short: "Set who acts as an account: --users takes console logins, comma-separated (empty clears)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, w, err := db.openWorkspace(cmd.Context(), newLogger(), workspace)
			if err != nil {
				return err
			}
			defer st.Close()
			a, err := findAccount(cmd.Context(), st, w.ID, account)
			if err != nil {
				return err
			}
			var ids []int64
			for _, login := range strings.Split(users, ",") {
				if login = strings.TrimSpace(login); login == "" {
					continue
				}
				u, err := st.UserByLogin(cmd.Context(), login)
				if err != nil {
					return fmt.Errorf("user %q: %w", login, err)
				}
				ids = append(ids, u.ID)
			}
			if err := st.SetAccountOperators(cmd.Context(), w.ID, a.ID, ids, store.Actor{Name: "cli"}); err != nil {
				return err
			}
			fmt.Printf("account %s (%s): %d operator(s)\n", a.WeComUserID, store.PersonaName(a), len(ids))
			return nil
		},
	}
	db.register(operators)
	operators.Flags().StringVar(&workspace, "workspace", "", "workspace slug")
	operators.Flags().StringVar(&account, "account", "", "the account's WeCom userid")
	operators.Flags().StringVar(&users, "users", "", "console logins, comma-separated")
	operators.MarkFlagRequired("workspace")
	operators.MarkFlagRequired("account")

	var listDB dbFlags
	var listWorkspace string
	list := &cobra.Command{
		Use:   "list",
		Short: "List the accounts with their personas and operators",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, w, err := listDB.openWorkspace(cmd.Context(), newLogger(), listWorkspace)
			if err != nil {
				return err
			}
			defer st.Close()
			accounts, err := st.Accounts(cmd.Context(), w.ID)
			if err != nil {
				return err
			}
			ops, err := st.AccountOperators(cmd.Context(), w.ID)
			if err != nil {
				return err
			}
			members, err := st.WorkspaceMembers(cmd.Context(), w.ID)
			if err != nil {
				return err
			}
			logins := map[int64]string{}
			for _, m := range members {
				logins[m.UserID] = m.Login
			}
			tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "USERID\tNAME\tPERSONA\tACTIVE\tOPERATORS")
			for _, a := range accounts {
				var names []string
				for _, id := range ops[a.ID] {
					names = append(names, logins[id])
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\n", a.WeComUserID, a.Name, a.Persona, a.Active, strings.Join(names, ","))
			}
			return tw.Flush()
		},
	}
	listDB.register(list)
	list.Flags().StringVar(&listWorkspace, "workspace", "", "workspace slug")
	list.MarkFlagRequired("workspace")

	var deDB dbFlags
	var deWorkspace, deAccount string
	deactivate := &cobra.Command{
		Use:   "deactivate",
		Short: "Mark an account inactive (the member left) and rehome its open tasks",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, w, err := deDB.openWorkspace(cmd.Context(), newLogger(), deWorkspace)
			if err != nil {
				return err
			}
			defer st.Close()
			a, err := findAccount(cmd.Context(), st, w.ID, deAccount)
			if err != nil {
				return err
			}
			res, err := st.DeactivateAccount(cmd.Context(), w.ID, a.ID, store.Actor{Name: "cli"})
			if err != nil {
				return err
			}
			fmt.Printf("account %s deactivated: %d task(s) moved, %d to the pool, %d cancelled\n", a.WeComUserID, res.Moved, res.ToPool, res.Cancelled)
			return nil
		},
	}
	deDB.register(deactivate)
	deactivate.Flags().StringVar(&deWorkspace, "workspace", "", "workspace slug")
	deactivate.Flags().StringVar(&deAccount, "account", "", "the account's WeCom userid")
	deactivate.MarkFlagRequired("workspace")
	deactivate.MarkFlagRequired("account")

	cmd.AddCommand(operators, list, deactivate)
	return cmd
}

// findAccount finds an account by its WeCom userid.
func findAccount(ctx context.Context, st *store.Store, ws int64, userID string) (siyu.Account, error) {
	accounts, err := st.Accounts(ctx, ws)
	if err != nil {
		return siyu.Account{}, err
	}
	for _, a := range accounts {
		if a.WeComUserID == strings.TrimSpace(userID) {
			return a, nil
		}
	}
	return siyu.Account{}, fmt.Errorf("no account with WeCom userid %q in this workspace: %w", userID, siyu.ErrNotFound)
}
