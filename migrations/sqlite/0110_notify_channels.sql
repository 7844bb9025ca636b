-- The channel a person chose for sign-in codes and approvals (issue 17): 'sms', 'push' or
-- 'email'. No row: SMS to the confirmed phone, as before.
CREATE TABLE notify_channels (
    account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
