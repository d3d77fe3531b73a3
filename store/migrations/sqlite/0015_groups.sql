-- Campaign groups (活动群): templates, activities with their groups and join
-- way, and the group messages scheduled for them. Group membership itself is
-- chat_groups / group_members (0001); these tables only say which groups
-- belong to which activity.

-- A template describes the groups of an activity. name_pattern holds {{n}},
-- the group's number in the activity; admins is a JSON array of WeCom
-- userids; layers (JSON) makes it a layered template: a class group plus one
-- small group per tutor.
CREATE TABLE group_templates (
    id               INTEGER PRIMARY KEY,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces(id),
    name             TEXT NOT NULL,
    name_pattern     TEXT NOT NULL,
    notice           TEXT NOT NULL DEFAULT '',
    welcome          TEXT NOT NULL DEFAULT '',
    admins           TEXT NOT NULL DEFAULT '[]',
    member_cap       INTEGER NOT NULL,
    owner_account_id INTEGER NOT NULL REFERENCES accounts(id),
    layers           TEXT NOT NULL DEFAULT '[]',
    created_at       INTEGER NOT NULL,
    UNIQUE (workspace_id, name)
);

-- An activity runs groups made from a template (a copy is kept in template,
-- so editing the template later does not change a running activity).
-- status: waiting (for its first group), open, ended (guide sent),
-- dissolved. rebuilt_from names the activity whose past members it invites.
CREATE TABLE group_activities (
    id               INTEGER PRIMARY KEY,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces(id),
    name             TEXT NOT NULL,
    template_id      INTEGER REFERENCES group_templates(id),
    template         TEXT NOT NULL,
    owner_account_id INTEGER NOT NULL REFERENCES accounts(id),
    status           TEXT NOT NULL,
    join_config_id   TEXT NOT NULL DEFAULT '',
    join_qr          TEXT NOT NULL DEFAULT '',
    join_state       TEXT NOT NULL DEFAULT '',
    rebuilt_from     INTEGER REFERENCES group_activities(id),
    guide_at         INTEGER,
    ended_at         INTEGER,
    created_at       INTEGER NOT NULL
);
CREATE INDEX group_activities_ws ON group_activities (workspace_id, created_at);

-- The groups of an activity. seq is n in the name pattern; role is main
-- (a rollover group; the class group of a layered activity) or small (one
-- per tutor of a layered template).
CREATE TABLE group_activity_groups (
    id               INTEGER PRIMARY KEY,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces(id),
    activity_id      INTEGER NOT NULL REFERENCES group_activities(id),
    group_id         INTEGER NOT NULL REFERENCES chat_groups(id),
    seq              INTEGER NOT NULL,
    role             TEXT NOT NULL DEFAULT 'main',
    tutor_account_id INTEGER REFERENCES accounts(id),
    added_at         INTEGER NOT NULL,
    UNIQUE (activity_id, group_id)
);
CREATE INDEX group_activity_groups_group ON group_activity_groups (group_id);

-- A message for every live group of an activity at send_at. kind is
-- scheduled or guide (the end-of-activity message that asks members to add
-- the owner account). enqueued_at is set once it was handed to dispatch.
CREATE TABLE group_messages (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    activity_id  INTEGER NOT NULL REFERENCES group_activities(id),
    kind         TEXT NOT NULL,
    message      TEXT NOT NULL,
    send_at      INTEGER NOT NULL,
    groups_sent  INTEGER NOT NULL DEFAULT 0,
    enqueued_at  INTEGER,
    created_at   INTEGER NOT NULL
);
CREATE INDEX group_messages_due ON group_messages (workspace_id, send_at);
