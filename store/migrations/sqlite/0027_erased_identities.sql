-- The identifiers of erased people (PIPL), in the identities table's
-- keyed-hash form, so that importing the same source data again or a later
-- event does not bring the person back: records carrying one are attached
-- to the erased customer's empty shell and keep no identifier or name.
CREATE TABLE erased_identities (
    workspace_id BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    value        TEXT NOT NULL,
    customer_id  BIGINT NOT NULL,
    erased_at    BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, kind, value)
);
