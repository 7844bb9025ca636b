-- The interface language a person chose with the switcher ('ru' | 'en'); NULL until they choose.
-- Pages, e-mails and SMS to the person use it (issue 12).
ALTER TABLE accounts ADD COLUMN lang TEXT;
