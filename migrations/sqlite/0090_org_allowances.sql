-- Portals an organisation allowed to read its data on its own (ESIA client_credentials with
-- `org_*?org_oid=N` scopes). The chief or an admin allows and revokes (audited); a revoked portal's
-- tokens stop at once, as the REST resources look the row up on every call.
CREATE TABLE org_allowances (
    org_oid    INTEGER NOT NULL REFERENCES orgs(oid) ON DELETE CASCADE,
    client_id  TEXT NOT NULL,
    allowed_by TEXT NOT NULL,
    allowed_at INTEGER NOT NULL,
    PRIMARY KEY (org_oid, client_id)
);
