-- Signing in for an organisation (issue 14, OIDC half). A grant made for an organisation names it:
-- its tokens carry the org claim while the person is still a member. Consent is per portal AND
-- organisation (a person who allowed a portal for one organisation is asked again for another);
-- consent as a private person stays in `consents`. A portal may require an organisation.
ALTER TABLE grants ADD COLUMN org_oid INTEGER;
CREATE INDEX grants_org ON grants (org_oid, client_id);

CREATE TABLE org_consents (
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    org_oid    INTEGER NOT NULL REFERENCES orgs(oid) ON DELETE CASCADE,
    scopes     TEXT NOT NULL,
    claims     TEXT NOT NULL DEFAULT '',
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, client_id, org_oid)
);
CREATE INDEX org_consents_org ON org_consents (org_oid, client_id);

ALTER TABLE clients ADD COLUMN require_org INTEGER NOT NULL DEFAULT 0;
