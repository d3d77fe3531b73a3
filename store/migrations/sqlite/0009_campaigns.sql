-- Campaigns: an audience (a saved segment, a tag or everyone) times A/B
-- variants of a message, through one channel, at send_at. plan holds the
-- summary of the latest plan (JSON) as the console shows it.
CREATE TABLE campaigns (
    id               INTEGER PRIMARY KEY,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces(id),
    name             TEXT NOT NULL,
    status           TEXT NOT NULL,
    audience_kind    TEXT NOT NULL,
    audience_ref     TEXT NOT NULL DEFAULT '',
    channel          TEXT NOT NULL,
    variants         TEXT NOT NULL,
    holdout_pct      INTEGER NOT NULL DEFAULT 0,
    send_at          INTEGER NOT NULL,
    attribution_days INTEGER NOT NULL DEFAULT 7,
    plan             TEXT NOT NULL DEFAULT '',
    planned_at       INTEGER,
    launched_at      INTEGER,
    created_by       TEXT NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX campaigns_ws ON campaigns (workspace_id, created_at);

-- Everyone a campaign's plan looked at: the variant drawn, the account a
-- 1:1 message goes through, and why not ('' = receives; 'holdout' = in the
-- control group although reachable). enqueued_at is set once the delivery
-- was handed to dispatch, so that a resumed launch hands over the rest.
CREATE TABLE campaign_recipients (
    workspace_id    INTEGER NOT NULL REFERENCES workspaces(id),
    campaign_id     INTEGER NOT NULL REFERENCES campaigns(id),
    customer_id     INTEGER NOT NULL,
    variant         TEXT NOT NULL DEFAULT '',
    account_id      INTEGER,
    external_userid TEXT NOT NULL DEFAULT '',
    reason          TEXT NOT NULL DEFAULT '',
    retry_at        INTEGER,
    enqueued_at     INTEGER,
    PRIMARY KEY (campaign_id, customer_id)
);
CREATE INDEX campaign_recipients_customer ON campaign_recipients (customer_id);
