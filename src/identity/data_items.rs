//! The items of data a portal can receive, in one table for both protocols: every scope name vhod
//! knows (OpenID, ESIA person, ESIA organisation), the OpenID claims each releases, and the items
//! (interface-text keys) the consent pages and the permissions page name for it.
//!
//! OpenID consent and release (`oidc::consent_items`), ESIA's scope checks and consent page
//! (`esia::scopes`) and the permissions page (`web::scope_names`) all read this table, so the data
//! a person is asked about, the data a portal receives and the data the person later sees as
//! allowed cannot drift apart. Where the pages name a scope differently, that difference is written
//! here, as a release's `Shown`.

/// A page that names items of data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    /// The OpenID consent page (and the device / CIBA approval page).
    OpenIdConsent,
    /// The ESIA consent page.
    EsiaConsent,
    /// «Разрешения доступа к персональным данным» (`/account/permissions`): a remembered consent.
    Permissions,
}

/// Which pages name a release's items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// Every page that names the scope.
    Everywhere,
    /// The OpenID consent page only: what comes with every OpenID sign-in (the identifier, the
    /// account level).
    OpenIdConsent,
    /// The permissions page only: its own wording for a scope the consent page names otherwise.
    Permissions,
}

impl Shown {
    pub fn on(self, page: Page) -> bool {
        match self {
            Shown::Everywhere => true,
            Shown::OpenIdConsent => page == Page::OpenIdConsent,
            Shown::Permissions => page == Page::Permissions,
        }
    }
}

/// One OpenID claim a scope releases and the items (interface-text keys) naming it. `claim` ""
/// when the items name no OpenID claim (offline_access, ESIA's own scopes, a permissions-page
/// wording).
pub struct Release {
    pub claim: &'static str,
    pub items: &'static [&'static str],
    pub shown: Shown,
}

/// Whether, and as what, ESIA knows a scope name. The number is the scope's place on the ESIA
/// consent page, which keeps ESIA's own order of its scope list (the OpenID consent page follows
/// the table's order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Esia {
    No,
    /// A person scope, asked in `scope`.
    Person(u8),
    /// An organisation scope (`org_*`), asked in `scope_org` or by client_credentials.
    Org(u8),
}

/// A scope name vhod knows and what it releases.
pub struct Scope {
    pub name: &'static str,
    /// OpenID knows it (discovery's `scopes_supported`).
    pub openid: bool,
    pub esia: Esia,
    pub releases: &'static [Release],
}

impl Scope {
    /// The items `page` names for this scope, each once, in table order.
    pub fn items_on(&self, page: Page) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = vec![];
        for r in self.releases.iter().filter(|r| r.shown.on(page)) {
            for i in r.items {
                if !out.contains(i) {
                    out.push(i);
                }
            }
        }
        out
    }

    pub fn is_esia_person(&self) -> bool {
        matches!(self.esia, Esia::Person(_))
    }

    pub fn is_esia_org(&self) -> bool {
        matches!(self.esia, Esia::Org(_))
    }
}

const fn row(claim: &'static str, items: &'static [&'static str]) -> Release {
    Release {
        claim,
        items,
        shown: Shown::Everywhere,
    }
}

const fn openid_page_only(claim: &'static str, items: &'static [&'static str]) -> Release {
    Release {
        claim,
        items,
        shown: Shown::OpenIdConsent,
    }
}

const fn no_claim(items: &'static [&'static str]) -> Release {
    row("", items)
}

const fn permissions_page_only(items: &'static [&'static str]) -> Release {
    Release {
        claim: "",
        items,
        shown: Shown::Permissions,
    }
}

const fn openid(name: &'static str, releases: &'static [Release]) -> Scope {
    Scope {
        name,
        openid: true,
        esia: Esia::No,
        releases,
    }
}

const fn both(name: &'static str, place: u8, releases: &'static [Release]) -> Scope {
    Scope {
        name,
        openid: true,
        esia: Esia::Person(place),
        releases,
    }
}

const fn person(name: &'static str, place: u8, releases: &'static [Release]) -> Scope {
    Scope {
        name,
        openid: false,
        esia: Esia::Person(place),
        releases,
    }
}

const fn org(name: &'static str, place: u8, releases: &'static [Release]) -> Scope {
    Scope {
        name,
        openid: false,
        esia: Esia::Org(place),
        releases,
    }
}

const FULLNAME: &[&str] = &["item.fullname"];
const EMAIL: &[&str] = &["item.email"];
const PHONE: &[&str] = &["item.phone"];
const CONTACTS: &[&str] = &["item.contacts"];

