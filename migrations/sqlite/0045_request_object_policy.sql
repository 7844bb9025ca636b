-- Request objects (issue 10 #3, #6): the only algorithm a client's request objects may use
-- ('' = the algorithms of its registered keys; 'none' only when registered so), and the request_uri
-- values it registered (a JSON array; request_uri is fetched only when listed here).
ALTER TABLE clients ADD COLUMN request_object_alg TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN request_uris TEXT NOT NULL DEFAULT '[]';
