//! private_key_jwt (RFC 7523 §2.2, OIDC Core §9): the client signs a short JWT with its own key.
//! Keys come from the client's registered JWK Set, inline or fetched from its jwks_uri (cached in the
//! shared cache, refetched once when an unknown `kid` appears, so an RP can rotate its key).
//! Each `jti` is accepted once until the assertion expires.

use super::clients::Client;
use crate::app::AppState;
use josekit::jwk::{Jwk, JwkSet};
use josekit::jws::{ES256, JwsVerifier, PS256, RS256};
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

async fn client_keys(
    app: &AppState,
    client: &Client,
    refresh: bool,
) -> Result<JwkSet, AssertionError> {
    if let Some(inline) = &client.jwks {
        return JwkSet::from_bytes(inline.as_bytes())
            .map_err(|e| AssertionError::Keys(e.to_string()));
    }
    let uri = client
        .jwks_uri
        .as_deref()
        .ok_or_else(|| AssertionError::Keys("no jwks".into()))?;
    let key = format!("client-jwks:{}", client.id);
    if !refresh {
        if let Ok(Some(text)) = app.cache.get(&key).await {
            if let Ok(set) = JwkSet::from_bytes(text.as_bytes()) {
                return Ok(set);
            }
        }
    }
    let res = app
        .http
        .get(uri)
        .send()
        .await
        .map_err(|e| AssertionError::Keys(e.to_string()))?;
    if !res.status().is_success() {
        return Err(AssertionError::Keys(format!(
            "jwks_uri answered {}",
            res.status()
        )));
    }
    let text = res
        .text()
        .await
        .map_err(|e| AssertionError::Keys(e.to_string()))?;
    let set =
        JwkSet::from_bytes(text.as_bytes()).map_err(|e| AssertionError::Keys(e.to_string()))?;
    let _ = app.cache.put(&key, &text, 300).await;
    Ok(set)
}

fn verifier_for(alg: &str, jwk: &Jwk) -> Option<Box<dyn JwsVerifier>> {
    Some(match alg {
        "RS256" => Box::new(RS256.verifier_from_jwk(jwk).ok()?),
        "PS256" => Box::new(PS256.verifier_from_jwk(jwk).ok()?),
        "ES256" => Box::new(ES256.verifier_from_jwk(jwk).ok()?),
        _ => return None,
    })
}

fn pick<'a>(set: &'a JwkSet, kid: Option<&str>, alg: &str) -> Option<&'a Jwk> {
    let kty = if alg.starts_with("ES") { "EC" } else { "RSA" };
    set.keys().into_iter().find(|k| {
        k.key_type() == kty
            && k.key_use().is_none_or(|u| u == "sig")
            && match kid {
                Some(kid) => k.key_id() == Some(kid),
                None => true,
            }
    })
}

/// Verifies the assertion for `client`; `audiences` are the accepted `aud` values.
pub async fn verify(
    app: &AppState,
    client: &Client,
    assertion: &str,
    audiences: &[String],
) -> Result<(), AssertionError> {
    let header = josekit::jwt::decode_header(assertion).map_err(|_| AssertionError::Malformed)?;
    let alg = header
        .claim("alg")
        .and_then(Value::as_str)
        .ok_or(AssertionError::Malformed)?
        .to_string();
    let kid = header
        .claim("kid")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut set = client_keys(app, client, false).await?;
    if pick(&set, kid.as_deref(), &alg).is_none() && client.jwks_uri.is_some() {
        set = client_keys(app, client, true).await?;
    }
    let jwk = pick(&set, kid.as_deref(), &alg).ok_or(AssertionError::Signature)?;
    let verifier = verifier_for(&alg, jwk).ok_or(AssertionError::Signature)?;
    let (payload, _) = josekit::jwt::decode_with_verifier(assertion, verifier.as_ref())
        .map_err(|_| AssertionError::Signature)?;
    let claims = payload.claims_set();
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
