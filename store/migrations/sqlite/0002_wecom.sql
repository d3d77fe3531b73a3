-- A workspace's WeCom self-built app: the corp, the secret for the API and
-- the callback Token/EncodingAESKey. Secrets are sealed with the store key.
CREATE TABLE wecom_apps (
    workspace_id     INTEGER PRIMARY KEY REFERENCES workspaces(id),
    corp_id          TEXT NOT NULL,
    agent_id         TEXT NOT NULL DEFAULT '',
    base_url         TEXT NOT NULL DEFAULT '',
    secret_sealed    TEXT NOT NULL,
    token_sealed     TEXT NOT NULL,
    aes_key_sealed   TEXT NOT NULL,
    updated_at       INTEGER NOT NULL
);

-- Channel codes (渠道活码): a "contact me" QR per channel, campaign, parcel
-- insert or order. state is what WeCom hands back when someone adds through
-- the code; customer_id, when set, is who the code was made for.
CREATE TABLE channel_codes (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id),
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    state         TEXT NOT NULL,
    accounts      TEXT NOT NULL,
    tags          TEXT NOT NULL DEFAULT '',
    welcome       TEXT NOT NULL DEFAULT '',
    customer_id   INTEGER REFERENCES customers(id),
    order_id      INTEGER REFERENCES orders(id),
    config_id     TEXT NOT NULL DEFAULT '',
    qr_code       TEXT NOT NULL DEFAULT '',
    cost_fen      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    disabled_at   INTEGER,
    UNIQUE (workspace_id, state)
);

CREATE INDEX contacts_ws_state ON contacts (workspace_id, state);

-- WeCom callbacks already handled, so a retried or replayed delivery is
-- processed once, across nodes.
CREATE TABLE wecom_seen_events (
    workspace_id INTEGER NOT NULL,
    event_key    TEXT NOT NULL,
    seen_at      INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, event_key)
);

-- Where an interrupted full sync resumes: the next batch of members.
CREATE TABLE wecom_sync_state (
    workspace_id INTEGER PRIMARY KEY REFERENCES workspaces(id),
    next_batch   INTEGER NOT NULL,
    started_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
