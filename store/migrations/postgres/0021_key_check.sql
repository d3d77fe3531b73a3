-- Facts about the database itself, such as a fingerprint of the secret key
-- it was created with, so that starting with another key fails loudly
-- instead of hashing phone numbers differently.
CREATE TABLE store_meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
