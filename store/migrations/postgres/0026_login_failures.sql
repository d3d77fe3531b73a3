-- Failed console logins, counted in the database so that the limit holds
-- across every node and survives a restart. key is a SHA-256 digest of the
-- login and address (never the login as typed: it is sometimes a password
-- typed into the wrong field).
CREATE TABLE login_failures (
    key TEXT NOT NULL,
    at  BIGINT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);
CREATE INDEX login_failures_at ON login_failures (at);
