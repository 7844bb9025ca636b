//! ESIA scope names: which are known, which items of data each one releases (the consent page
//! names them), and how they appear in an access token (`name?oid=N`, bare `openid`).

/// Person scopes and the consent-page items (interface-text keys) each releases.
const PERSON: &[(&str, &[&str])] = &[
    ("openid", &[]),
    ("fullname", &["item.fullname"]),
    ("birthdate", &["item.birthdate"]),
    ("gender", &["item.gender"]),
    ("snils", &["item.snils"]),
    ("inn", &["item.inn"]),
    ("id_doc", &["item.id_doc"]),
    ("birthplace", &["item.birthplace"]),
    ("medical_doc", &["item.medical"]),
    ("drivers_licence_doc", &["item.drivers_licence"]),
    ("foreign_passport_doc", &["esia.item.foreign_passport"]),
    ("military_doc", &["esia.item.military_doc"]),
    ("residence_doc", &["esia.item.residence_doc"]),
    ("vehicles", &["item.vehicles"]),
    ("email", &["item.email"]),
    ("mobile", &["item.phone"]),
    ("contacts", &["item.contacts"]),
    ("addresses", &["item.addresses"]),
    ("usr_org", &["esia.item.usr_org"]),
    ("kid_fullname", &["item.kid_fullname"]),
    ("kid_birthdate", &["item.kid_birthdate"]),
    ("kid_gender", &["esia.item.kid_gender"]),
    ("kid_snils", &["esia.item.kid_snils"]),
    ("kid_inn", &["esia.item.kid_inn"]),
    ("kid_birth_cert_doc", &["esia.item.kid_birth_cert_doc"]),
    ("kid_medical_doc", &["esia.item.kid_medical_doc"]),
];

/// Organisation scopes (ESIA's `org_*` names for what vhod keeps of an organisation) and the
/// consent-page items each releases. A portal asks them in `scope_org` at v2/ac (the person then
/// chooses the organisation) or as `org_*?org_oid=N` by client_credentials; the access token
/// carries them as `name?org_oid=N`. What each opens at `/rs/orgs/{id}`: see `rest::org_access`.
const ORG: &[(&str, &[&str])] = &[
    ("org_shortname", &["esia.item.org_shortname"]),
    ("org_fullname", &["esia.item.org_fullname"]),
    ("org_type", &["esia.item.org_type"]),
    ("org_ogrn", &["esia.item.org_ogrn"]),
    ("org_inn", &["esia.item.org_inn"]),
    ("org_kpp", &["esia.item.org_kpp"]),
    ("org_ctts", &["esia.item.org_ctts"]),
    ("org_addrs", &["esia.item.org_addrs"]),
    ("org_emps", &["esia.item.org_emps"]),
];

pub fn is_person_scope(name: &str) -> bool {
    PERSON.iter().any(|(n, _)| *n == name)
}

/// One of the organisation scope names vhod knows (`org_shortname`, …, `org_emps`).
pub fn is_org_scope(name: &str) -> bool {
    ORG.iter().any(|(n, _)| *n == name)
}

/// The organisation number of a token item `org_*?org_oid=N`, if it is one.
pub fn org_item_oid(item: &str) -> Option<i64> {
    let (name, param) = split_item(item);
    if !is_org_scope(name) {
        return None;
    }
    let n = param?.strip_prefix("org_oid=")?;
    (!n.is_empty() && n.len() <= 18 && n.bytes().all(|b| b.is_ascii_digit()))
        .then(|| n.parse().ok())
        .flatten()
}

/// `org_*?org_oid=N`: how an organisation scope names its organisation in a token.
pub fn org_item(name: &str, org_oid: i64) -> String {
    format!("{name}?org_oid={org_oid}")
}

/// Organisation scopes (client_credentials): `org_*?org_oid=N` (a known `org_*` name), and
/// `prm_chg?oid=N`.
pub fn is_org_scope_item(item: &str) -> bool {
    let (name, param) = split_item(item);
    let number = |p: &str, key: &str| {
        p.strip_prefix(key).is_some_and(|n| {
            !n.is_empty() && n.len() <= 19 && n.bytes().all(|b| b.is_ascii_digit())
        })
    };
    match param {
        Some(p) if name == "prm_chg" => number(p, "oid="),
        Some(p) => is_org_scope(name) && number(p, "org_oid="),
        None => false,
    }
}

/// `name?param` → (name, Some(param)).
pub fn split_item(item: &str) -> (&str, Option<&str>) {
    match item.split_once('?') {
        Some((n, p)) => (n, Some(p)),
        None => (item, None),
    }
}

/// The scope parameter's names, split on spaces (a `+` already decoded), without repeats.
pub fn parse(scope: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for s in scope.split([' ', '+']).filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    out
}

/// The consent page's items for `scopes` (each item once, in table order; an organisation scope
/// by its name or as `name?org_oid=N`), plus offline access.
pub fn consent_items(scopes: &[String], offline: bool) -> Vec<&'static str> {
    let names: Vec<&str> = scopes.iter().map(|s| split_item(s).0).collect();
    let mut out: Vec<&'static str> = vec![];
    for (name, items) in PERSON.iter().chain(ORG) {
        if names.contains(name) {
            for i in *items {
                if !out.contains(i) {
                    out.push(i);
                }
            }
        }
    }
    if offline {
        out.push("item.offline");
    }
    out
}

/// The access token's `scope`: each person scope as `name?oid=N`, `openid` bare, an organisation
/// item (`org_*?org_oid=N`, already naming its organisation) as it is.
pub fn token_scope(scopes: &[String], oid: i64) -> String {
    scopes
        .iter()
        .map(|s| {
            if s == "openid" || org_item_oid(s).is_some() {
                s.clone()
            } else {
                format!("{s}?oid={oid}")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_scope_names_the_person_in_each_item() {
        let s = parse("openid fullname  snils fullname");
        assert_eq!(
            token_scope(&s, 1000000001),
            "openid fullname?oid=1000000001 snils?oid=1000000001"
        );
    }

    #[test]
    fn organisation_scope_items_carry_their_number() {
        assert!(is_org_scope_item("org_emps?org_oid=1000000777"));
        assert!(is_org_scope_item("prm_chg?oid=1000000001"));
        assert!(!is_org_scope_item("org_emps"));
        assert!(!is_org_scope_item("org_emps?org_oid=x"));
        assert!(!is_org_scope_item("fullname?oid=1"));
        assert!(!is_org_scope_item("org_nonsense?org_oid=1"));
    }

    #[test]
    fn organisation_items_keep_their_organisation_in_the_token_scope() {
        let s = parse("openid usr_org org_shortname?org_oid=1000000005");
        assert_eq!(
            token_scope(&s, 1000000001),
            "openid usr_org?oid=1000000001 org_shortname?org_oid=1000000005"
        );
        assert_eq!(org_item_oid("org_emps?org_oid=42"), Some(42));
        assert_eq!(org_item_oid("org_emps?oid=42"), None);
        assert_eq!(org_item_oid("fullname?org_oid=42"), None);
        assert_eq!(
            consent_items(&["org_ctts?org_oid=7".into(), "usr_org".into()], false),
            ["esia.item.usr_org", "esia.item.org_ctts"]
        );
    }
}
