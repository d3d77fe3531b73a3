-- Per-customer outputs of the latest analytics refresh, so that segments
-- can select on RFM, lifecycle and CLV. Customers without paid orders have
-- stage 'new' and NULL scores.
CREATE TABLE customer_scores (
    customer_id        INTEGER PRIMARY KEY REFERENCES customers(id),
    workspace_id       INTEGER NOT NULL REFERENCES workspaces(id),
    stage              TEXT NOT NULL,
    recency_days       INTEGER,
    frequency          INTEGER NOT NULL DEFAULT 0,
    monetary           INTEGER NOT NULL DEFAULT 0,
    r_score            INTEGER,
    f_score            INTEGER,
    m_score            INTEGER,
    rfm_segment        TEXT NOT NULL DEFAULT '',
    p_alive            REAL,
    expected_purchases REAL,
    clv                INTEGER,
    computed_at        INTEGER NOT NULL
);
CREATE INDEX customer_scores_ws ON customer_scores (workspace_id, stage);

-- Consent: people who said 退订 or were marked opted out. Automation never
-- reaches them again; the row outlives an erasure so that it stays true.
CREATE TABLE opt_outs (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    at           INTEGER NOT NULL,
    source       TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (workspace_id, customer_id)
);

-- Every automated reach that counts against the caps, keyed by the send's
-- idempotency key so that a retried send counts once.
CREATE TABLE reach_log (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    key          TEXT NOT NULL,
    customer_id  INTEGER NOT NULL,
    account_id   INTEGER,
    channel      TEXT NOT NULL,
    at           INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, key)
);
CREATE INDEX reach_log_customer ON reach_log (workspace_id, customer_id, at);
CREATE INDEX reach_log_account ON reach_log (workspace_id, account_id, at);

-- Who did what in a workspace, and as which persona (the account several
-- operators run together).
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    user_id      INTEGER,
    actor        TEXT NOT NULL,
    persona      TEXT NOT NULL DEFAULT '',
    action       TEXT NOT NULL,
    target       TEXT NOT NULL DEFAULT '',
    detail       TEXT NOT NULL DEFAULT '',
    at           INTEGER NOT NULL
);
CREATE INDEX audit_log_ws ON audit_log (workspace_id, at);
