-- The documents a registry check covers (store::documents: the check's answer updates them, the
-- documents it supersedes are found through it): without this index each registry answer read the
-- whole documents table (a full scan found by tests/ops_query_plans.rs).
CREATE INDEX documents_check ON documents (check_id);
