-- Client metadata for more grants and authentication methods; revoked access tokens (RFC 7009).
ALTER TABLE clients ADD COLUMN allowed_scopes TEXT NOT NULL DEFAULT '[]';
ALTER TABLE clients ADD COLUMN auth_method TEXT NOT NULL DEFAULT 'client_secret_basic';
ALTER TABLE clients ADD COLUMN jwks TEXT;
ALTER TABLE clients ADD COLUMN jwks_uri TEXT;

CREATE TABLE revoked_access_tokens (
    jti        TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT NOT NULL
);
