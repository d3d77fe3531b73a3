-- Fixed-window call counters shared by every node, for limits that must
-- hold across nodes (WeCom's per-corp, per-API quotas).
CREATE TABLE rate_windows (
    bucket     TEXT NOT NULL,
    window_ms  INTEGER NOT NULL,
    calls      INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_ms)
);
