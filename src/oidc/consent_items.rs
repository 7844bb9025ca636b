//! The one table behind consent and release: which claims each scope releases and which items of
//! data the consent page names for each claim. The consent page is built from it, userinfo and the
//! ID token release only claims it lists for the granted scopes, and consent coverage (including
//! claims asked for one by one in the `claims` parameter) is computed from it — so what the person
//! is shown and what the portal receives cannot drift apart.

use serde_json::Value;

/// One (scope, claim) pair and the page items (interface-text keys) that claim carries under that
/// scope. `scope` "" marks a claim only the `claims` parameter can ask for, or the full items of a
/// claim asked for that way when they differ from any one scope's. `claim` "" is a scope that
/// releases no claim but is itself a permission (offline_access).
pub struct Row {
    pub scope: &'static str,
    pub claim: &'static str,
    pub items: &'static [&'static str],
}

const fn row(scope: &'static str, claim: &'static str, items: &'static [&'static str]) -> Row {
    Row {
        scope,
        claim,
        items,
    }
}

const FULLNAME: &[&str] = &["item.fullname"];
const EMAIL: &[&str] = &["item.email"];
const PHONE: &[&str] = &["item.phone"];
const CONTACTS: &[&str] = &["item.contacts"];

pub const TABLE: &[Row] = &[
    // openid: in every request, released always (consent is not asked for it alone).
    row("openid", "sub", &["item.sub"]),
    row("openid", "account_level", &["item.account_level"]),
    row("openid", "account_level_method", &["item.account_level"]),
    row("profile", "family_name", FULLNAME),
    row("profile", "given_name", FULLNAME),
    row("profile", "middle_name", FULLNAME),
    row("profile", "name", FULLNAME),
    row("profile", "updated_at", &["item.updated_at"]),
    row("profile", "birthdate", &["item.birthdate"]),
    row("profile", "gender", &["item.gender"]),
    row("fullname", "family_name", FULLNAME),
    row("fullname", "given_name", FULLNAME),
    row("fullname", "middle_name", FULLNAME),
    row("fullname", "name", FULLNAME),
    row("birthdate", "birthdate", &["item.birthdate"]),
    row("gender", "gender", &["item.gender"]),
    row("email", "email", EMAIL),
    row("email", "email_verified", EMAIL),
    row("phone", "phone_number", PHONE),
    row("phone", "phone_number_verified", PHONE),
    row("mobile", "phone_number", PHONE),
    row("mobile", "phone_number_verified", PHONE),
    row("contacts", "contacts", CONTACTS),
    row("contacts", "email", CONTACTS),
    row("contacts", "email_verified", CONTACTS),
    row("contacts", "phone_number", CONTACTS),
    row("contacts", "phone_number_verified", CONTACTS),
    row("snils", "snils", &["item.snils"]),
    row("inn", "inn", &["item.inn"]),
    row("id_doc", "id_doc", &["item.id_doc"]),
    row("birthplace", "birthplace", &["item.birthplace"]),
    row("addresses", "addresses", &["item.addresses"]),
    row(
        "drivers_licence_doc",
        "drivers_licence_doc",
        &["item.drivers_licence"],
    ),
    row("medical_doc", "medical_doc", &["item.medical"]),
    row("vehicles", "vehicles", &["item.vehicles"]),
    row("kid_fullname", "kids", &["item.kid_fullname"]),
    row("kid_birthdate", "kids", &["item.kid_birthdate"]),
    row("offline_access", "", &["item.offline"]),
    row("organization", "org", &["item.org"]),
    // Asked for by name in `claims`: released whole.
    row("", "kids", &["item.kid_fullname", "item.kid_birthdate"]),
    row("", "verified_claims", &["item.verified_claims"]),
];

/// Claims that may be released still under registry check (`{"unverified": true}`).
pub const UNVERIFIABLE: [&str; 5] = [
    "id_doc",
    "drivers_licence_doc",
    "medical_doc",
    "vehicles",
    "kids",
];

/// Every claim these scopes release (openid's always included).
pub fn claims_of_scopes<S: AsRef<str>>(scopes: &[S]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for r in TABLE {
        let granted = r.scope == "openid" || scopes.iter().any(|s| s.as_ref() == r.scope);
        if granted && !r.claim.is_empty() && !r.scope.is_empty() && !out.contains(&r.claim) {
            out.push(r.claim);
        }
    }
    out
}

/// The page items of a claim asked for by name: its claims-only row, else its first row.
fn claim_items(claim: &str) -> &'static [&'static str] {
    TABLE
        .iter()
        .find(|r| r.scope.is_empty() && r.claim == claim)
        .or_else(|| TABLE.iter().find(|r| r.claim == claim))
        .map_or(&[], |r| r.items)
}

