-- +goose Up
-- Deadlines: the evidence period, and a record of every expiry the scheduler
-- applied, so that each is applied exactly once, across restarts and
-- concurrent runs.
ALTER TABLE cases ADD COLUMN evidence_due TIMESTAMP;

-- The scheduler asks, per deadline, for the cases still in a state where it
-- matters whose deadline has passed: (status, deadline) keeps that a range
-- scan of the due cases, never a walk over every case.
-- Partial: a filing has none of these dates yet, so it adds no entry to
-- them (a query "deadline < ?" implies "deadline IS NOT NULL", and SQLite
-- then uses the partial index).
CREATE INDEX cases_answer_due ON cases(status, answer_due) WHERE answer_due IS NOT NULL;
CREATE INDEX cases_evidence_due ON cases(status, evidence_due) WHERE evidence_due IS NOT NULL;
CREATE INDEX cases_conclude_by ON cases(status, conclude_by) WHERE conclude_by IS NOT NULL;

-- One row per applied expiry (and per granted extension). kind names the
-- event with the date of its deadline ("limit_passed:2026-05-02"), so that a
-- deadline moved to a new date fires again; due is the deadline as the case
-- had it. Inserted in the same transaction as the event's docket entries and
-- notices: a conflicting insert means it was applied already.
CREATE TABLE deadline_events (
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    kind       TEXT NOT NULL,
    due        TIMESTAMP NOT NULL,
    applied_at TIMESTAMP NOT NULL,
    PRIMARY KEY (case_id, kind)
);

-- +goose Down
DROP TABLE deadline_events;
DROP INDEX cases_conclude_by;
DROP INDEX cases_evidence_due;
DROP INDEX cases_answer_due;
ALTER TABLE cases DROP COLUMN evidence_due;
