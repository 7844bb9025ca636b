-- Where the sweep's walk over old grants stands (store::grant_retention), shared by every node and
-- kept across restarts: nodes go on from each other's position, and a restart does not send a
-- node back to the oldest grants (those kept by refresh tokens in use) to read them all again.
CREATE TABLE sweep_walks (
    name       TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    id         TEXT NOT NULL
);