/// Every scope name vhod knows, in the OpenID consent page's order.
pub const SCOPES: &[Scope] = &[
    // openid: in every request; released always, and consent is not asked for it alone. The ESIA
    // consent page and the permissions page name nothing for it.
    both(
        "openid",
        1,
        &[
            openid_page_only("sub", &["item.sub"]),
            openid_page_only("account_level", &["item.account_level"]),
            openid_page_only("account_level_method", &["item.account_level"]),
        ],
    ),
    openid(
        "profile",
        &[
            row("family_name", FULLNAME),
            row("given_name", FULLNAME),
            row("middle_name", FULLNAME),
            row("name", FULLNAME),
            row("updated_at", &["item.updated_at"]),
            row("birthdate", &["item.birthdate"]),
            row("gender", &["item.gender"]),
        ],
    ),
    both(
        "fullname",
        2,
        &[
            row("family_name", FULLNAME),
            row("given_name", FULLNAME),
            row("middle_name", FULLNAME),
            row("name", FULLNAME),
        ],
    ),
    both("birthdate", 3, &[row("birthdate", &["item.birthdate"])]),
    both("gender", 4, &[row("gender", &["item.gender"])]),
    both(
        "email",
        15,
        &[row("email", EMAIL), row("email_verified", EMAIL)],
    ),
    openid(
        "phone",
        &[
            row("phone_number", PHONE),
            row("phone_number_verified", PHONE),
        ],
    ),
    // ESIA's name for the phone scope.
    both(
        "mobile",
        16,
        &[
            row("phone_number", PHONE),
            row("phone_number_verified", PHONE),
        ],
    ),
    both(
        "contacts",
        17,
        &[
            row("contacts", CONTACTS),
            row("email", CONTACTS),
            row("email_verified", CONTACTS),
            row("phone_number", CONTACTS),
            row("phone_number_verified", CONTACTS),
        ],
    ),
    both("snils", 5, &[row("snils", &["item.snils"])]),
    both("inn", 6, &[row("inn", &["item.inn"])]),
    both("id_doc", 7, &[row("id_doc", &["item.id_doc"])]),
    both("birthplace", 8, &[row("birthplace", &["item.birthplace"])]),
    // OpenID Connect's standard name (Core §5.4) for what vhod calls `addresses`: no protocol
    // accepts it, the permissions page names it should a consent hold it.
    both("addresses", 18, &[row("addresses", &["item.addresses"])]),
    both(
        "drivers_licence_doc",
        10,
        &[row("drivers_licence_doc", &["item.drivers_licence"])],
    ),
    both("medical_doc", 9, &[row("medical_doc", &["item.medical"])]),
    person(
        "foreign_passport_doc",
        11,
        &[no_claim(&["esia.item.foreign_passport"])],
    ),
    person("military_doc", 12, &[no_claim(&["esia.item.military_doc"])]),
    person(
        "residence_doc",
        13,
        &[no_claim(&["esia.item.residence_doc"])],
    ),
    both("vehicles", 14, &[row("vehicles", &["item.vehicles"])]),
    person("usr_org", 19, &[no_claim(&["esia.item.usr_org"])]),
    both("kid_fullname", 20, &[row("kids", &["item.kid_fullname"])]),
    both("kid_birthdate", 21, &[row("kids", &["item.kid_birthdate"])]),
    person("kid_gender", 22, &[no_claim(&["esia.item.kid_gender"])]),
    person("kid_snils", 23, &[no_claim(&["esia.item.kid_snils"])]),
    person("kid_inn", 24, &[no_claim(&["esia.item.kid_inn"])]),
    person(
        "kid_birth_cert_doc",
        25,
        &[no_claim(&["esia.item.kid_birth_cert_doc"])],
    ),
    person(
        "kid_medical_doc",
        26,
        &[no_claim(&["esia.item.kid_medical_doc"])],
    ),
    // A permission of its own that releases no claim. ESIA asks it otherwise (its consent page
    // names it when the portal may refresh).
    openid("offline_access", &[no_claim(&["item.offline"])]),
    // Signing in for an organisation (issue 14): the `org` claim. The permissions page names it
    // in its own words.
    openid(
        "organization",
        &[
            openid_page_only("org", &["item.org"]),
            permissions_page_only(&["perm.scope_organization"]),
        ],
    ),
    // ESIA's `org_*` names for what vhod keeps of an organisation (see `esia::scopes`).
    org(
        "org_shortname",
        27,
        &[no_claim(&["esia.item.org_shortname"])],
    ),
    org("org_fullname", 28, &[no_claim(&["esia.item.org_fullname"])]),
    org("org_type", 29, &[no_claim(&["esia.item.org_type"])]),
    org("org_ogrn", 30, &[no_claim(&["esia.item.org_ogrn"])]),
    org("org_inn", 31, &[no_claim(&["esia.item.org_inn"])]),
    org("org_kpp", 32, &[no_claim(&["esia.item.org_kpp"])]),
    org("org_ctts", 33, &[no_claim(&["esia.item.org_ctts"])]),
    org("org_addrs", 34, &[no_claim(&["esia.item.org_addrs"])]),
    org("org_emps", 35, &[no_claim(&["esia.item.org_emps"])]),
];

/// OpenID claims asked for by name in the `claims` parameter whose items are not any one scope's:
/// `kids` (both halves), `verified_claims` (no scope releases it).
pub const CLAIMS_BY_NAME: &[Release] = &[
    row("kids", &["item.kid_fullname", "item.kid_birthdate"]),
    row("verified_claims", &["item.verified_claims"]),
];

/// The scope of this name, whichever protocol knows it.
pub fn scope(name: &str) -> Option<&'static Scope> {
    SCOPES.iter().find(|s| s.name == name)
}

/// The scopes OpenID knows, in the table's order.
pub fn openid_scopes() -> impl Iterator<Item = &'static Scope> {
    SCOPES.iter().filter(|s| s.openid)
}

/// The scopes ESIA knows, person scopes and organisation scopes, in the ESIA consent page's order.
pub fn esia_scopes() -> Vec<&'static Scope> {
    let place = |s: &Scope| match s.esia {
        Esia::Person(n) | Esia::Org(n) => n,
        Esia::No => 0,
    };
    let mut out: Vec<&'static Scope> = SCOPES.iter().filter(|s| s.esia != Esia::No).collect();
    out.sort_by_key(|s| place(s));
    out
}

#[cfg(test)]
mod tests;
