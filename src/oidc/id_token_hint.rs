//! `id_token_hint` (OIDC Core §3.1.2.1 at /authorize, RP-Initiated Logout 1.0 §2 at /session/end):
//! only an ID token vhod issued will do. vhod signs access tokens (`typ: at+jwt`) and logout tokens
//! (`typ: logout+jwt`, `events`) with the same keys, so the signature and `iss` alone prove nothing
//! about what the token is. Expired ID tokens are accepted (the specifications allow it).

use crate::ctx::Ctx;
use serde_json::{Map, Value};

/// The claims of `hint` when it is an ID token issued here — to `client_id` when the request names
/// one — else None.
pub fn verify(app: &Ctx, hint: &str, client_id: Option<&str>) -> Option<Map<String, Value>> {
    let (claims, typ) = app.keyring.verify(hint)?;
    is_id_token(&claims, typ.as_deref(), app.issuer())
        .then_some(())
        .filter(|_| client_id.is_none_or(|c| audience(&claims).contains(&c)))?;
    Some(claims)
}

/// The `aud` values (a string or an array of strings).
pub fn audience(claims: &Map<String, Value>) -> Vec<&str> {
    match claims.get("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// The shape of an ID token (OIDC Core §2) as vhod issues it, and nothing of the other tokens.
fn is_id_token(claims: &Map<String, Value>, typ: Option<&str>, issuer: &str) -> bool {
    let str_claim = |k: &str| claims.get(k).and_then(Value::as_str).is_some();
    let num_claim = |k: &str| claims.get(k).and_then(Value::as_i64).is_some();
    let foreign = ["events", "scope", "client_id", "jti", "cnf"]
        .iter()
        .any(|k| claims.contains_key(*k));
    typ.is_none_or(|t| t.eq_ignore_ascii_case("JWT"))
        && claims.get("iss").and_then(Value::as_str) == Some(issuer)
        && str_claim("sub")
        && !audience(claims).is_empty()
        && num_claim("iat")
        && num_claim("exp")
        && !foreign
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    const ISS: &str = "https://id.example";

    #[test]
    fn an_id_token_passes_and_the_other_tokens_do_not() {
        let id = claims(json!({"iss": ISS, "sub": "s", "aud": "c", "iat": 1, "exp": 2}));
        assert!(is_id_token(&id, Some("JWT"), ISS));
        assert!(!is_id_token(&id, Some("at+jwt"), ISS));
        assert!(!is_id_token(&id, Some("JWT"), "https://other.example"));
        let access = claims(
            json!({"iss": ISS, "sub": "s", "aud": ISS, "iat": 1, "exp": 2,
            "client_id": "c", "scope": "openid", "jti": "j"}),
        );
        assert!(!is_id_token(&access, Some("JWT"), ISS));
        let logout = claims(
            json!({"iss": ISS, "sub": "s", "aud": "c", "iat": 1, "exp": 2,
            "jti": "j", "events": {"http://schemas.openid.net/event/backchannel-logout": {}}}),
        );
        assert!(!is_id_token(&logout, Some("JWT"), ISS));
        let no_sub = claims(json!({"iss": ISS, "aud": "c", "iat": 1, "exp": 2}));
        assert!(!is_id_token(&no_sub, None, ISS));
    }

    #[test]
    fn audience_reads_a_string_or_an_array() {
        assert_eq!(audience(&claims(json!({"aud": "a"}))), vec!["a"]);
        assert_eq!(
            audience(&claims(json!({"aud": ["a", "b"]}))),
            vec!["a", "b"]
        );
        assert!(audience(&claims(json!({}))).is_empty());
    }
}
