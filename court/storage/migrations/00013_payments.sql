-- +goose Up
-- Payments of what a signed ruling or mediation document orders (issue 6).
-- The paying side records each payment against one order (ruling_orders:
-- ruling_id, seq); the receiving side confirms or disputes it. Amounts are
-- fen. A disputed payment no longer counts towards the order; a confirmed
-- one is final. The enforcement flag and the payee's application for
-- enforcement are deadline_events rows (kinds payment_overdue and
-- enforcement_applied), so each happens once per case.
CREATE TABLE payments (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    ruling_id   INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    amount      INTEGER NOT NULL CHECK (amount > 0),
    method      TEXT NOT NULL CHECK (method IN ('bank', 'alipay_wechat', 'cash', 'other')),
    reference   TEXT NOT NULL DEFAULT '',
    paid_on     TEXT NOT NULL, -- the court day the payer says it paid, YYYY-MM-DD
    -- The proof: an exhibit of the case (the exhibits part checks that it
    -- is one); NULL without proof.
    exhibit_id  INTEGER,
    note        TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'recorded' CHECK (status IN ('recorded', 'confirmed', 'disputed')),
    reason      TEXT NOT NULL DEFAULT '', -- why the payee disputes it
    recorded_by INTEGER NOT NULL REFERENCES users(id),
    decided_by  INTEGER REFERENCES users(id),
    created_at  TIMESTAMP NOT NULL,
    decided_at  TIMESTAMP,
    FOREIGN KEY (ruling_id, seq) REFERENCES ruling_orders(ruling_id, seq)
);
CREATE INDEX payments_case ON payments(case_id, id);
CREATE INDEX payments_order ON payments(ruling_id, seq, status);

-- +goose Down
DROP TABLE payments;
