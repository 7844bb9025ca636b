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
orgsel-consent_org_data = The portal will receive the organisation's data: its number in vhod, type, name, OGRN, INN, KPP and your role in it.
orgsel-portals = Portals allowed to sign in on behalf of the organisation
orgsel-portals_none = None yet.
orgsel-portal_people = { $count ->
    [one] { $count } employee
   *[other] { $count } employees
}
orgsel-revoke = Withdraw the permission
orgsel-revoked = The portal's permission is withdrawn: its access on behalf of the organisation has ended.
item-org = The organisation you act for: its number in vhod, type (legal entity or sole trader), name, OGRN, INN, KPP, your role
orgsel-b2b_title = Business account (demo)
orgsel-b2b_intro = A demo portal for organisations: employees sign in through vhod as representatives of their organisation, with no separate logins and passwords. The portal learns the organisation and the person's role in it.
orgsel-b2b_login = Sign in through vhod as a representative of an organisation
orgsel-b2b_signed_in = You are signed in as a representative of the organisation
orgsel-b2b_card = Organisation card
orgsel-b2b_type = Type
orgsel-b2b_checked = The portal checks your rights with vhod at every page view: if you are removed from the organisation or the organisation withdraws its permission, your access ends.
orgsel-b2b_lost = Access ended: vhod no longer confirms that you act on behalf of the organisation. Sign in again.
orgsel-b2b_denied = Not signed in: the portal accepts only representatives of an organisation, or you declined to share the data.
orgsel-b2b_esia_title = The ESIA variant
orgsel-b2b_esia = The same organisation over the ESIA protocol: the portal signs its request with its GOST key, asks for the person (usr_org) and the organisation (scope_org), the organisation is chosen on the same vhod page, then the portal exchanges the code for tokens and reads /rs/prns/…/roles and /rs/orgs/….
orgsel-b2b_personal = The demo portal for private persons
orgsel-console_orphans = Organisations without a head
orgsel-console_orphans_none = There are none.
orgsel-console_orphans_hint = The head's account was deleted. A new head restores the role by signing a request with a qualified signature that names them as head.
orgsel-b2b_esia_login = Sign in through vhod over the ESIA protocol
orgsel-b2b_esia_lost = ESIA access ended: vhod refused the portal the organisation's data. Sign in again.
orgsel-b2b_esia_denied = Not signed in over ESIA: you declined to share the data, or you have no organisation.
orgsel-b2b_esia_phone = Phone
orgsel-b2b_esia_email = E-mail
orgsel-b2b_esia_contact = Contact
orgsel-b2b_esia_legal_address = Legal address
orgsel-b2b_esia_actual_address = Actual address
orgsel-b2b_esia_employees = The organisation's employees
orgsel-b2b_esia_checked = The portal refreshes its token and reads the data from vhod again at every page view: if you are removed from the organisation or the organisation withdraws its permission, your access ends.
orgsel-approve_for = On behalf of the organisation:
