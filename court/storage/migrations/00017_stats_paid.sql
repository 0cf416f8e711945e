-- +goose Up
-- Money recovered (court/stats): the payments confirmed within a period.
CREATE INDEX payments_confirmed ON payments(status, decided_at);

-- +goose Down
DROP INDEX payments_confirmed;
