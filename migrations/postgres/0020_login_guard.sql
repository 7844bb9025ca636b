-- Every login attempt (for «Просмотр последних действий», new-device alerts and failure counting).
CREATE TABLE login_events (
    id         TEXT PRIMARY KEY,
    account_id TEXT REFERENCES accounts(id) ON DELETE CASCADE,
    at         BIGINT NOT NULL,
    user_agent TEXT NOT NULL,
    ip         TEXT NOT NULL,
    method     TEXT NOT NULL,
    result     TEXT NOT NULL
);
CREATE INDEX login_events_account ON login_events(account_id, at);
CREATE INDEX login_events_ip ON login_events(ip, at);

-- Consecutive-failure counters and password-login locks, per scope ("account:<id>" or "ip:<addr>").
-- Kept in the store so they hold across nodes and restarts.
CREATE TABLE login_guard (
    scope        TEXT PRIMARY KEY,
    consecutive  BIGINT NOT NULL,
    locked_until BIGINT NOT NULL,
    -- failures at or before this instant no longer count towards a lock (set at lock and at lift)
    reset_at     BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
