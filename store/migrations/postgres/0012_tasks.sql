-- Work for a person rather than a machine (人工增强). ref names the work
-- (e.g. "mass_send:42:zhangsan") so that creating it again finds the same
-- task; tasks without a ref are all distinct (NULLs never collide).
-- assignee_id 0/NULL means the account's operators, or anyone when the
-- task has no account either.
CREATE TABLE tasks (
    id           BIGSERIAL PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id),
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '',
    customer_id  BIGINT REFERENCES customers(id),
    account_id   BIGINT REFERENCES accounts(id),
    assignee_id  BIGINT REFERENCES users(id),
    due_at       BIGINT NOT NULL,
    status       TEXT NOT NULL,
    ref          TEXT,
    created_at   BIGINT NOT NULL,
    done_at      BIGINT,
    done_by      BIGINT REFERENCES users(id),
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
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id),
    account_id   BIGINT NOT NULL REFERENCES accounts(id),
    user_id      BIGINT NOT NULL REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, account_id, user_id)
);
CREATE INDEX account_operators_user ON account_operators (workspace_id, user_id);
