-- customer_scores is derived data, replaced whole by every analytics
-- refresh: checking a million foreign keys on each write cost more than
-- the write itself. The next refresh fills the new table.
DROP TABLE customer_scores;
CREATE TABLE customer_scores (
    customer_id        BIGINT PRIMARY KEY,
    workspace_id       BIGINT NOT NULL,
    stage              TEXT NOT NULL,
    recency_days       BIGINT,
    frequency          BIGINT NOT NULL DEFAULT 0,
    monetary           BIGINT NOT NULL DEFAULT 0,
    r_score            BIGINT,
    f_score            BIGINT,
    m_score            BIGINT,
    rfm_segment        TEXT NOT NULL DEFAULT '',
    p_alive            DOUBLE PRECISION,
    expected_purchases DOUBLE PRECISION,
    clv                BIGINT,
    computed_at        BIGINT NOT NULL
);
CREATE INDEX customer_scores_ws ON customer_scores (workspace_id, stage);
