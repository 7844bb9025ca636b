-- Pushed authorization requests (RFC 9126) and pairwise subject identifiers.
ALTER TABLE clients ADD COLUMN require_par BIGINT NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN subject_type TEXT NOT NULL DEFAULT 'public';
-- Host of the sector (sector_identifier_uri's host, or the redirect URIs' single host).
ALTER TABLE clients ADD COLUMN sector TEXT;

-- Installation-wide settings (the pairwise-subject salt lives here, not under the KEK, so that
-- rewrapping keys never changes anyone's pairwise identifiers).
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
