-- Citizen identity: documents with verification status (pending and verified kept apart), registry
-- checks, level history, code letters, and the person's own records (addresses, vehicles, children).
ALTER TABLE accounts ADD COLUMN level_method TEXT NOT NULL DEFAULT 'registration';

CREATE TABLE documents (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    fields      TEXT NOT NULL,
    status      TEXT NOT NULL,
    reason      TEXT,
    check_id    TEXT,
    lookup      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    verified_at BIGINT
);
CREATE INDEX documents_account ON documents(account_id, kind);
-- Finding a person by a document number (operators, recovery): kind + normalised number.
CREATE INDEX documents_lookup ON documents(lookup, status);

CREATE TABLE registry_checks (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    status      TEXT NOT NULL,
    reason      TEXT,
    runs        BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX registry_checks_account ON registry_checks(account_id);

CREATE TABLE level_events (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    level      TEXT NOT NULL,
    method     TEXT NOT NULL,
    evidence   TEXT NOT NULL,
    actor      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX level_events_account ON level_events(account_id, created_at);

CREATE TABLE code_letters (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    code_hash   TEXT NOT NULL,
    address     TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    exported_at BIGINT,
    used_at     BIGINT
);
CREATE INDEX code_letters_account ON code_letters(account_id, created_at);

CREATE TABLE profile_items (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    fields     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX profile_items_account ON profile_items(account_id, kind);

-- «Уведомления»: the person's notification feed in the personal account.
CREATE TABLE feed (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    text       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX feed_account ON feed(account_id, created_at);
