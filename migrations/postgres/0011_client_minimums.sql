-- What a portal demands: a minimum account level and a minimum authentication assurance (acr).
ALTER TABLE clients ADD COLUMN min_level TEXT NOT NULL DEFAULT 'simplified';
ALTER TABLE clients ADD COLUMN min_acr TEXT NOT NULL DEFAULT 'urn:vhod:acr:low';
