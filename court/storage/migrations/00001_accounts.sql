-- +goose Up
-- Accounts, merchant organisations, sessions and login failures.
CREATE TABLE organizations (
    id          INTEGER PRIMARY KEY,
    credit_code TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id                 INTEGER PRIMARY KEY,
    username           TEXT NOT NULL UNIQUE,
    password_hash      TEXT NOT NULL,
    role               TEXT NOT NULL CHECK (role IN ('claimant','merchant','clerk','judge','mediator','station_agent','admin')),
    display_name       TEXT NOT NULL,
    mobile             TEXT NOT NULL DEFAULT '',
    -- The resident identity number is kept encrypted (AES-GCM, key in the data
    -- dir); resident_id_mac is a keyed hash for uniqueness, and the masked
    -- form is what pages show.
    resident_id_enc    BLOB,
    resident_id_mac    TEXT UNIQUE,
    resident_id_masked TEXT NOT NULL DEFAULT '',
    organization_id    INTEGER REFERENCES organizations(id),
    status             TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','pending','disabled')),
    lang               TEXT NOT NULL DEFAULT '',
    created_at         TIMESTAMP NOT NULL,
    CHECK ((role = 'merchant') = (organization_id IS NOT NULL))
);
CREATE INDEX users_organization ON users(organization_id);

-- Browser sessions and API tokens: only a hash of the secret is stored.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('browser','api')),
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

-- The lock-out state per (normalised) username, known or not: the current
-- run of failed logins and the lock it earned (court.Throttle).
CREATE TABLE login_throttle (
    username     TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    last_at      TIMESTAMP NOT NULL,
    locked_until TIMESTAMP NOT NULL
);

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE settings;
DROP TABLE login_throttle;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE organizations;
