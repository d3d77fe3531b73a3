-- The latest computed analytics of a workspace, one JSON document per kind
-- (the dashboard reads it and says as of when).
CREATE TABLE analytics_snapshots (
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id),
    kind         TEXT NOT NULL,
    computed_at  BIGINT NOT NULL,
    body         TEXT NOT NULL,
    PRIMARY KEY (workspace_id, kind)
);
