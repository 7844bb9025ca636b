-- WebAuthn passkeys (discoverable credentials, user verification required).
-- `passkey` is webauthn-rs's serialised Passkey (public key, counter, flags); `counter` mirrors its
-- signature counter for reading; `flagged_at` is set when a counter went backwards (a possible
-- clone): a flagged passkey is refused until the person removes it.
CREATE TABLE passkeys (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    cred_id      TEXT NOT NULL UNIQUE,
    user_handle  TEXT NOT NULL,
    name         TEXT NOT NULL,
    passkey      TEXT NOT NULL,
    counter      BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    flagged_at   BIGINT
);
CREATE INDEX passkeys_account ON passkeys(account_id);
