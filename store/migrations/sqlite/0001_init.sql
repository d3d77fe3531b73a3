-- Times are unix milliseconds (UTC). Money is fen. Ids of bulk tables are
-- given by the application so that one batch can insert many rows at once.

CREATE TABLE workspaces (
    id         INTEGER PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE memberships (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    user_id      INTEGER NOT NULL REFERENCES users(id),
    role         TEXT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    csrf         TEXT NOT NULL,
    lang         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);

CREATE TABLE customers (
    id             INTEGER PRIMARY KEY,
    workspace_id   INTEGER NOT NULL REFERENCES workspaces(id),
    name           TEXT NOT NULL DEFAULT '',
    province       TEXT NOT NULL DEFAULT '',
    city           TEXT NOT NULL DEFAULT '',
    merged_into    INTEGER,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    order_count    INTEGER NOT NULL DEFAULT 0,
    total_paid     INTEGER NOT NULL DEFAULT 0,
    first_order_at INTEGER,
    last_order_at  INTEGER
);
CREATE INDEX customers_ws_last_order ON customers (workspace_id, last_order_at);

-- value is the normalised identifier, or for PII a keyed hash of it; secret
-- holds the PII value encrypted, display its masked form.
CREATE TABLE identities (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    kind         TEXT NOT NULL,
    value        TEXT NOT NULL,
    display      TEXT NOT NULL,
    secret       TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, kind, value)
);
CREATE INDEX identities_customer ON identities (customer_id);

CREATE TABLE orders (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    channel      TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    status       TEXT NOT NULL,
    placed_at    INTEGER NOT NULL,
    paid_at      INTEGER,
    amount       INTEGER NOT NULL,
    refund       INTEGER NOT NULL DEFAULT 0,
    receiver     TEXT NOT NULL DEFAULT '',
    province     TEXT NOT NULL DEFAULT '',
    city         TEXT NOT NULL DEFAULT '',
    masked_phone TEXT NOT NULL DEFAULT '',
    items        TEXT NOT NULL DEFAULT '',
    imported_at  INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, channel, external_id)
);
CREATE INDEX orders_customer ON orders (customer_id, paid_at);

CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    type         TEXT NOT NULL,
    source       TEXT NOT NULL DEFAULT '',
    occurred_at  INTEGER NOT NULL,
    props        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_customer ON events (customer_id, occurred_at);
CREATE INDEX events_ws_type ON events (workspace_id, type, occurred_at);

CREATE TABLE accounts (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    wecom_userid TEXT NOT NULL,
    name         TEXT NOT NULL,
    persona      TEXT NOT NULL DEFAULT '',
    active       INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, wecom_userid)
);

CREATE TABLE contacts (
    id              INTEGER PRIMARY KEY,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces(id),
    customer_id     INTEGER NOT NULL REFERENCES customers(id),
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    external_userid TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT '',
    remark          TEXT NOT NULL DEFAULT '',
    added_at        INTEGER NOT NULL,
    deleted_at      INTEGER,
    deleted_by      TEXT NOT NULL DEFAULT '',
    UNIQUE (workspace_id, account_id, external_userid)
);
CREATE INDEX contacts_customer ON contacts (customer_id);

CREATE TABLE chat_groups (
    id               INTEGER PRIMARY KEY,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces(id),
    chat_id          TEXT NOT NULL,
    name             TEXT NOT NULL,
    owner_account_id INTEGER REFERENCES accounts(id),
    created_at       INTEGER NOT NULL,
    dismissed_at     INTEGER,
    UNIQUE (workspace_id, chat_id)
);

CREATE TABLE group_members (
    id          INTEGER PRIMARY KEY,
    group_id    INTEGER NOT NULL REFERENCES chat_groups(id),
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    joined_at   INTEGER NOT NULL,
    left_at     INTEGER,
    UNIQUE (group_id, customer_id)
);
CREATE INDEX group_members_customer ON group_members (customer_id);

CREATE TABLE tags (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    name         TEXT NOT NULL,
    group_name   TEXT NOT NULL DEFAULT '',
    wecom_tag_id TEXT NOT NULL DEFAULT '',
    UNIQUE (workspace_id, name)
);

CREATE TABLE customer_tags (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    tag_id      INTEGER NOT NULL REFERENCES tags(id),
    source      TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    UNIQUE (customer_id, tag_id)
);
CREATE INDEX customer_tags_tag ON customer_tags (tag_id);

-- moved lists, per table, the row ids that the merge moved from merged_id to
-- survivor_id, so that an unmerge can put exactly those back.
CREATE TABLE merges (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    survivor_id  INTEGER NOT NULL REFERENCES customers(id),
    merged_id    INTEGER NOT NULL REFERENCES customers(id),
    kind         TEXT NOT NULL,
    display      TEXT NOT NULL,
    source       TEXT NOT NULL,
    moved        TEXT NOT NULL,
    at           INTEGER NOT NULL,
    undone_at    INTEGER,
    undone_by    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX merges_survivor ON merges (survivor_id);
CREATE INDEX merges_merged ON merges (merged_id);

-- Pairs that a person unmerged: resolution never merges them again.
CREATE TABLE merge_blocks (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    a            INTEGER NOT NULL,
    b            INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, a, b)
);
