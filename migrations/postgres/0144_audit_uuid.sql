-- The identifier an audit entry's actor or target names, for the indexes that find one person's,
-- client's or organisation's entries without reading the log's text (store::online_indexes,
-- store::audit_reads): the one UUID written in the text (lowercase, 8-4-4-4-12, as vhod writes
-- them), looked for at every position, so two written overlapping are both seen; NULL when the
-- text holds none, and the nil UUID when it holds more than one (such an entry is then found by a
-- search for any of them, and kept or not by the text itself).
CREATE FUNCTION audit_uuid(t TEXT) RETURNS UUID
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    found TEXT;
    u TEXT;
BEGIN
    FOR i IN 1 .. length(t) - 35 LOOP
        IF substr(t, i + 8, 1) = '-' THEN
            u := substr(t, i, 36);
            IF u ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
                IF found IS NULL THEN
                    found := u;
                ELSIF found <> u THEN
                    RETURN '00000000-0000-0000-0000-000000000000';
                END IF;
            END IF;
        END IF;
    END LOOP;
    RETURN found::UUID;
END
$$;
