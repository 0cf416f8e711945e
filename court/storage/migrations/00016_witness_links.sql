-- +goose Up
-- One-time links a judge makes for a witness to join one hearing's room
-- (issue 5). Only hashes are kept: code_hash of the link's secret, and
-- claim_hash of the secret the first browser to open it was given (in a
-- cookie): that browser may come back (a reconnection), no other. Times are
-- UTC. The hearing's table comes in 00011; SQLite checks the reference when
-- rows are written.
CREATE TABLE hearing_witness_links (
    id          INTEGER PRIMARY KEY,
    hearing_id  INTEGER NOT NULL REFERENCES hearings(id),
    name        TEXT NOT NULL,
    code_hash   TEXT NOT NULL UNIQUE,
    claim_hash  TEXT,
    created_by  INTEGER NOT NULL REFERENCES users(id),
    created_at  TIMESTAMP NOT NULL,
    claimed_at  TIMESTAMP
);
CREATE INDEX hearing_witness_links_hearing ON hearing_witness_links(hearing_id);

-- +goose Down
DROP TABLE hearing_witness_links;
