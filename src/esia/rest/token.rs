//! The bearer token of a REST request: an ESIA access token issued by vhod — header
//! `{"ver":1,"typ":"JWT","sbt":"access","alg":…}` without `kid`, claims `iss`, `exp`, `nbf`,
//! `scope` ("fullname?oid=1000299944 snils?oid=1000299944 openid") and `urn:esia:sbj_id`.
//! Signed by any key of the keyring (RS256 or GOST): the algorithm is the keyring's business.

use super::error::RestError;
use axum::http::{HeaderMap, header};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// A `nbf` this far ahead of this node's clock is still accepted (nodes' clocks drift a little).
const NBF_LEEWAY_SECS: i64 = 60;

/// Whom a scope item of a token is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// A bare item (`openid`): the token's subject.
    Subject,
    /// `name?oid=N`: person N.
    Person(i64),
    /// `name?org_oid=N`: organisation N.
    Org(i64),
    /// Anything else (`prm_chg`, malformed numbers): opens nothing here.
    Other,
}

/// What a verified token grants: scope names, each for the person or organisation it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    items: Vec<(String, Target)>,
    subject: Option<i64>,
    client_id: String,
}

/// The `Authorization: Bearer …` token (scheme case-insensitive, RFC 6750 §2.1).
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Verifies the token's signature and shape; `issuer` is vhod's, `now` unix seconds.
pub fn verify(
    keyring: &crate::crypto::keyring::Keyring,
    issuer: &str,
    now: i64,
    token: &str,
) -> Result<Grant, RestError> {
    let (claims, header) = keyring
        .verify_without_kid(token)
        .ok_or(RestError::InvalidToken)?;
    check(&claims, &header, issuer, now)?;
    Ok(Grant::parse(&claims))
}

/// ESIA's subject type `access` only: an ID token (`sbt` id) or a token of vhod's OpenID
/// Connect surface (no `sbt`) opens nothing here.
fn check(
    claims: &Map<String, Value>,
    header: &Map<String, Value>,
    issuer: &str,
    now: i64,
) -> Result<(), RestError> {
    let number = |name: &str| claims.get(name).and_then(Value::as_i64);
    let iss = claims
        .get("iss")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let ours = iss.trim_end_matches('/') == issuer.trim_end_matches('/');
    let has_client = claims
        .get("client_id")
        .and_then(Value::as_str)
        .is_some_and(|c| !c.is_empty());
    if header.get("sbt").and_then(Value::as_str) != Some("access") || !ours || !has_client {
        return Err(RestError::InvalidToken);
    }
    if number("nbf").is_some_and(|nbf| nbf > now + NBF_LEEWAY_SECS) {
        return Err(RestError::InvalidToken);
    }
    match number("exp") {
        None => Err(RestError::InvalidToken),
        Some(exp) if now >= exp => Err(RestError::ExpiredToken),
        Some(_) => Ok(()),
    }
}

impl Grant {
    fn parse(claims: &Map<String, Value>) -> Grant {
        let scope = claims
            .get("scope")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let items = scope
            .split_whitespace()
            .map(|item| match item.split_once('?') {
                None => (item.to_string(), Target::Subject),
                Some((name, query)) => {
                    let number = |key: &str| {
                        url::form_urlencoded::parse(query.as_bytes())
                            .find(|(k, _)| k == key)
                            .and_then(|(_, v)| v.parse::<i64>().ok())
                    };
                    let target = match (number("oid"), number("org_oid")) {
                        (Some(oid), None) => Target::Person(oid),
                        (None, Some(org)) if name.starts_with("org_") => Target::Org(org),
                        _ => Target::Other,
                    };
                    (name.to_string(), target)
                }
            })
            .collect();
        let subject = match claims.get("urn:esia:sbj_id") {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.parse().ok(),
            _ => None,
        };
        let client_id = claims
            .get("client_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        Grant {
            items,
            subject,
            client_id,
        }
    }

