-- Clients opt in to the device grant (RFC 8628) and CIBA by their grant_types; a CIBA client
-- also names how it learns of the person's decision: 'poll' or 'ping' ('' = not a CIBA client),
-- and for ping the endpoint vhod POSTs {auth_req_id} to (CIBA Core §10.2).
ALTER TABLE clients ADD COLUMN ciba_mode TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN ciba_notification_endpoint TEXT;
