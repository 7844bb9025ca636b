-- Security changes of an account (password, second factors, passkeys, recovery, new device,
-- contacts), shown with the sign-ins under «Просмотр последних действий» (issue 12).
CREATE TABLE security_events (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    at         BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    detail     TEXT NOT NULL
);
CREATE INDEX security_events_account ON security_events(account_id, at);
