-- Fission (裂变): invite-N activities. A participant's invite code is the
-- state of their personal channel code; each contact added through it is an
-- invite. Statuses, reasons, counts and flags are derived by package
-- fission from the invites and stored for the console; participant and
-- reward rows carry no foreign key to each other so that erasing one person
-- never blocks on another's rows.
CREATE TABLE fission_activities (
    id             BIGSERIAL PRIMARY KEY,
    workspace_id   BIGINT NOT NULL REFERENCES workspaces(id),
    name           TEXT NOT NULL,
    goal           BIGINT NOT NULL,
    reward         TEXT NOT NULL,
    physical       BIGINT NOT NULL DEFAULT 0,
    target         TEXT NOT NULL,
    accounts       TEXT NOT NULL,
    group_chat_id  TEXT NOT NULL DEFAULT '',
    welcome        TEXT NOT NULL DEFAULT '',
    start_at       BIGINT NOT NULL,
    end_at         BIGINT NOT NULL,
    clawback_hours BIGINT NOT NULL,
    rules          TEXT NOT NULL DEFAULT '{}',
    created_at     BIGINT NOT NULL
);
CREATE INDEX fission_activities_ws ON fission_activities (workspace_id, id);

CREATE TABLE fission_participants (
    id              BIGSERIAL PRIMARY KEY,
    workspace_id    BIGINT NOT NULL REFERENCES workspaces(id),
    activity_id     BIGINT NOT NULL REFERENCES fission_activities(id),
    customer_id     BIGINT NOT NULL REFERENCES customers(id),
    code            TEXT NOT NULL,
    channel_code_id BIGINT NOT NULL DEFAULT 0,
    qr_code         TEXT NOT NULL DEFAULT '',
    joined_at       BIGINT NOT NULL,
    invites         BIGINT NOT NULL DEFAULT 0,
    counted         BIGINT NOT NULL DEFAULT 0,
    flags           TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX fission_participants_customer ON fission_participants (activity_id, customer_id);
CREATE UNIQUE INDEX fission_participants_code ON fission_participants (workspace_id, code);
CREATE INDEX fission_participants_cust ON fission_participants (customer_id);

CREATE TABLE fission_invites (
    id              BIGSERIAL PRIMARY KEY,
    workspace_id    BIGINT NOT NULL REFERENCES workspaces(id),
    activity_id     BIGINT NOT NULL REFERENCES fission_activities(id),
    participant_id  BIGINT NOT NULL,
    customer_id     BIGINT NOT NULL REFERENCES customers(id),
    contact_id      BIGINT NOT NULL,
    external_userid TEXT NOT NULL,
    channel         TEXT NOT NULL,
    added_at        BIGINT NOT NULL,
    left_at         BIGINT,
    status          TEXT NOT NULL DEFAULT '',
    reasons         TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX fission_invites_contact ON fission_invites (activity_id, contact_id);
CREATE INDEX fission_invites_cust ON fission_invites (customer_id);

CREATE TABLE fission_rewards (
    id             BIGSERIAL PRIMARY KEY,
    workspace_id   BIGINT NOT NULL REFERENCES workspaces(id),
    activity_id    BIGINT NOT NULL REFERENCES fission_activities(id),
    participant_id BIGINT NOT NULL,
    customer_id    BIGINT NOT NULL REFERENCES customers(id),
    status         TEXT NOT NULL,
    issued_at      BIGINT NOT NULL,
    clawed_back_at BIGINT,
    times          BIGINT NOT NULL DEFAULT 1,
    task_id        BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX fission_rewards_participant ON fission_rewards (activity_id, participant_id);
CREATE INDEX fission_rewards_cust ON fission_rewards (customer_id);
