-- PostgreSQL leaves room in session and refresh-token pages for in-place updates (fillfactor, see
-- migrations/postgres/0137_hot_updates.sql). SQLite updates a row in place in its b-tree page and
-- has no such setting: nothing to change here (the file keeps both backends' numbering equal).
SELECT 1;
