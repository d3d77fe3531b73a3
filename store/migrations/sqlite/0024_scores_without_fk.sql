-- customer_scores is derived data, replaced whole by every analytics
-- refresh: checking a million foreign keys on each write cost more than
-- the write itself. The next refresh fills the new table.
DROP TABLE customer_scores;
CREATE TABLE customer_scores (
    customer_id        INTEGER PRIMARY KEY,
    workspace_id       INTEGER NOT NULL,
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
