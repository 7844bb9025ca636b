-- Client secret rotation with an overlap window: the previous secret keeps working until it expires.
ALTER TABLE clients ADD COLUMN previous_secret_hash TEXT;
ALTER TABLE clients ADD COLUMN previous_secret_expires BIGINT;
