-- A workspace's Douyin app and business account. The client secret (it
-- signs webhooks) and the user access token are sealed with the store key.
CREATE TABLE douyin_apps (
    workspace_id     BIGINT PRIMARY KEY REFERENCES workspaces(id),
    client_key       TEXT NOT NULL,
    account_open_id  TEXT NOT NULL,
    base_url         TEXT NOT NULL DEFAULT '',
    secret_sealed    TEXT NOT NULL,
    token_sealed     TEXT NOT NULL,
    updated_at       BIGINT NOT NULL
);

-- Webhook deliveries already taken, by Msg-Id, so that Douyin's retries
-- are handled once across nodes.
CREATE TABLE douyin_seen (
    workspace_id BIGINT NOT NULL,
    msg_id       TEXT NOT NULL,
    seen_at      BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, msg_id)
);

-- Douyin users who commented or wrote, and where the pipeline is with
-- them: the first intent rule they matched, the conversation to reply in,
-- the per-person channel code sent, when they followed and converted.
CREATE TABLE douyin_users (
    id              BIGSERIAL PRIMARY KEY,
    workspace_id    BIGINT NOT NULL REFERENCES workspaces(id),
    open_id         TEXT NOT NULL,
    union_id        TEXT NOT NULL DEFAULT '',
    nickname        TEXT NOT NULL DEFAULT '',
    customer_id     BIGINT NOT NULL REFERENCES customers(id),
    rule_id         TEXT NOT NULL DEFAULT '',
    intent_at       BIGINT,
    conversation_id TEXT NOT NULL DEFAULT '',
    last_msg_id     TEXT NOT NULL DEFAULT '',
    last_msg_at     BIGINT,
    code_id         BIGINT REFERENCES channel_codes(id),
    code_state      TEXT NOT NULL DEFAULT '',
    code_url        TEXT NOT NULL DEFAULT '',
    dm_sent_at      BIGINT,
    followed_at     BIGINT,
    converted_at    BIGINT,
    UNIQUE (workspace_id, open_id)
);
CREATE INDEX douyin_users_customer ON douyin_users (customer_id);
CREATE INDEX douyin_users_state ON douyin_users (workspace_id, code_state);

-- Comments on the account's videos. rule_id is the intent rule matched
-- ('' for chatter); replied_at is when the account's reply went out.
CREATE TABLE douyin_comments (
    id           BIGSERIAL PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id),
    comment_id   TEXT NOT NULL,
    item_id      TEXT NOT NULL,
    open_id      TEXT NOT NULL,
    customer_id  BIGINT NOT NULL REFERENCES customers(id),
    content      TEXT NOT NULL,
    rule_id      TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    received_at  BIGINT NOT NULL,
    replied_at   BIGINT,
    reply_id     TEXT NOT NULL DEFAULT '',
    reply_error  TEXT NOT NULL DEFAULT '',
    UNIQUE (workspace_id, comment_id)
);
CREATE INDEX douyin_comments_rule ON douyin_comments (workspace_id, rule_id, created_at);
CREATE INDEX douyin_comments_customer ON douyin_comments (customer_id);
