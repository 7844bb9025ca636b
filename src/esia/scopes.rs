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

pub fn is_person_scope(name: &str) -> bool {
    PERSON.iter().any(|(n, _)| *n == name)
}

/// Organisation scopes (client_credentials): `org_*?org_oid=N`, and `prm_chg?oid=N`.
pub fn is_org_scope_item(item: &str) -> bool {
    let (name, param) = split_item(item);
    let number = |p: &str, key: &str| {
        p.strip_prefix(key).is_some_and(|n| {
            !n.is_empty() && n.len() <= 19 && n.bytes().all(|b| b.is_ascii_digit())
        })
    };
    match param {
        Some(p) if name == "prm_chg" => number(p, "oid="),
        Some(p) => {
            name.len() > 4
                && name.starts_with("org_")
                && name[4..]
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                && number(p, "org_oid=")
        }
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

/// The consent page's items for `scopes` (each item once, in table order), plus offline access.
pub fn consent_items(scopes: &[String], offline: bool) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = vec![];
    for (name, items) in PERSON {
        if scopes.iter().any(|s| s == name) {
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

/// The access token's `scope`: each person scope as `name?oid=N`, `openid` bare.
pub fn token_scope(scopes: &[String], oid: i64) -> String {
    scopes
        .iter()
        .map(|s| {
            if s == "openid" {
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
    }
}