/// What the consent page names: each item once, in table order, and whether it may be released
/// unverified (its claim asked for with `"unverified": true`).
pub fn page_items<S: AsRef<str>>(
    scopes: &[S],
    requested: &[String],
    unverified: &[String],
) -> Vec<(&'static str, bool)> {
    let mut out: Vec<(&'static str, bool)> = Vec::new();
    let mut add = |item: &'static str, claim: &str| {
        let unv = UNVERIFIABLE.contains(&claim) && unverified.iter().any(|u| u == claim);
        match out.iter_mut().find(|(i, _)| *i == item) {
            Some(found) => found.1 |= unv,
            None => out.push((item, unv)),
        }
    };
    for r in TABLE {
        let granted = r.scope == "openid" || scopes.iter().any(|s| s.as_ref() == r.scope);
        if granted && !r.scope.is_empty() {
            for item in r.items {
                add(item, r.claim);
            }
        }
    }
    for claim in requested {
        for item in claim_items(claim) {
            add(item, claim);
        }
    }
    out
}

/// Claim names asked for in the `claims` parameter, ID token and userinfo members together.
pub fn requested_claims(claims: Option<&Value>) -> Vec<String> {
    let mut out = super::claims::requested_names(claims, "userinfo");
    for c in super::claims::requested_names(claims, "id_token") {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// Claim names asked for with `{"unverified": true}`, in either member.
pub fn requested_unverified(claims: Option<&Value>) -> Vec<String> {
    let mut out = super::claims::requested_unverified(claims, "userinfo");
    for c in super::claims::requested_unverified(claims, "id_token") {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// What a consent must cover for this request, beyond openid: the scopes (each a permission) and
/// the claims named one by one that the scopes do not already release, with `name:unverified` for
/// those asked for unverified.
pub fn consent_claims<S: AsRef<str>>(scopes: &[S], claims: Option<&Value>) -> Vec<String> {
    let by_scope = claims_of_scopes(scopes);
    let unverified = requested_unverified(claims);
    let mut out: Vec<String> = requested_claims(claims)
        .into_iter()
        .filter(|c| !by_scope.contains(&c.as_str()) || unverified.contains(c))
        .collect();
    for u in unverified {
        if UNVERIFIABLE.contains(&u.as_str()) {
            out.push(format!("{u}:unverified"));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether the claims `wanted` are covered by a consent to `scopes` plus the `claims` it names.
pub fn covered<S: AsRef<str>>(wanted: &[String], scopes: &[S], consented: &[String]) -> bool {
    let by_scope = claims_of_scopes(scopes);
    wanted
        .iter()
        .all(|w| consented.contains(w) || (!w.contains(':') && by_scope.contains(&w.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oidc::claims::{CLAIMS, SCOPES};

    #[test]
    fn every_scope_and_every_claim_is_in_the_table_with_items() {
        for s in SCOPES {
            assert!(TABLE.iter().any(|r| r.scope == s), "scope {s}");
        }
        for c in CLAIMS {
            assert!(!claim_items(c).is_empty(), "claim {c}");
        }
        for r in TABLE {
            assert!(
                r.scope.is_empty() || SCOPES.contains(&r.scope),
                "{}",
                r.scope
            );
            assert!(
                r.claim.is_empty() || CLAIMS.contains(&r.claim),
                "{}",
                r.claim
            );
            for i in r.items {
                assert!(
                    !crate::web::i18n::Tr::new(crate::web::i18n::Lang::Ru)
                        .s(i)
                        .is_empty(),
                    "{i} has a text"
                );
            }
        }
    }

    #[test]
    fn a_claim_asked_by_name_is_named_and_needs_consent_unless_a_scope_covers_it() {
        let claims = serde_json::json!({"userinfo": {"addresses": null, "email": null},
            "id_token": {"id_doc": {"unverified": true}}});
        let wanted = consent_claims(&["openid", "email"], Some(&claims));
        assert_eq!(wanted, vec!["addresses", "id_doc", "id_doc:unverified"]);
        assert!(!covered(&wanted, &["openid", "email"], &[]));
        assert!(covered(
            &wanted,
            &["openid", "email", "addresses", "id_doc"],
            &["id_doc:unverified".to_string()]
        ));
        let items = page_items(
            &["openid", "email"],
            &requested_claims(Some(&claims)),
            &requested_unverified(Some(&claims)),
        );
        assert!(items.contains(&("item.addresses", false)));
        assert!(items.contains(&("item.id_doc", true)));
        assert!(items.contains(&("item.email", false)));
    }
}
