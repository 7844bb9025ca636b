### The ESIA protocol surface (/aas/oauth2/…): refusals shown as pages, data items only ESIA scopes name.

esia-error-007002 = ESIA-007002: the portal's certificate does not match the one registered for it. Sign-in stopped.
esia-error-007003 = ESIA-007003: the portal's request has a wrong or repeated parameter. Go back to the portal and try again.
esia-error-007005 = ESIA-007005: this portal is not registered for sign-in by the ESIA protocol.
esia-error-007014 = ESIA-007014: the portal's request lacks a mandatory parameter (client_id or redirect_uri).
esia-error-007023 = ESIA-007023: the return address does not match the ones registered for the portal. Sign-in stopped for your safety.
esia-error-other = The portal's request cannot be processed. Go back to the portal and try again.

esia-item-foreign_passport = Foreign travel passport: series, number, date of issue, expiry date
esia-item-military_doc = Military ID: series, number, date of issue
esia-item-residence_doc = Residence permit: series, number, date of issue
esia-item-usr_org = The organisations you belong to
esia-item-kid_gender = Children: gender
esia-item-kid_snils = Children: SNILS
esia-item-kid_inn = Children: INN
esia-item-kid_birth_cert_doc = Children: birth certificate
esia-item-kid_medical_doc = Children: compulsory medical insurance policy

## Organisation scopes (scope_org at v2/ac, client_credentials): what the portal learns about the chosen organisation
esia-item-org_shortname = Organisation: short name
esia-item-org_fullname = Organisation: full name
esia-item-org_type = Organisation: type (legal entity or sole trader)
esia-item-org_ogrn = Organisation: OGRN or OGRNIP
esia-item-org_inn = Organisation: INN
esia-item-org_kpp = Organisation: KPP
esia-item-org_ctts = Organisation: phone and e-mail
esia-item-org_addrs = Organisation: legal and actual addresses
esia-item-org_emps = Organisation: its employees and their roles (for the head and administrators only)
