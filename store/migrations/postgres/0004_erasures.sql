-- Who erased whose personal data, and when (the audit trail of PIPL
-- erasure requests; it holds no personal data itself).
CREATE TABLE erasures (
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id),
    customer_id  BIGINT NOT NULL,
    erased_by    TEXT NOT NULL,
    erased_at    BIGINT NOT NULL
);
CREATE INDEX erasures_customer ON erasures (workspace_id, customer_id);
