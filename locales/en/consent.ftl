### Consent: the data a portal asks for, and the permissions already given.

perm-title = Permissions to access personal data
perm-none = You have not allowed any portal to access your data yet.
perm-since = since
perm-revoke = Revoke
perm-orgs_title = On behalf of organisations
perm-orgs_hint = Permissions you gave portals while signing in on behalf of an organisation. Withdrawing one affects only your own permission: other employees' permissions stay.
perm-org = Organisation
perm-portal = Portal
perm-data = Data
perm-date = Date
perm-bad_request = Could not tell which permission to withdraw.

consent-title = Access to your personal data
consent-asks = asks for access to the following data:
consent-allow = Allow
consent-deny = Deny
consent-unverified = including data not yet checked by the registry

item-sub = Your user identifier
item-account_level = Account level (simplified, standard, confirmed) and how it was reached
item-fullname = Surname, name and patronymic
item-updated_at = When your data last changed
item-birthdate = Date of birth
item-gender = Gender
item-email = E-mail address (confirmed)
item-phone = Mobile phone number (confirmed)
item-contacts = Contacts: confirmed mobile phone number and e-mail address
item-snils = SNILS (individual insurance account number)
item-inn = INN (taxpayer number)
item-id_doc = Identity document (Russian passport or foreign document): type, series, number, date of issue, issuing office code or country
item-birthplace = Place of birth
item-addresses = Registration and residence addresses
item-drivers_licence = Driving licence: series, number, date of issue, expiry date
item-medical = Compulsory medical insurance policy: number
item-vehicles = Vehicles: make and model, number plate, registration certificate number
item-kid_fullname = Children: surname and name
item-kid_birthdate = Children: date of birth
item-verified_claims = Data checked against your document: surname, name, patronymic, date and place of birth, gender, the identity document's type, series, number, date of issue and issuer, the level and method of the check
item-offline = Access to this data until you withdraw it (also when you are not on the portal)
perm-scope_organization = The organisation you sign in for: its number in vhod, name, type, OGRN, INN, KPP and your role in it
