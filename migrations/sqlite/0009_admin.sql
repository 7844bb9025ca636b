-- Administrators (roles on top of a citizen account) and short-lived bootstrap tokens from the CLI.
CREATE TABLE admin_roles (
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, role)
);

CREATE TABLE admin_tokens (
    hash       TEXT PRIMARY KEY,
    roles      TEXT NOT NULL,
    label      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
