-- ESIA clients: a relying party that speaks ESIA's own protocol (src/esia). It is a row in `clients`
-- (name, redirect URIs, allowed scopes, token algorithm, level) plus what only ESIA has: the
-- legacy flag and the registered certificates the client_secret signatures are checked with.
CREATE TABLE esia_clients (
    client_id  TEXT PRIMARY KEY REFERENCES clients(id) ON DELETE CASCADE,
    legacy     INTEGER NOT NULL DEFAULT 0
);
-- A certificate stays valid until `expires_at` after its replacement (the overlap, as with secret
-- rotation); NULL = current. `hash` = Streebog-256 of the DER, lowercase hex (client_certificate_hash).
CREATE TABLE esia_certificates (
    client_id  TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    hash       TEXT NOT NULL,
    der        TEXT NOT NULL,
    added_at   INTEGER NOT NULL,
    expires_at INTEGER,
    PRIMARY KEY (client_id, hash)
);
