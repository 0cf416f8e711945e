-- +goose Up
-- The text panel of a hearing room, one row per message, written as each
-- message is posted, so that a server stopping during a hearing loses
-- none of it; the transcript at the end is read from here. seq numbers a
-- hearing's messages from 1 in the order they were recorded. user_id is
-- the participant as the room knows it: a user, or a witness (an id from
-- 2^40 up, which no user has), so it has no reference to users; role and
-- name are as shown in the room. Times are UTC. Append-only, like the
-- docket.
CREATE TABLE hearing_chat (
    hearing_id INTEGER NOT NULL REFERENCES hearings(id),
    seq        INTEGER NOT NULL CHECK (seq > 0),
    user_id    INTEGER NOT NULL,
    role       TEXT NOT NULL,
    name       TEXT NOT NULL,
    text       TEXT NOT NULL,
    at         TIMESTAMP NOT NULL,
    PRIMARY KEY (hearing_id, seq)
);

-- +goose StatementBegin
CREATE TRIGGER hearing_chat_no_update BEFORE UPDATE ON hearing_chat
BEGIN
    SELECT RAISE(ABORT, 'the hearing chat is append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER hearing_chat_no_delete BEFORE DELETE ON hearing_chat
BEGIN
    SELECT RAISE(ABORT, 'the hearing chat is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER hearing_chat_no_delete;
DROP TRIGGER hearing_chat_no_update;
DROP TABLE hearing_chat;
