-- Certificates bound for qualified-electronic-signature login (one row per certificate; binding
-- enables signature login for the account). The fingerprint is SHA-256 of the certificate DER, hex.
CREATE TABLE qes_certificates (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    snils       TEXT NOT NULL,
    subject     TEXT NOT NULL,
    issuer      TEXT NOT NULL,
    serial      TEXT NOT NULL,
    fingerprint TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);
CREATE INDEX qes_certificates_account ON qes_certificates(account_id);
