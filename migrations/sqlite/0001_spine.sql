-- Spine: accounts and identifiers, credentials, SSO sessions, clients, consents, grants with refresh
-- tokens, signing keys, notification outbox. Instants are unix seconds; JSON is TEXT.

CREATE TABLE accounts (
    id              TEXT PRIMARY KEY,
    surname         TEXT NOT NULL,
    given_name      TEXT NOT NULL,
    patronymic      TEXT,
    level           TEXT NOT NULL DEFAULT 'simplified',
    terms_version   TEXT NOT NULL,
    privacy_version TEXT NOT NULL,
    registered_via  TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

CREATE TABLE identifiers (
    kind        TEXT NOT NULL,
    value       TEXT NOT NULL,
    account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    verified_at BIGINT,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (kind, value)
);
CREATE INDEX identifiers_account ON identifiers(account_id);

CREATE TABLE credentials (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    secret     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX credentials_one_password ON credentials(account_id, kind) WHERE kind = 'password';

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    auth_time  BIGINT NOT NULL,
    acr        TEXT NOT NULL,
    amr        TEXT NOT NULL,
    persistent BIGINT NOT NULL,
    user_agent TEXT NOT NULL,
    ip         TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ended_at   BIGINT
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE clients (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    secret_hash   TEXT,
    redirect_uris TEXT NOT NULL,
    is_public     BIGINT NOT NULL,
    id_token_alg  TEXT NOT NULL,
    require_pkce  BIGINT NOT NULL,
    grant_types   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    disabled_at   BIGINT
);

CREATE TABLE consents (
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    scopes     TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, client_id)
);

CREATE TABLE grants (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    client_id      TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    scopes         TEXT NOT NULL,
    acr            TEXT NOT NULL,
    amr            TEXT NOT NULL,
    auth_time      BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    revoked_at     BIGINT,
    revoked_reason TEXT
);
CREATE INDEX grants_account ON grants(account_id);

CREATE TABLE refresh_tokens (
    hash        TEXT PRIMARY KEY,
    grant_id    TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
    parent_hash TEXT,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX refresh_tokens_grant ON refresh_tokens(grant_id);

CREATE TABLE signing_keys (
    kid            TEXT PRIMARY KEY,
    alg            TEXT NOT NULL,
    state          TEXT NOT NULL,
    private_sealed TEXT NOT NULL,
    public_jwk     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    activated_at   BIGINT,
    retired_at     BIGINT,
    revoked_at     BIGINT
);

CREATE TABLE outbox (
    id         TEXT PRIMARY KEY,
    channel    TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX outbox_recipient ON outbox(recipient, created_at);
