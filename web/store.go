package web

import (
	"context"
	"io"

	"siyu.dev/siyu"
)

// Store is the part of the store the console uses. *store.Store satisfies it.
// Every business method is scoped to a workspace and answers siyu.ErrNotFound
// for rows of another one.
type Store interface {
	UserByLogin(ctx context.Context, login string) (siyu.User, error)
	User(ctx context.Context, id int64) (siyu.User, error)
	Memberships(ctx context.Context, userID int64) ([]siyu.Membership, error)

	CreateSession(ctx context.Context, s siyu.Session) error
	SessionByHash(ctx context.Context, idHash string) (siyu.Session, error)
	UpdateSession(ctx context.Context, s siyu.Session) error
	DeleteSession(ctx context.Context, idHash string) error

	CreateAPIToken(ctx context.Context, workspaceID int64, name string, role siyu.Role, hash, prefix string) (siyu.APIToken, error)
	ListAPITokens(ctx context.Context, workspaceID int64) ([]siyu.APIToken, error)
	RevokeAPIToken(ctx context.Context, workspaceID, id int64) error

	SearchCustomers(ctx context.Context, workspaceID int64, q siyu.CustomerQuery) (siyu.CustomerPage, error)
	Customer360(ctx context.Context, workspaceID, customerID int64) (siyu.Customer360, error)
	// UnmergeBy undoes a merge; who (the user's login) goes to the audit trail.
	UnmergeBy(ctx context.Context, workspaceID, mergeID int64, who string) error
}

// ImportFunc imports one order file into a workspace. format is "generic" or
// "taobao"; strict makes any bad row fail the whole file. Bad rows are listed
// in ImportResult.Errors. The function owns the rejects file, if any.
type ImportFunc func(ctx context.Context, workspaceID int64, format, filename string, r io.Reader, strict bool) (siyu.ImportResult, error)
