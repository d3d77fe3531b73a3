-- Journeys: a trigger, then steps, then an exit. A journey keeps every
-- version of its definition; a person walks the version they entered on
-- (live_version at that moment) even after the journey is edited.
-- status: draft, active, paused.
CREATE TABLE journeys (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    name         TEXT NOT NULL,
    status       TEXT NOT NULL,
    version      INTEGER NOT NULL,
    live_version INTEGER NOT NULL DEFAULT 0,
    template     TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX journeys_ws ON journeys (workspace_id, status);

CREATE TABLE journey_versions (
    journey_id   INTEGER NOT NULL REFERENCES journeys(id),
    version      INTEGER NOT NULL,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    definition   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (journey_id, version)
);

-- One walk of one person through one version. trigger_key names what
-- enrolled them (event:<id>, order:<id>, contact:<id>, schedule:<ms>), so
-- the same trigger seen twice enrols once. step is the step due next
-- (the last one run, once ended). vars holds what steps found out for
-- later ones (the order, the channel code's QR). status: active,
-- completed, exited.
CREATE TABLE journey_enrollments (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    journey_id   INTEGER NOT NULL REFERENCES journeys(id),
    version      INTEGER NOT NULL,
    customer_id  INTEGER NOT NULL,
    trigger_key  TEXT NOT NULL,
    status       TEXT NOT NULL,
    step         TEXT NOT NULL DEFAULT '',
    vars         TEXT NOT NULL DEFAULT '{}',
    exit_reason  TEXT NOT NULL DEFAULT '',
    entered_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    ended_at     INTEGER,
    UNIQUE (journey_id, trigger_key)
);
CREATE INDEX journey_enrollments_person ON journey_enrollments (journey_id, customer_id, entered_at);
CREATE INDEX journey_enrollments_status ON journey_enrollments (journey_id, status);
CREATE INDEX journey_enrollments_customer ON journey_enrollments (customer_id);

-- What each step did for each walk; a step runs at most once per walk
-- (definitions have no loops), so a replayed step records nothing new.
CREATE TABLE journey_step_log (
    enrollment_id INTEGER NOT NULL,
    step          TEXT NOT NULL,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id),
    journey_id    INTEGER NOT NULL,
    version       INTEGER NOT NULL,
    customer_id   INTEGER NOT NULL,
    outcome       TEXT NOT NULL,
    at            INTEGER NOT NULL,
    PRIMARY KEY (enrollment_id, step)
);
CREATE INDEX journey_step_log_journey ON journey_step_log (journey_id, version, step);
CREATE INDEX journey_step_log_customer ON journey_step_log (customer_id);

-- Where the trigger scan of a workspace stands in each stream (events by
-- id, contacts by id, paid orders by (updated_at, id)).
CREATE TABLE journey_cursors (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    stream       TEXT NOT NULL,
    pos          INTEGER NOT NULL,
    pos2         INTEGER NOT NULL DEFAULT 0,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, stream)
);
