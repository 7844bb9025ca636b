-- Organisations whose chief's account was deleted, flagged in the change that records it
-- (orgs::members::forget_person), so the operators' list of organisations without a chief reads
-- these few rows rather than every organisation with a look for its chief. The list still checks
-- that each has no chief, so a flag outlived by a new chief hides nothing. Orphans made before
-- this migration are flagged here; each node's start flags again any the previous release made
-- (Store::flag_chiefless_orgs).
CREATE TABLE orgs_chief_lost (
    org_oid BIGINT PRIMARY KEY REFERENCES orgs(oid) ON DELETE CASCADE,
    at      BIGINT NOT NULL
);
INSERT INTO orgs_chief_lost (org_oid, at)
SELECT o.oid, 0 FROM orgs o
WHERE NOT EXISTS (SELECT 1 FROM org_members m WHERE m.org_oid = o.oid AND m.role = 'chief');
