package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"siyu.dev/siyu"
	"siyu.dev/siyu/auth"
)

func workspaceCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "workspace", Short: "Manage workspaces"}
	var db dbFlags
	create := &cobra.Command{
		Use:   "create SLUG [NAME]",
		Short: "Create a workspace",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := db.open(cmd.Context(), newLogger())
			if err != nil {
				return err
			}
			defer st.Close()
			name := args[0]
			if len(args) == 2 {
				name = args[1]
			}
			w, err := st.CreateWorkspace(cmd.Context(), args[0], name)
			if err != nil {
				return err
			}
			fmt.Printf("workspace %s (id %d) created\n", w.Slug, w.ID)
			return nil
		},
	}
	db.register(create)
	cmd.AddCommand(create)
	return cmd
}

func userCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage console users"}
	var db dbFlags
	var login, name, workspace, role string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a console user (password from SIYU_PASSWORD or prompted on stdin) and give them a role in a workspace",
		RunE: func(cmd *cobra.Command, args []string) error {
			st, w, err := db.openWorkspace(cmd.Context(), newLogger(), workspace)
			if err != nil {
				return err
			}
			defer st.Close()
			pw := os.Getenv("SIYU_PASSWORD")
			if pw == "" {
				fmt.Fprint(os.Stderr, "password: ")
				if _, err := fmt.Fscanln(os.Stdin, &pw); err != nil {
					return fmt.Errorf("reading password: %w", err)
				}
			}
			hash, err := auth.HashPassword(pw)
			if err != nil {
				return err
			}
			u, err := st.CreateUser(cmd.Context(), login, name, hash)
			if err != nil {
				return err
			}
			if err := st.SetMembership(cmd.Context(), w.ID, u.ID, siyu.Role(role)); err != nil {
				return err
			}
			fmt.Printf("user %s created, %s of %s\n", u.Login, role, w.Slug)
			return nil
		},
	}
	db.register(create)
	create.Flags().StringVar(&login, "login", "", "login name (required)")
	create.Flags().StringVar(&name, "name", "", "display name")
	create.Flags().StringVar(&workspace, "workspace", "", "workspace slug (required)")
	create.Flags().StringVar(&role, "role", "operator", "admin, operator or analyst")
	create.MarkFlagRequired("login")
	create.MarkFlagRequired("workspace")
	cmd.AddCommand(create)
	return cmd
}

func tokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Manage REST API tokens"}
	var db dbFlags
	var workspace, name, role string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an API token; the secret is printed once and only its hash is stored",
		RunE: func(cmd *cobra.Command, args []string) error {
			st, w, err := db.openWorkspace(cmd.Context(), newLogger(), workspace)
			if err != nil {
				return err
			}
			defer st.Close()
			secret := auth.NewToken("siyu_")
			if _, err := st.CreateAPIToken(cmd.Context(), w.ID, name, siyu.Role(role), auth.HashToken(secret), auth.TokenPrefix(secret)); err != nil {
				return err
			}
			fmt.Println(secret)
			return nil
		},
	}
	db.register(create)
	create.Flags().StringVar(&workspace, "workspace", "", "workspace slug (required)")
	create.Flags().StringVar(&name, "name", "cli", "a name to recognise the token by")
	create.Flags().StringVar(&role, "role", "operator", "admin, operator or analyst")
	create.MarkFlagRequired("workspace")
	cmd.AddCommand(create)
	return cmd
}
