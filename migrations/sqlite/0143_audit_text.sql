-- The audit log's text searchable by any part of three characters or more (store::audit_reads):
-- FTS5's trigram index of each entry's actor, action and target, beside the log (its content is
-- the log's own rows, by position), filled by a trigger as entries are appended, and here with
-- the entries already written. On PostgreSQL the same search goes through a trigram index built
-- after the migrations (store::online_indexes).
-- `detail = none`: no positions kept, a third of the index's size (a million entries: 41 MiB
-- against 138 MiB), for a quarter more time to find a rare part (its rows checked instead).
CREATE VIRTUAL TABLE audit_text USING fts5(
    actor, action, target,
    content = 'audit_log', content_rowid = 'seq', tokenize = 'trigram', detail = none
);
CREATE TRIGGER audit_text_append AFTER INSERT ON audit_log BEGIN
    INSERT INTO audit_text (rowid, actor, action, target)
    VALUES (new.seq, new.actor, new.action, new.target);
END;
INSERT INTO audit_text (audit_text) VALUES ('rebuild');
