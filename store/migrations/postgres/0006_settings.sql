-- Per-workspace settings, one JSON document per name (e.g. "analytics").
CREATE TABLE workspace_settings (
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id),
    name         TEXT NOT NULL,
    value        TEXT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, name)
);
