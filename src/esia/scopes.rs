//! ESIA scope names: which are known, which items of data each one releases (the consent page
//! names them), and how they appear in an access token (`name?oid=N`, bare `openid`).
//!
//! The scopes themselves, person (`fullname`, …) and organisation (ESIA's `org_*` names for what
//! vhod keeps of an organisation), are rows of `identity::data_items`. A portal asks organisation
//! scopes in `scope_org` at v2/ac (the person then chooses the organisation) or as
//! `org_*?org_oid=N` by client_credentials; the access token carries them as `name?org_oid=N`.
//! What each opens at `/rs/orgs/{id}`: see `rest::org_access`.

use crate::identity::data_items::{self, Page};

/// One of the person scope names ESIA knows (`openid`, `fullname`, …).
pub fn is_person_scope(name: &str) -> bool {
    data_items::scope(name).is_some_and(|s| s.is_esia_person())
}

/// One of the organisation scope names vhod knows (`org_shortname`, …, `org_emps`).
pub fn is_org_scope(name: &str) -> bool {
    data_items::scope(name).is_some_and(|s| s.is_esia_org())
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

/// The consent page's items for `scopes` (each item once, in the ESIA page's order; an
/// organisation scope by its name or as `name?org_oid=N`), plus offline access.
pub fn consent_items(scopes: &[String], offline: bool) -> Vec<&'static str> {
    let names: Vec<&str> = scopes.iter().map(|s| split_item(s).0).collect();
    let mut out: Vec<&'static str> = vec![];
    for scope in data_items::esia_scopes() {
        if names.contains(&scope.name) {
            for i in scope.items_on(Page::EsiaConsent) {
                if !out.contains(&i) {
                    out.push(i);
                }
            }
        }
    }
    if offline {
        // ESIA has no offline_access scope (the portal's refresh asks it); the item is the same.
        let offline_access =
            data_items::scope("offline_access").map(|s| s.items_on(Page::EsiaConsent));
        out.extend(offline_access.unwrap_or_default());
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
