-- The sweeper (store::grant_retention) walks the grants in the order they were made, the oldest
-- first, to find those that answer for nothing any more; this index gives them in that order.
-- On PostgreSQL it is built after the migrations, without holding the table's writes
-- (store::online_indexes).
CREATE INDEX grants_made ON grants (created_at, id);
