-- Rolling deploys and rollbacks: which builds may serve on this schema (store/schema.rs).
-- A node of an older build keeps serving on a schema a newer build has migrated — migrations add,
-- they do not take away what the previous release reads or writes — unless a migration raises
-- `needs_migration`: then only builds that know that migration may serve, and an older one refuses
-- to start and its /readyz says so. A migration that drops or renames what the previous release
-- uses, or adds a column it would not fill, raises it in the same file
-- (`UPDATE schema_floor SET needs_migration = <its own version>`; tests/migration_policy.rs).
CREATE TABLE schema_floor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    needs_migration BIGINT NOT NULL
);
INSERT INTO schema_floor (id, needs_migration) VALUES (1, 0);
