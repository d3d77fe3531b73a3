-- Work for a person rather than a machine (人工增强). ref names the work
-- (e.g. "mass_send:42:zhangsan") so that creating it again finds the same
-- task; tasks without a ref are all distinct (NULLs never collide).
-- assignee_id 0/NULL means the account's operators, or anyone when the
-- task has no account either.
CREATE TABLE tasks (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '',
    customer_id  INTEGER REFERENCES customers(id),
    account_id   INTEGER REFERENCES accounts(id),
    assignee_id  INTEGER REFERENCES users(id),
    due_at       INTEGER NOT NULL,
    status       TEXT NOT NULL,
    ref          TEXT,
    created_at   INTEGER NOT NULL,
    done_at      INTEGER,
    done_by      INTEGER REFERENCES users(id),
    note         TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX tasks_ref ON tasks (workspace_id, ref);
CREATE INDEX tasks_status_due ON tasks (workspace_id, status, due_at);
CREATE INDEX tasks_assignee ON tasks (workspace_id, assignee_id, status);
CREATE INDEX tasks_account ON tasks (workspace_id, account_id, status);
CREATE INDEX tasks_customer ON tasks (customer_id);

-- The people who act as an account: its holder, or several operators who
-- run one persona (the founder's account) together.
CREATE TABLE account_operators (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    user_id      INTEGER NOT NULL REFERENCES users(id),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, account_id, user_id)
);
CREATE INDEX account_operators_user ON account_operators (workspace_id, user_id);
