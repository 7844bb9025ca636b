//! OpenID's reading of the one table of data items (`identity::data_items`): which claims the
//! granted scopes release and which items the consent page names for them. The consent page is
//! built from it, userinfo and the ID token release only claims it lists for the granted scopes,
//! and consent coverage (including claims asked for one by one in the `claims` parameter) is
//! computed from it — so what the person is shown and what the portal receives cannot drift apart.

use serde_json::Value;

use crate::identity::data_items::{self, CLAIMS_BY_NAME, Page, Release, Scope};

/// Whether a request for `scopes` grants `scope`: openid is in every request.
fn granted<S: AsRef<str>>(scope: &Scope, scopes: &[S]) -> bool {
    scope.name == "openid" || scopes.iter().any(|s| s.as_ref() == scope.name)
}

/// The (scope's) releases the consent page names, in table order.
fn on_page(scope: &'static Scope) -> impl Iterator<Item = &'static Release> {
    scope
        .releases
        .iter()
        .filter(|r| r.shown.on(Page::OpenIdConsent))
}

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
    for scope in data_items::openid_scopes().filter(|s| granted(s, scopes)) {
        for r in scope.releases {
            if !r.claim.is_empty() && !out.contains(&r.claim) {
                out.push(r.claim);
            }
        }
    }
    out
}

/// The page items of a claim asked for by name: its claims-only row, else its first row.
fn claim_items(claim: &str) -> &'static [&'static str] {
    CLAIMS_BY_NAME
        .iter()
        .find(|r| r.claim == claim)
        .or_else(|| {
            data_items::openid_scopes()
                .flat_map(on_page)
                .find(|r| r.claim == claim)
        })
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
    for scope in data_items::openid_scopes().filter(|s| granted(s, scopes)) {
        for r in on_page(scope) {
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
    fn every_scope_in_discovery_and_every_claim_is_in_the_table_with_items() {
        for s in SCOPES {
            let known = data_items::scope(s).is_some_and(|row| row.openid);
            assert!(known, "scope {s} has no OpenID row");
        }
        for c in CLAIMS {
            assert!(!claim_items(c).is_empty(), "claim {c}");
        }
        for scope in data_items::openid_scopes() {
            assert!(
                SCOPES.contains(&scope.name),
                "{} not in discovery",
                scope.name
            );
            assert!(
                scope.releases.iter().all(|r| !r.items.is_empty()),
                "{} names nothing",
                scope.name
            );
        }
        let claims = data_items::openid_scopes().flat_map(|s| s.releases);
        for r in claims.chain(CLAIMS_BY_NAME) {
            assert!(
                r.claim.is_empty() || CLAIMS.contains(&r.claim),
                "{}",
                r.claim
            );
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
