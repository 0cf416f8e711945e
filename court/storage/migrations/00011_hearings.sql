-- +goose Up
-- Hearings of a case (issue 5): video, audio-only or written; the parties'
-- agreement to a written hearing; who was present when; the written
-- hearing's questions and answers. Times are UTC.
CREATE TABLE hearings (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    kind         TEXT NOT NULL CHECK (kind IN ('video','audio','written')),
    status       TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled','started','ended','cancelled')),
    start_at     TIMESTAMP NOT NULL,
    end_at       TIMESTAMP NOT NULL,
    -- The .ics SEQUENCE: raised by each reschedule and by the cancellation.
    sequence     INTEGER NOT NULL DEFAULT 0,
    reason       TEXT NOT NULL DEFAULT '',
    minutes      TEXT NOT NULL DEFAULT '',
    started_at   TIMESTAMP,
    ended_at     TIMESTAMP,
    created_by   INTEGER NOT NULL REFERENCES users(id),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    CHECK (end_at > start_at)
);
CREATE INDEX hearings_case ON hearings(case_id, id);
-- The clash check looks for a judge's scheduled hearings around a time.
CREATE INDEX hearings_start ON hearings(status, start_at);

-- Each side's agreement to a written hearing (SPC Online Litigation Rules
-- Art 20), the latest word of the side: side is 'claimant' or 'merchant'.
CREATE TABLE hearing_consents (
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    side       TEXT NOT NULL CHECK (side IN ('claimant','merchant')),
    user_id    INTEGER NOT NULL REFERENCES users(id),
    agreed     BOOLEAN NOT NULL,
    at         TIMESTAMP NOT NULL,
    PRIMARY KEY (case_id, side)
);

-- Who was present when: one row per join, closed by the leave.
CREATE TABLE hearing_attendance (
    id         INTEGER PRIMARY KEY,
    hearing_id INTEGER NOT NULL REFERENCES hearings(id),
    user_id    INTEGER NOT NULL REFERENCES users(id),
    role       TEXT NOT NULL,
    joined_at  TIMESTAMP NOT NULL,
    left_at    TIMESTAMP
);
CREATE INDEX hearing_attendance_hearing ON hearing_attendance(hearing_id, user_id, id);

-- The written hearing's thread: the judge's questions (with the deadline
-- for answers) and the parties' answers to them.
CREATE TABLE hearing_posts (
    id          INTEGER PRIMARY KEY,
    hearing_id  INTEGER NOT NULL REFERENCES hearings(id),
    question_id INTEGER REFERENCES hearing_posts(id),
    author_id   INTEGER NOT NULL REFERENCES users(id),
    author_role TEXT NOT NULL,
    side        TEXT NOT NULL DEFAULT '' CHECK (side IN ('','claimant','merchant')),
    text        TEXT NOT NULL,
    due_at      TIMESTAMP,
    created_at  TIMESTAMP NOT NULL,
    CHECK ((question_id IS NULL) = (side = ''))
);
CREATE INDEX hearing_posts_hearing ON hearing_posts(hearing_id, id);
-- One answer per side and question.
CREATE UNIQUE INDEX hearing_posts_answer ON hearing_posts(question_id, side) WHERE question_id IS NOT NULL;

-- +goose Down
DROP TABLE hearing_posts;
DROP TABLE hearing_attendance;
DROP TABLE hearing_consents;
DROP TABLE hearings;
