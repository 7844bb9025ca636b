-- What a consent covers beyond its scopes: claims asked for one by one in the `claims` parameter
-- (space-separated names, `name:unverified` for those released while still under check).
ALTER TABLE consents ADD COLUMN claims TEXT NOT NULL DEFAULT '';
