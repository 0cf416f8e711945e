-- +goose Up
-- Full-text search over cases. The indexed text is made in Go
-- (storage/search.go): every Han (and other CJK) character becomes a token of
-- its own, other words stay whole, so that a two-character name such as 张伟 is
-- found as the phrase "张 伟". The table keeps no copy of the text
-- (contentless); rows are replaced by rowid (contentless_delete), the rowid
-- being the case id. Rows are written in the same transaction as the case.
CREATE VIRTUAL TABLE cases_fts USING fts5(
    facts, claimant, merchant, credit_code, order_ref, docket_no,
    content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);
-- Cases stored before this migration are indexed by courtd at its next start
-- (the SQL cannot segment text); this setting asks for it.
INSERT INTO settings (name, value) VALUES ('search_backfill', '1')
    ON CONFLICT (name) DO UPDATE SET value = '1';

-- +goose Down
DELETE FROM settings WHERE name = 'search_backfill';
DROP TABLE cases_fts;
