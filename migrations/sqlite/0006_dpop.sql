-- DPoP (RFC 9449): the key a grant's tokens are bound to, and clients that must use it.
ALTER TABLE grants ADD COLUMN dpop_jkt TEXT;
ALTER TABLE clients ADD COLUMN require_dpop BIGINT NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN fapi2 BIGINT NOT NULL DEFAULT 0;
