-- TOTP authenticator apps: the secret sealed under the key-encryption key; the last accepted time
-- step, so a code (or an older one) is never accepted twice (RFC 6238 §5.2).
CREATE TABLE totp_credentials (
    account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    secret     TEXT NOT NULL,
    last_step  BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Single-use recovery codes for a lost second factor, stored hashed.
CREATE TABLE recovery_codes (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX recovery_codes_account ON recovery_codes(account_id);

-- Per-account security choices: SMS two-step login, login alerts for a new device.
CREATE TABLE account_security (
    account_id   TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    sms_two_step BIGINT NOT NULL DEFAULT 0,
    login_alerts BIGINT NOT NULL DEFAULT 0,
    updated_at   BIGINT NOT NULL
);
