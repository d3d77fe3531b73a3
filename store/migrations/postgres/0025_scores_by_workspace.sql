-- On PostgreSQL each workspace's customer scores are a partition of their
-- own, so that a refresh replaces a million of them with TRUNCATE and COPY
-- instead of DELETE and COPY, whose dead rows cost the write more than the
-- write itself (and then the next reads and a vacuum). A workspace gets
-- its partition at its first refresh (store.SaveScores); rows written for
-- a workspace that has none yet wait in the default partition. Derived
-- data: the next refresh fills the new table.
DROP TABLE customer_scores;
CREATE TABLE customer_scores (
    customer_id        BIGINT NOT NULL,
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
) PARTITION BY LIST (workspace_id);
CREATE TABLE customer_scores_default PARTITION OF customer_scores DEFAULT;
CREATE UNIQUE INDEX customer_scores_default_key ON customer_scores_default (workspace_id, customer_id);
