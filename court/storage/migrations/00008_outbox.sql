-- +goose Up
-- Mail out of the court: contact addresses, the outbox a dispatcher delivers,
-- and the one-time codes with which a merchant served at its contact claims
-- its organisation.

-- A contact address is optional. An organisation's may come from whoever
-- named it first (a consumer filing: the shop's customer-service address, or
-- its first staff member); contact_lang is the language that person chose,
-- in which mail to the organisation is written.
ALTER TABLE users ADD COLUMN contact_email TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN contact_email TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN contact_lang TEXT NOT NULL DEFAULT 'zh-CN';

-- One row per message to one address. Rows are written in the transaction of
-- the event that causes them; the text is rendered when it is sent, in lang,
-- from kind and data. next_at is when the dispatcher may try (again).
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    recipient       TEXT NOT NULL,
    lang            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    case_id         INTEGER REFERENCES cases(id),
    user_id         INTEGER REFERENCES users(id) ON DELETE SET NULL,
    organization_id INTEGER REFERENCES organizations(id),
    data            TEXT NOT NULL DEFAULT '{}',
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_at         TIMESTAMP NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP
);
CREATE INDEX outbox_due ON outbox(next_at, id) WHERE status = 'pending';

-- Claim codes: only a SHA-256 of each code is kept, never the code. The
-- dispatcher makes a code when it sends the message that carries it (a
-- fresh one at each attempt, since an attempt that seemed to fail may have
-- been delivered); using any code of a message spends them all.
CREATE TABLE claim_codes (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id),
    outbox_id       INTEGER NOT NULL REFERENCES outbox(id),
    code_hash       TEXT NOT NULL UNIQUE,
    created_at      TIMESTAMP NOT NULL,
    used_at         TIMESTAMP,
    used_by         INTEGER REFERENCES users(id)
);
CREATE INDEX claim_codes_organization ON claim_codes(organization_id);
CREATE INDEX claim_codes_outbox ON claim_codes(outbox_id);

-- +goose Down
DROP TABLE claim_codes;
DROP TABLE outbox;
ALTER TABLE organizations DROP COLUMN contact_lang;
ALTER TABLE organizations DROP COLUMN contact_email;
ALTER TABLE users DROP COLUMN contact_email;
