-- A Siyu tag that should also be a WeCom corp tag: it is created in WeCom
-- (add_corp_tag) the first time it is put on a contact and mirrored from
-- then on. Tags that came from WeCom have a wecom_tag_id already.
ALTER TABLE tags ADD COLUMN push_wecom INTEGER NOT NULL DEFAULT 0;

-- Keyword auto-tag rules: a message or comment (event types in
-- event_types, comma-separated) containing one of keywords and none of
-- excludes (JSON arrays), within window_days, puts tag_id on its author.
CREATE TABLE tag_rules (
    id           BIGSERIAL PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id),
    name         TEXT NOT NULL,
    tag_id       BIGINT NOT NULL REFERENCES tags(id),
    keywords     TEXT NOT NULL,
    excludes     TEXT NOT NULL DEFAULT '[]',
    event_types  TEXT NOT NULL,
    window_days  INTEGER NOT NULL,
    enabled      INTEGER NOT NULL DEFAULT 1,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (workspace_id, name)
);

-- How far the inbound text of a workspace (messages, comments) has been
-- read for keyword rules and opt-outs: the last event id handled.
CREATE TABLE inbound_scan (
    workspace_id  BIGINT PRIMARY KEY REFERENCES workspaces(id),
    last_event_id BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
