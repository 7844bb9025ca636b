//! The pages name the same items for a scope, except where the table says otherwise; every item has
//! a text in every language; the table names each scope once and places each ESIA scope once.

use super::*;
use crate::lang::{Lang, Tr};
use crate::{esia, oidc, web};

/// The differences between the OpenID consent page and the permissions page, as found when the
/// three tables became one: (scope, items only the consent page names, items only the permissions
/// page names). A new difference must be added here on purpose.
const KNOWN_DIFFERENCES: &[(&str, &[&str], &[&str])] = &[
    ("openid", &["item.sub", "item.account_level"], &[]),
    ("organization", &["item.org"], &["perm.scope_organization"]),
];

fn texts(t: &Tr, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| t.s(k)).collect()
}

/// The items the OpenID consent page names for `scope` alone (openid's come with every request).
fn openid_consent_items(scope: &str) -> Vec<&'static str> {
    let none: [&str; 0] = [];
    let always: Vec<&str> = oidc::consent_items::page_items(&none, &[], &[])
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    oidc::consent_items::page_items(&[scope], &[], &[])
        .into_iter()
        .map(|(k, _)| k)
        .filter(|k| scope == "openid" || !always.contains(k))
        .collect()
}

#[test]
fn the_openid_consent_page_and_the_permissions_page_name_the_same_items_for_each_scope() {
    let t = Tr::new(Lang::Ru);
    let mut scopes = 0;
    for scope in openid_scopes() {
        let (consent_only, permissions_only) = KNOWN_DIFFERENCES
            .iter()
            .find(|(n, _, _)| *n == scope.name)
            .map_or((&[][..], &[][..]), |(_, c, p)| (*c, *p));
        let consent: Vec<&str> = openid_consent_items(scope.name)
            .into_iter()
            .filter(|k| !consent_only.contains(k))
            .collect();
        let permissions: Vec<String> = web::scope_names::items(&t, scope.name)
            .into_iter()
            .filter(|w| !texts(&t, permissions_only).contains(w))
            .collect();
        assert_eq!(permissions, texts(&t, &consent), "scope {}", scope.name);
        // The known differences are real: each side names what it is listed as naming.
        for k in consent_only {
            assert!(openid_consent_items(scope.name).contains(k), "{k}");
        }
        for w in texts(&t, permissions_only) {
            assert!(web::scope_names::items(&t, scope.name).contains(&w), "{w}");
        }
        scopes += 1;
    }
    assert_eq!(scopes, oidc::claims::SCOPES.len());
}

#[test]
fn the_esia_consent_page_and_the_permissions_page_name_the_same_items_for_each_esia_scope() {
    let t = Tr::new(Lang::Ru);
    let esia_scopes = esia_scopes();
    assert_eq!(esia_scopes.len(), 35, "26 person and 9 organisation scopes");
    for scope in esia_scopes {
        let mut asked = vec![scope.name.to_string()];
        if scope.is_esia_org() {
            // An organisation scope is stored naming its organisation.
            asked.push(format!("{}?org_oid=1000000005", scope.name));
        }
        for name in asked {
            let consent = esia::scopes::consent_items(std::slice::from_ref(&name), false);
            assert_eq!(
                web::scope_names::items(&t, &name),
                texts(&t, &consent),
                "scope {name}"
            );
        }
    }
    // Offline access: ESIA asks it by the portal's refresh, OpenID by offline_access.
    assert_eq!(
        texts(&t, &esia::scopes::consent_items(&[], true)),
        web::scope_names::items(&t, "offline_access")
    );
}

#[test]
fn every_item_the_table_names_has_a_text_in_russian_and_in_english() {
    let keys: Vec<&str> = SCOPES
        .iter()
        .flat_map(|s| s.releases)
        .chain(CLAIMS_BY_NAME)
        .flat_map(|r| r.items.iter().copied())
        .collect();
    assert!(keys.len() > 50, "{}", keys.len());
    let mut missing = vec![];
    for lang in [Lang::Ru, Lang::En] {
        let t = Tr::new(lang);
        // A missing key renders as the key itself.
        missing.extend(
            keys.iter()
                .filter(|k| t.s(k) == **k)
                .map(|k| format!("{}: {k}", lang.code())),
        );
    }
    assert!(missing.is_empty(), "untranslated items: {missing:?}");
}

#[test]
fn each_scope_name_is_in_the_table_once_and_each_esia_scope_has_its_own_place() {
    for (i, s) in SCOPES.iter().enumerate() {
        assert!(
            SCOPES[i + 1..].iter().all(|o| o.name != s.name),
            "{} twice",
            s.name
        );
        assert!(!s.releases.is_empty(), "{} releases nothing", s.name);
    }
    let places: Vec<u8> = esia_scopes()
        .iter()
        .map(|s| match s.esia {
            Esia::Person(n) | Esia::Org(n) => n,
            Esia::No => 0,
        })
        .collect();
    assert_eq!(places, (1..=35).collect::<Vec<u8>>());
    let first_org = esia_scopes().iter().position(|s| s.is_esia_org());
    assert!(
        esia_scopes()[first_org.unwrap()..]
            .iter()
            .all(|s| s.is_esia_org()),
        "person scopes come first on the ESIA consent page"
    );
}
