-- When the owner of an account was last told, per channel (phone, email), that its password login
-- was locked: at most one such message per channel per hour, however often strangers lock it.
CREATE TABLE lock_notices (
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    channel    TEXT NOT NULL,
    sent_at    BIGINT NOT NULL,
    PRIMARY KEY (account_id, channel)
);
