-- A job queue on the database: work that must survive restarts (dispatch
-- batches, result polls). A job is unique by (workspace_id, kind, key), so
-- enqueueing it twice adds it once. A claimed job is leased to one worker
-- until locked_until; when that worker dies the lease runs out and another
-- worker claims the job again.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    kind         TEXT NOT NULL,
    key          TEXT NOT NULL,
    payload      TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL,
    run_at       INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    last_error   TEXT NOT NULL DEFAULT '',
    locked_by    TEXT NOT NULL DEFAULT '',
    locked_until INTEGER,
    created_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    UNIQUE (workspace_id, kind, key)
);
CREATE INDEX jobs_due ON jobs (state, run_at);
CREATE INDEX jobs_lease ON jobs (state, locked_until);

-- WeCom mass-message tasks being made: one sender, one message, up to
-- 10,000 customers (or 2,000 groups). status: pending, submitting (marked
-- before add_msg_template is called, with the time), submitted (msgid
-- known, results being polled), done, failed.
CREATE TABLE send_batches (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id),
    account_id    INTEGER NOT NULL,
    sender        TEXT NOT NULL,
    channel       TEXT NOT NULL,
    message       TEXT NOT NULL,
    status        TEXT NOT NULL,
    submitting_at INTEGER,
    msgid         TEXT NOT NULL DEFAULT '',
    recipients    INTEGER NOT NULL DEFAULT 0,
    error         TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX send_batches_ws ON send_batches (workspace_id, status);
CREATE INDEX send_batches_msgid ON send_batches (workspace_id, msgid);

-- Every delivery dispatch was asked to make, unique by its idempotency key.
CREATE TABLE sends (
    id              INTEGER PRIMARY KEY,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces(id),
    key             TEXT NOT NULL,
    campaign_id     INTEGER NOT NULL DEFAULT 0,
    customer_id     INTEGER,
    account_id      INTEGER NOT NULL,
    sender          TEXT NOT NULL,
    external_userid TEXT NOT NULL DEFAULT '',
    chat_id         TEXT NOT NULL DEFAULT '',
    channel         TEXT NOT NULL,
    variant         TEXT NOT NULL DEFAULT '',
    message         TEXT NOT NULL,
    message_hash    TEXT NOT NULL,
    status          TEXT NOT NULL,
    not_before      INTEGER NOT NULL,
    batch_id        INTEGER,
    msgid           TEXT NOT NULL DEFAULT '',
    error           TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (workspace_id, key)
);
CREATE INDEX sends_queued ON sends (workspace_id, status, not_before);
CREATE INDEX sends_batch ON sends (batch_id, status);
CREATE INDEX sends_campaign ON sends (workspace_id, campaign_id, status);
CREATE INDEX sends_customer ON sends (customer_id);
