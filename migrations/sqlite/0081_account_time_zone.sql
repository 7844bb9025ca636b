-- The time zone a person chose for the dates pages show them (an IANA name of a Russian zone;
-- NULL = Moscow time). Issue 12.
ALTER TABLE accounts ADD COLUMN time_zone TEXT;
