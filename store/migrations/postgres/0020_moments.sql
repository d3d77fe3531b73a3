-- Moment campaigns (客户朋友圈): one post per campaign through
-- add_moment_task. options are what the operator asked (sender userids, tag
-- names, topic, link cover); post is the request fixed at launch (message,
-- senders, WeCom tag ids). status: draft, pending (launched, waiting for its
-- job), submitting (marked with the time before add_moment_task is called),
-- submitted (jobid known), posted (moment_id known, results being polled),
-- done, failed. results holds each sender's latest counts (JSON).
CREATE TABLE campaign_moments (
    campaign_id   BIGINT PRIMARY KEY REFERENCES campaigns(id),
    workspace_id  BIGINT NOT NULL REFERENCES workspaces(id),
    options       TEXT NOT NULL DEFAULT '{}',
    status        TEXT NOT NULL,
    post          TEXT NOT NULL DEFAULT '',
    submitting_at BIGINT,
    jobid         TEXT NOT NULL DEFAULT '',
    moment_id     TEXT NOT NULL DEFAULT '',
    results       TEXT NOT NULL DEFAULT '',
    error         TEXT NOT NULL DEFAULT '',
    updated_at    BIGINT NOT NULL
);
CREATE INDEX campaign_moments_moment ON campaign_moments (workspace_id, moment_id);

-- The likes and comments of a posted moment already turned into events, so
-- that polling again records each once. WeCom gives who and when, never the
-- text; a person likes once but may comment several times.
CREATE TABLE moment_interactions (
    workspace_id    BIGINT NOT NULL REFERENCES workspaces(id),
    moment_id       TEXT NOT NULL,
    sender          TEXT NOT NULL,
    external_userid TEXT NOT NULL,
    kind            TEXT NOT NULL,
    at              BIGINT NOT NULL,
    customer_id     BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, moment_id, sender, external_userid, kind, at)
);
CREATE INDEX moment_interactions_customer ON moment_interactions (customer_id);
