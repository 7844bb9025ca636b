//! A client's public keys (its registered JWK Set, inline or at its jwks_uri) and verification of
//! JWTs it signs: client assertions (private_key_jwt) and request objects (JAR).
//! A fetched set is cached in the shared cache for 5 minutes and refetched once when a `kid` is
//! unknown, so a relying party can rotate its keys without re-registering.

use super::clients::Client;
use crate::app::AppState;
use josekit::jwk::{Jwk, JwkSet};
use josekit::jws::{ES256, JwsVerifier, PS256, RS256};
use serde_json::{Map, Value};

/// Signature algorithms accepted from clients.
pub const ALGS: [&str; 3] = ["RS256", "PS256", "ES256"];

#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    #[error("the JWT is malformed")]
    Malformed,
    #[error("the signature does not verify with the client's keys")]
    Signature,
    #[error("client keys unavailable: {0}")]
    Unavailable(String),
}

async fn fetch(app: &AppState, client: &Client, refresh: bool) -> Result<JwkSet, KeysError> {
    let unavailable = |e: &dyn std::fmt::Display| KeysError::Unavailable(e.to_string());
    if let Some(inline) = &client.jwks {
        return JwkSet::from_bytes(inline.as_bytes()).map_err(|e| unavailable(&e));
    }
    let uri = client
        .jwks_uri
        .as_deref()
        .ok_or_else(|| unavailable(&"no keys registered"))?;
    let key = format!("client-jwks:{}", client.id);
    if !refresh
        && let Ok(Some(text)) = app.cache.get(&key).await
        && let Ok(set) = JwkSet::from_bytes(text.as_bytes())
    {
        return Ok(set);
    }
    let res = app
        .http
        .get(uri)
        .send()
        .await
        .map_err(|e| unavailable(&e))?;
    if !res.status().is_success() {
        return Err(unavailable(&format!("jwks_uri answered {}", res.status())));
    }
    let text = res.text().await.map_err(|e| unavailable(&e))?;
    let set = JwkSet::from_bytes(text.as_bytes()).map_err(|e| unavailable(&e))?;
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
            && kid.is_none_or(|kid| k.key_id() == Some(kid))
    })
}

/// Verifies a JWT signed by `client` with one of [`ALGS`]; returns its claims.
pub async fn verify_jwt(
    app: &AppState,
    client: &Client,
    jwt: &str,
) -> Result<Map<String, Value>, KeysError> {
    let header = josekit::jwt::decode_header(jwt).map_err(|_| KeysError::Malformed)?;
    let alg = header
        .claim("alg")
        .and_then(Value::as_str)
        .filter(|a| ALGS.contains(a))
        .ok_or(KeysError::Signature)?
        .to_string();
    let kid = header
        .claim("kid")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut set = fetch(app, client, false).await?;
    if pick(&set, kid.as_deref(), &alg).is_none() && client.jwks_uri.is_some() {
        set = fetch(app, client, true).await?;
    }
    let jwk = pick(&set, kid.as_deref(), &alg).ok_or(KeysError::Signature)?;
    let verifier = verifier_for(&alg, jwk).ok_or(KeysError::Signature)?;
    let (payload, _) = josekit::jwt::decode_with_verifier(jwt, verifier.as_ref())
        .map_err(|_| KeysError::Signature)?;
    Ok(payload.claims_set().clone())
}
