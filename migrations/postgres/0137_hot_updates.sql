-- Room in each page for the updates every request makes (issue 15, data scale): a session's
-- `last_seen` is touched on each page view and a refresh token's `used_at` set on each refresh.
-- Neither column is indexed, so PostgreSQL can write the new row version beside the old one in
-- the same page (a HOT update) without touching the indexes — but only if the page has room. Full
-- pages (the default fillfactor 100) make every such update write a row elsewhere and a new entry
-- into each index: 15 buffer pages per session touch at 10 000 accounts, 21 at 6 million
-- (benches/scale/query_times.py). Applies to pages written from now on.
ALTER TABLE sessions SET (fillfactor = 80);
ALTER TABLE refresh_tokens SET (fillfactor = 80);
