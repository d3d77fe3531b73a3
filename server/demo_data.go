package server

import (
	"context"
	"log/slog"

	"siyu.dev/siyu/store"
)

func loadDemoData(ctx context.Context, st *store.Store, ws int64, log *slog.Logger) error { return nil }
