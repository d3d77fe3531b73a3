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
	LoginFailures
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
	// IdentitiesOf returns the identities of several customers at once,
	// keyed by customer, so that a list costs one query.
	IdentitiesOf(ctx context.Context, workspaceID int64, customerIDs []int64) (map[int64][]siyu.Identity, error)
	Customer360(ctx context.Context, workspaceID, customerID int64) (siyu.Customer360, error)
	// UnmergeBy undoes a merge; who (the user's login) goes to the audit trail.
	UnmergeBy(ctx context.Context, workspaceID, mergeID int64, who string) error

	// Accounts lists the workspace's WeCom accounts.
	Accounts(ctx context.Context, workspaceID int64) ([]siyu.Account, error)
	// ChannelCodes lists the workspace's channel codes, newest first, with
	// their stats; ChannelCode is one of them.
	ChannelCodes(ctx context.Context, workspaceID int64) ([]siyu.ChannelCode, error)
	ChannelCode(ctx context.Context, workspaceID, id int64) (siyu.ChannelCode, error)
}

// ImportFunc imports one order file into a workspace. format is "generic" or
// "taobao"; strict makes any bad row fail the whole file. Bad rows are listed
// in ImportResult.Errors. The function owns the rejects file, if any.
type ImportFunc func(ctx context.Context, workspaceID int64, format, filename string, r io.Reader, strict bool) (siyu.ImportResult, error)

// CodeCreator makes a channel code: the WeCom contact way behind it and the
// stored code. Errors wrapping siyu.ErrInvalid or siyu.ErrConflict say which
// field is wrong and are shown next to the form; an error wrapping
// siyu.ErrNotFound means the workspace has no WeCom app.
type CodeCreator interface {
	CreateChannelCode(ctx context.Context, workspaceID int64, c siyu.ChannelCode) (siyu.ChannelCode, error)
}

// ContactLister lists a workspace's contacts, newest first, with the total
// that matches. state, when not empty, keeps the contacts added through that
// channel code; accountID, when not 0, those of one account; deleted, when
// not nil, only ended (true) or only live (false) relationships.
type ContactLister func(ctx context.Context, workspaceID int64, state string, accountID int64, deleted *bool, limit, offset int) ([]ContactListItem, int, error)

// ContactListItem is a contact with the name of its customer.
type ContactListItem struct {
	siyu.Contact
	CustomerName string
}
