-- Request-path lookups at scale (issue 15, data scale). SQLite reads a row of a rowid table
-- through its index and then the table's own b-tree; an index holding every column a lookup
-- returns (a covering index) spares the second descent. (Unique lookups — sign-in by identifier,
-- the password — keep their unique index: SQLite prefers it to any covering copy.)
--   the contacts of an account (userinfo, ESIA /ctts, the account pages), in `kind` order
DROP INDEX identifiers_account;
CREATE INDEX identifiers_account ON identifiers (account_id, kind, value, verified_at);
--   the credentials of an account for the foreign-key checks of a new or deleted account (the
--   partial unique index serves passwords only: without this, every account insert and delete
--   read the whole credentials table — found by tests/ops_query_plans.rs)
CREATE INDEX credentials_account ON credentials (account_id);
