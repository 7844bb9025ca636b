-- The UUIDs an audit entry's actor and target name (lowercase, 8-4-4-4-12, as vhod writes them),
-- for finding one person's, client's or organisation's entries in order of position however
-- long the log (store::audit_reads; on PostgreSQL the indexes of `audit_uuid`, migration 0144
-- there): a row for each UUID written in the column, looked for at every position up to the
-- 1024th, so two written overlapping are both seen; a column too long to look through whole is
-- listed under the nil UUID, which every search by a UUID reads too (the text itself then
-- decides). Filled by a trigger as entries are appended, and here with the entries already
-- written.
CREATE TABLE audit_uuid_positions (i INTEGER PRIMARY KEY);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1024)
INSERT INTO audit_uuid_positions (i) SELECT i FROM n;
CREATE TABLE audit_uuids (
    col  TEXT NOT NULL,
    uuid TEXT NOT NULL,
    seq  INTEGER NOT NULL,
    PRIMARY KEY (col, uuid, seq)
) WITHOUT ROWID;
CREATE TRIGGER audit_uuids_append AFTER INSERT ON audit_log BEGIN
    INSERT OR IGNORE INTO audit_uuids (col, uuid, seq)
    SELECT 'actor', substr(new.actor, i, 36), new.seq FROM audit_uuid_positions
    WHERE i <= length(new.actor) - 35 AND substr(new.actor, i + 8, 1) = '-'
        AND substr(new.actor, i, 36) GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'
    UNION ALL
    SELECT 'actor', '00000000-0000-0000-0000-000000000000', new.seq WHERE length(new.actor) > 1024 + 35;
    INSERT OR IGNORE INTO audit_uuids (col, uuid, seq)
    SELECT 'target', substr(new.target, i, 36), new.seq FROM audit_uuid_positions
    WHERE i <= length(new.target) - 35 AND substr(new.target, i + 8, 1) = '-'
        AND substr(new.target, i, 36) GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'
    UNION ALL
    SELECT 'target', '00000000-0000-0000-0000-000000000000', new.seq WHERE length(new.target) > 1024 + 35;
END;
INSERT OR IGNORE INTO audit_uuids (col, uuid, seq)
SELECT 'actor', substr(audit_log.actor, i, 36), audit_log.seq FROM audit_log, audit_uuid_positions
    WHERE i <= length(audit_log.actor) - 35 AND substr(audit_log.actor, i + 8, 1) = '-'
        AND substr(audit_log.actor, i, 36) GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'
    UNION ALL
    SELECT 'actor', '00000000-0000-0000-0000-000000000000', audit_log.seq FROM audit_log WHERE length(audit_log.actor) > 1024 + 35;
INSERT OR IGNORE INTO audit_uuids (col, uuid, seq)
SELECT 'target', substr(audit_log.target, i, 36), audit_log.seq FROM audit_log, audit_uuid_positions
    WHERE i <= length(audit_log.target) - 35 AND substr(audit_log.target, i + 8, 1) = '-'
        AND substr(audit_log.target, i, 36) GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'
    UNION ALL
    SELECT 'target', '00000000-0000-0000-0000-000000000000', audit_log.seq FROM audit_log WHERE length(audit_log.target) > 1024 + 35;
