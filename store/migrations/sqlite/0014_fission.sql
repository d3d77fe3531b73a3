-- Fission (裂变): invite-N activities. A participant's invite code is the
-- state of their personal channel code; each contact added through it is an
-- invite. Statuses, reasons, counts and flags are derived by package
-- fission from the invites and stored for the console; participant and
-- reward rows carry no foreign key to each other so that erasing one person
-- never blocks on another's rows.
CREATE TABLE fission_activities (
    id             INTEGER PRIMARY KEY,
    workspace_id   INTEGER NOT NULL REFERENCES workspaces(id),
    name           TEXT NOT NULL,
    goal           INTEGER NOT NULL,
    reward         TEXT NOT NULL,
    physical       INTEGER NOT NULL DEFAULT 0,
    target         TEXT NOT NULL,
    accounts       TEXT NOT NULL,
    group_chat_id  TEXT NOT NULL DEFAULT '',
    welcome        TEXT NOT NULL DEFAULT '',
    start_at       INTEGER NOT NULL,
    end_at         INTEGER NOT NULL,
    clawback_hours INTEGER NOT NULL,
    rules          TEXT NOT NULL DEFAULT '{}',
    created_at     INTEGER NOT NULL
);
CREATE INDEX fission_activities_ws ON fission_activities (workspace_id, id);

CREATE TABLE fission_participants (
    id              INTEGER PRIMARY KEY,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces(id),
    activity_id     INTEGER NOT NULL REFERENCES fission_activities(id),
    customer_id     INTEGER NOT NULL REFERENCES customers(id),
    code            TEXT NOT NULL,
    channel_code_id INTEGER NOT NULL DEFAULT 0,
    qr_code         TEXT NOT NULL DEFAULT '',
    joined_at       INTEGER NOT NULL,
    invites         INTEGER NOT NULL DEFAULT 0,
    counted         INTEGER NOT NULL DEFAULT 0,
    flags           TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX fission_participants_customer ON fission_participants (activity_id, customer_id);
CREATE UNIQUE INDEX fission_participants_code ON fission_participants (workspace_id, code);
CREATE INDEX fission_participants_cust ON fission_participants (customer_id);

CREATE TABLE fission_invites (
    id              INTEGER PRIMARY KEY,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces(id),
    activity_id     INTEGER NOT NULL REFERENCES fission_activities(id),
    participant_id  INTEGER NOT NULL,
    customer_id     INTEGER NOT NULL REFERENCES customers(id),
    contact_id      INTEGER NOT NULL,
    external_userid TEXT NOT NULL,
    channel         TEXT NOT NULL,
    added_at        INTEGER NOT NULL,
    left_at         INTEGER,
    status          TEXT NOT NULL DEFAULT '',
    reasons         TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX fission_invites_contact ON fission_invites (activity_id, contact_id);
CREATE INDEX fission_invites_cust ON fission_invites (customer_id);

CREATE TABLE fission_rewards (
    id             INTEGER PRIMARY KEY,
    workspace_id   INTEGER NOT NULL REFERENCES workspaces(id),
    activity_id    INTEGER NOT NULL REFERENCES fission_activities(id),
    participant_id INTEGER NOT NULL,
    customer_id    INTEGER NOT NULL REFERENCES customers(id),
    status         TEXT NOT NULL,
    issued_at      INTEGER NOT NULL,
    clawed_back_at INTEGER,
    times          INTEGER NOT NULL DEFAULT 1,
    task_id        INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX fission_rewards_participant ON fission_rewards (activity_id, participant_id);
CREATE INDEX fission_rewards_cust ON fission_rewards (customer_id);
