-- Saved segments: a rule of the segment language, kept fresh by a worker.
-- tag, when set, is put on members while they are in the segment (source
-- 'segment:<id>' in customer_tags).
CREATE TABLE segments (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    name         TEXT NOT NULL,
    rule         TEXT NOT NULL,
    tag          TEXT NOT NULL DEFAULT '',
    members      INTEGER NOT NULL DEFAULT 0,
    refreshed_at INTEGER,
    refresh_ms   INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, name)
);

-- Who is in a segment now and since when. A refresh inserts those who
-- entered and deletes those who left (recording segment.entered/exited
-- events).
CREATE TABLE segment_members (
    segment_id  INTEGER NOT NULL REFERENCES segments(id),
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    entered_at  INTEGER NOT NULL,
    PRIMARY KEY (segment_id, customer_id)
);
CREATE INDEX segment_members_customer ON segment_members (customer_id);
