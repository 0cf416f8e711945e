-- +goose Up
-- The merchant's answer and the settlement offers of a case.
CREATE TABLE answers (
    id                INTEGER PRIMARY KEY,
    case_id           INTEGER NOT NULL UNIQUE REFERENCES cases(id),
    by_user           INTEGER NOT NULL REFERENCES users(id),
    kind              TEXT NOT NULL CHECK (kind IN ('admit_all','admit_part','contest')),
    admitted          INTEGER NOT NULL CHECK (admitted >= 0),
    defence           TEXT NOT NULL DEFAULT '',
    counterclaim      BOOLEAN NOT NULL DEFAULT FALSE,
    counterclaim_text TEXT NOT NULL DEFAULT '',
    late              BOOLEAN NOT NULL DEFAULT FALSE,
    -- A counterclaim asks the judge to convert the case (Art 166).
    conversion        TEXT NOT NULL DEFAULT '' CHECK (conversion IN ('','pending','declined','converted')),
    conversion_reason TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMP NOT NULL,
    CHECK (counterclaim = (conversion <> ''))
);

CREATE TABLE offers (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    by_user      INTEGER NOT NULL REFERENCES users(id),
    by_role      TEXT NOT NULL CHECK (by_role IN ('claimant','merchant')),
    amount       INTEGER NOT NULL CHECK (amount > 0),
    terms        TEXT NOT NULL DEFAULT '',
    expires_at   TIMESTAMP NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('open','accepted','rejected','countered','expired','confirmed','declined')),
    counter_of   INTEGER REFERENCES offers(id),
    responded_by INTEGER REFERENCES users(id),
    responded_at TIMESTAMP,
    decided_by   INTEGER REFERENCES users(id),
    decided_at   TIMESTAMP,
    reason       TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX offers_case ON offers(case_id, id);
-- One offer at a time per case is open or waiting for the judge.
CREATE UNIQUE INDEX offers_one_open ON offers(case_id) WHERE status IN ('open','accepted');

-- +goose Down
DROP TABLE offers;
DROP TABLE answers;
