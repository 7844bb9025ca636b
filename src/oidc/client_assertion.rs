//! private_key_jwt (RFC 7523 §2.2, OIDC Core §9): the client signs a short JWT with its own key.
//! Keys come from the client's registered JWK Set, inline or fetched from its jwks_uri (cached in the
//! shared cache, refetched once when an unknown `kid` appears, so an RP can rotate its key).
//! Each `jti` is accepted once until the assertion expires.

use super::OidcState;
use super::client_keys;
use crate::clients::Client;
use serde_json::Value;

pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// An assertion valid for longer than this is refused: it would be a long-lived password.
const MAX_LIFETIME: i64 = 3600;

#[derive(Debug, thiserror::Error)]
pub enum AssertionError {
    #[error("client assertion is malformed")]
    Malformed,
    #[error("client assertion signature does not verify with the client's keys")]
    Signature,
    #[error("client assertion claim `{0}` is missing or wrong")]
    Claim(&'static str),
    #[error("client assertion was already used")]
    Replayed,
    #[error("client keys unavailable: {0}")]
    Keys(String),
}

/// The client id an assertion claims to come from (unverified: used only to look the client up).
pub fn claimed_client_id(assertion: &str) -> Option<String> {
    let payload = assertion.split('.').nth(1)?;
    let bytes =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload).ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    v.get("sub").and_then(Value::as_str).map(str::to_owned)
}

/// Verifies the assertion for `client`; `audiences` are the accepted `aud` values.
pub async fn verify(
    app: &OidcState,
    client: &Client,
    assertion: &str,
    audiences: &[String],
) -> Result<(), AssertionError> {
    let claims = client_keys::verify_jwt(app, client, assertion)
        .await
        .map_err(|e| match e {
            client_keys::KeysError::Signature => AssertionError::Signature,
            client_keys::KeysError::Malformed => AssertionError::Malformed,
            client_keys::KeysError::Unavailable(m) => AssertionError::Keys(m),
        })?;
    let s = |name: &str| claims.get(name).and_then(Value::as_str);
    if s("iss") != Some(client.id.as_str()) {
        return Err(AssertionError::Claim("iss"));
    }
    if s("sub") != Some(client.id.as_str()) {
        return Err(AssertionError::Claim("sub"));
    }
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => audiences.contains(a),
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .any(|a| audiences.iter().any(|x| x == a)),
        _ => false,
    };
    if !aud_ok {
        return Err(AssertionError::Claim("aud"));
    }
    let now = app.clock.now();
    // RFC 7519 NumericDate may carry a fraction.
    let exp = claims
        .get("exp")
        .and_then(Value::as_f64)
        .map(|f| f as i64)
        .ok_or(AssertionError::Claim("exp"))?;
    if exp <= now - 30 || exp > now + MAX_LIFETIME {
        return Err(AssertionError::Claim("exp"));
    }
    let jti = s("jti")
        .filter(|j| !j.is_empty() && j.len() <= 256)
        .ok_or(AssertionError::Claim("jti"))?;
    let key = format!("jti:{}:{}", client.id, crate::crypto::sha256_b64(jti));
    let fresh = app
        .cache
        .put_if_absent(&key, "1", (exp - now).max(1) + 60)
        .await
        .map_err(|e| AssertionError::Keys(e.to_string()))?;
    if !fresh {
        return Err(AssertionError::Replayed);
    }
    Ok(())
}
