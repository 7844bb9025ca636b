-- Request-path lookups answered from the index alone (issue 15, data scale): at ten million
-- accounts the tables no longer fit in shared buffers and each heap page a lookup visits is a
-- random read; these indexes carry the columns the lookups return, so PostgreSQL answers with an
-- index-only scan and skips the heap page.
--   sign-in by phone / e-mail / SNILS (store::accounts::find_login): identifier → account id
ALTER TABLE identifiers DROP CONSTRAINT identifiers_pkey,
    ADD CONSTRAINT identifiers_pkey PRIMARY KEY (kind, value) INCLUDE (account_id, verified_at);
--   the contacts of an account (userinfo, ESIA /ctts, the account pages), in `kind` order
DROP INDEX identifiers_account;
CREATE INDEX identifiers_account ON identifiers (account_id, kind) INCLUDE (value, verified_at);
--   the password hash checked at sign-in; and an index on the account for the ON DELETE CASCADE of
--   a deleted account (the partial one serves passwords only: without it, a full scan)
CREATE INDEX credentials_account ON credentials (account_id);
DROP INDEX credentials_one_password;
CREATE UNIQUE INDEX credentials_one_password ON credentials (account_id, kind) INCLUDE (secret)
    WHERE kind = 'password';
--   account → oid (tokens, ESIA) and oid → account (ESIA /rs/prns/{oid})
ALTER TABLE person_oids DROP CONSTRAINT person_oids_account_id_key,
    ADD CONSTRAINT person_oids_account_id_key UNIQUE (account_id) INCLUDE (oid);
ALTER TABLE person_oids DROP CONSTRAINT person_oids_pkey,
    ADD CONSTRAINT person_oids_pkey PRIMARY KEY (oid) INCLUDE (account_id);
