package server

import (
	"context"
	"errors"
	"log/slog"

	"siyu.dev/siyu"
	"siyu.dev/siyu/auth"
	"siyu.dev/siyu/store"
)

// Demo credentials, printed at start so a newcomer can log in at once.
const (
	DemoWorkspace = "mumian"
	DemoLogin     = "admin"
	DemoPassword  = "siyu-demo"
)

// SeedDemo creates the demo workspace with its users and data, once.
func SeedDemo(ctx context.Context, st *store.Store, log *slog.Logger) error {
	if _, err := st.WorkspaceBySlug(ctx, DemoWorkspace); err == nil {
		log.Info("demo workspace present", "login", DemoLogin, "password", DemoPassword)
		return nil
	} else if !errors.Is(err, siyu.ErrNotFound) {
		return err
	}
	w, err := st.CreateWorkspace(ctx, DemoWorkspace, "木棉集 Mumian")
	if err != nil {
		return err
	}
	for _, u := range []struct {
		login, name string
		role        siyu.Role
	}{{DemoLogin, "管理员", siyu.RoleAdmin}, {"operator", "运营·小林", siyu.RoleOperator}, {"analyst", "分析师·老周", siyu.RoleAnalyst}} {
		hash, err := auth.HashPassword(DemoPassword)
		if err != nil {
			return err
		}
		user, err := st.CreateUser(ctx, u.login, u.name, hash)
		if err != nil {
			return err
		}
		if err := st.SetMembership(ctx, w.ID, user.ID, u.role); err != nil {
			return err
		}
	}
	log.Info("demo workspace created", "workspace", DemoWorkspace, "login", DemoLogin, "password", DemoPassword)
	return loadDemoData(ctx, st, w.ID, log)
}
