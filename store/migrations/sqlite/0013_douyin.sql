-- A workspace's Douyin app and business account. The client secret (it
-- signs webhooks) and the user access token are sealed with the store key.
CREATE TABLE douyin_apps (
    workspace_id     INTEGER PRIMARY KEY REFERENCES workspaces(id),
    client_key       TEXT NOT NULL,
    account_open_id  TEXT NOT NULL,
    base_url         TEXT NOT NULL DEFAULT '',
    secret_sealed    TEXT NOT NULL,
    token_sealed     TEXT NOT NULL,
    updated_at       INTEGER NOT NULL
);

-- Webhook deliveries already taken, by Msg-Id, so that Douyin's retries
-- are handled once across nodes.
CREATE TABLE douyin_seen (
    workspace_id INTEGER NOT NULL,
    msg_id       TEXT NOT NULL,
    seen_at      INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, msg_id)
);

-- Douyin users who commented or wrote, and where the pipeline is with
-- them: the first intent rule they matched, the conversation to reply in,
-- the per-person channel code sent, when they followed and converted.
CREATE TABLE douyin_users (
    id              INTEGER PRIMARY KEY,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces(id),
    open_id         TEXT NOT NULL,
    union_id        TEXT NOT NULL DEFAULT '',
    nickname        TEXT NOT NULL DEFAULT '',
    customer_id     INTEGER NOT NULL REFERENCES customers(id),
    rule_id         TEXT NOT NULL DEFAULT '',
    intent_at       INTEGER,
    conversation_id TEXT NOT NULL DEFAULT '',
    last_msg_id     TEXT NOT NULL DEFAULT '',
    last_msg_at     INTEGER,
    code_id         INTEGER REFERENCES channel_codes(id),
    code_state      TEXT NOT NULL DEFAULT '',
    code_url        TEXT NOT NULL DEFAULT '',
    dm_sent_at      INTEGER,
    followed_at     INTEGER,
    converted_at    INTEGER,
    UNIQUE (workspace_id, open_id)
);
CREATE INDEX douyin_users_customer ON douyin_users (customer_id);
CREATE INDEX douyin_users_state ON douyin_users (workspace_id, code_state);

-- Comments on the account's videos. rule_id is the intent rule matched
-- ('' for chatter); replied_at is when the account's reply went out.
CREATE TABLE douyin_comments (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    comment_id   TEXT NOT NULL,
    item_id      TEXT NOT NULL,
    open_id      TEXT NOT NULL,
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    content      TEXT NOT NULL,
    rule_id      TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    received_at  INTEGER NOT NULL,
    replied_at   INTEGER,
    reply_id     TEXT NOT NULL DEFAULT '',
    reply_error  TEXT NOT NULL DEFAULT '',
    UNIQUE (workspace_id, comment_id)
);
CREATE INDEX douyin_comments_rule ON douyin_comments (workspace_id, rule_id, created_at);
CREATE INDEX douyin_comments_customer ON douyin_comments (customer_id);
