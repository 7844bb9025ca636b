### Signing in for an organisation: the choice page, the refusal, the consent's organisation section, the demo B2B portal.

orgsel-title = Sign in on whose behalf
orgsel-asks = asks you to sign in for an organisation. Choose on whose behalf you act.
orgsel-role = your role
orgsel-private = As a private person
orgsel-required = This portal accepts sign-in only on behalf of an organisation.
orgsel-continue = Continue
orgsel-pick_one = Choose an organisation or signing in as a private person.
orgsel-not_allowed = This organisation cannot be chosen for signing in to this portal.
orgsel-refused_title = An organisation is required
orgsel-refused_text = accepts sign-in only on behalf of an organisation, and you are not a member of any organisation it accepts.
orgsel-refused_how = The head or an administrator of an organisation can invite you under «Organisations»; a head can add their organisation themselves.
orgsel-my_orgs = My organisations
orgsel-consent_for = You act on behalf of the organisation
orgsel-consent_private = You act as a private person.
orgsel-consent_org_data = The portal will receive the organisation's data: type, name, OGRN, INN, KPP and your role in it.
orgsel-portals = Portals allowed to sign in on behalf of the organisation
orgsel-portals_none = None yet.
orgsel-portal_people = { $count ->
    [one] { $count } employee
   *[other] { $count } employees
}
orgsel-revoke = Withdraw the permission
orgsel-revoked = The portal's permission is withdrawn: its access on behalf of the organisation has ended.
item-org = The organisation you act for: name, OGRN, INN, KPP, your role
