-- The sweeper (store::retention) deletes what has expired a batch at a time; these indexes find
-- the batch without reading the table. `expires_at` is written once, at insert, so the
-- once-a-minute session touch and the refresh token's spending stay HOT updates (0137).
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);
CREATE INDEX revoked_access_tokens_expiry ON revoked_access_tokens (expires_at);
