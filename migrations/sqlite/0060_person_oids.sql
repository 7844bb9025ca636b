-- ESIA identifies a person by a stable integer, the oid (`urn:esia:sbj_id`, `/rs/prns/{oid}`). Given
-- on first need, never reused: AUTOINCREMENT keeps numbers of deleted accounts retired.
CREATE TABLE person_oids (
    oid        INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL UNIQUE REFERENCES accounts(id) ON DELETE CASCADE
);
-- Start where real ESIA oids look alike (ten digits), so a portal's integer column is exercised.
INSERT INTO sqlite_sequence (name, seq) VALUES ('person_oids', 1000000000);