    /// The portal the token was issued to.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The scope names granted for person `oid`: items naming that oid, and bare items (`openid`)
    /// when the token's subject is that person. Empty when the token is about someone else.
    pub fn scopes_for(&self, oid: i64) -> BTreeSet<String> {
        self.items
            .iter()
            .filter(|(_, target)| match target {
                Target::Person(o) => *o == oid,
                Target::Subject => self.subject == Some(oid),
                Target::Org(_) | Target::Other => false,
            })
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// The organisation scope names granted for organisation `org_oid` (`org_*?org_oid=N`).
    pub fn org_scopes_for(&self, org_oid: i64) -> BTreeSet<String> {
        self.items
            .iter()
            .filter(|(_, target)| *target == Target::Org(org_oid))
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// The person the token was issued for (`urn:esia:sbj_id`); None for a client_credentials
    /// token, which is the portal's own.
    pub fn subject(&self) -> Option<i64> {
        self.subject
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn access_header() -> Map<String, Value> {
        map(json!({"ver": 1, "typ": "JWT", "sbt": "access", "alg": "RS256"}))
    }

    fn claims(exp: i64) -> Map<String, Value> {
        map(json!({
            "iss": "http://localhost:8080/", "nbf": 100, "iat": 100, "exp": exp, "client_id": "P",
            "scope": "fullname?oid=1000000001 openid snils?oid=1000000001 kid_fullname?oid=1000000002 \
                org_ogrn?org_oid=1000000007 prm_chg?oid=x",
            "urn:esia:sbj_id": 1000000001,
        }))
    }

    #[test]
    fn scopes_belong_to_the_oid_they_name_and_bare_ones_to_the_subject() {
        let g = Grant::parse(&claims(200));
        let mine: Vec<String> = g.scopes_for(1_000_000_001).into_iter().collect();
        assert_eq!(mine, ["fullname", "openid", "snils"]);
        let other: Vec<String> = g.scopes_for(1_000_000_002).into_iter().collect();
        assert_eq!(other, ["kid_fullname"]);
        assert!(g.scopes_for(1_000_000_003).is_empty());
        let org: Vec<String> = g.org_scopes_for(1_000_000_007).into_iter().collect();
        assert_eq!(
            org,
            ["org_ogrn"],
            "an organisation item is not the subject's"
        );
        assert!(g.org_scopes_for(1_000_000_001).is_empty());
    }

    #[test]
    fn only_an_unexpired_access_token_of_this_issuer_passes() {
        let issuer = "http://localhost:8080";
        assert_eq!(check(&claims(200), &access_header(), issuer, 150), Ok(()));
        assert_eq!(
            check(&claims(200), &access_header(), issuer, 200),
            Err(RestError::ExpiredToken)
        );
        let id_header = map(json!({"ver": 1, "typ": "JWT", "sbt": "id", "alg": "RS256"}));
        assert_eq!(
            check(&claims(200), &id_header, issuer, 150),
            Err(RestError::InvalidToken)
        );
        let oidc_header = map(json!({"typ": "at+jwt", "alg": "RS256", "kid": "k"}));
        assert_eq!(
            check(&claims(200), &oidc_header, issuer, 150),
            Err(RestError::InvalidToken)
        );
        assert_eq!(
            check(&claims(200), &access_header(), "http://elsewhere", 150),
            Err(RestError::InvalidToken)
        );
        let mut anonymous = claims(200);
        anonymous.remove("client_id");
        assert_eq!(
            check(&anonymous, &access_header(), issuer, 150),
            Err(RestError::InvalidToken),
            "an access token names its portal"
        );
        let mut early = claims(10_000);
        early.insert("nbf".into(), json!(5_000));
        assert_eq!(
            check(&early, &access_header(), issuer, 150),
            Err(RestError::InvalidToken)
        );
    }

    #[test]
    fn the_bearer_scheme_is_read_case_insensitively() {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, "bearer abc".parse().unwrap());
        assert_eq!(bearer(&h), Some("abc"));
        h.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer(&h), None);
        h.insert(header::AUTHORIZATION, "Bearer ".parse().unwrap());
        assert_eq!(bearer(&h), None);
    }
}
