//! A client's public keys (its registered JWK Set, inline or at its jwks_uri) and verification of
//! JWTs it signs: client assertions (private_key_jwt) and request objects (JAR).
//! A fetched set is cached in the shared cache for 5 minutes and refetched when a `kid` is unknown,
//! so a relying party can rotate its keys without re-registering, but at most once per client per
//! `outbound.jwks_refetch_secs` (shared by all nodes); a failed fetch is cached for as long.

use super::OidcState;
use crate::clients::Client;
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

/// Where a client's fetched set (or the fact that fetching it failed) is cached.
fn set_key(client: &Client) -> String {
    format!("client-jwks:{}", client.id)
}

/// A failed fetch is remembered too, so a broken or slow jwks_uri is not hit on every request.
const FAILED: &str = "!";
/// How long a fetched set is used before it is fetched again.
const SET_TTL: i64 = 300;

/// The client's keys: inline, or its cached jwks_uri set, fetched when nothing is cached.
/// Returns the set and whether it was fetched just now.
async fn fetch(app: &OidcState, client: &Client) -> Result<(JwkSet, bool), KeysError> {
    let unavailable = |e: &dyn std::fmt::Display| KeysError::Unavailable(e.to_string());
    if let Some(inline) = &client.jwks {
        let set = JwkSet::from_bytes(inline.as_bytes()).map_err(|e| unavailable(&e))?;
        return Ok((set, false));
    }
    if let Ok(Some(text)) = app.cache.get(&set_key(client)).await {
        if text == FAILED {
            return Err(unavailable(&"jwks_uri could not be fetched recently"));
        }
        if let Ok(set) = JwkSet::from_bytes(text.as_bytes()) {
            return Ok((set, false));
        }
    }
    Ok((download(app, client).await?, true))
}

/// Fetches the jwks_uri through the outbound guard and caches the answer, failures included.
async fn download(app: &OidcState, client: &Client) -> Result<JwkSet, KeysError> {
    let uri = client
        .jwks_uri
        .as_deref()
        .ok_or_else(|| KeysError::Unavailable("no keys registered".into()))?;
    let fetched = app.outbound.get(uri).await.map_err(|e| e.to_string());
    let parsed = fetched.and_then(|body| {
        let set = JwkSet::from_bytes(&body).map_err(|e| e.to_string())?;
        Ok((set, body))
    });
    match parsed {
        Ok((set, body)) => {
            let text = String::from_utf8_lossy(&body);
            let _ = app.cache.put(&set_key(client), &text, SET_TTL).await;
            Ok(set)
        }
        Err(e) => {
            tracing::info!(client = %client.id, error = %e, "jwks_uri not fetched");
            let ttl = app.config.outbound.jwks_refetch_secs.max(1);
            let _ = app.cache.put(&set_key(client), FAILED, ttl).await;
            Err(KeysError::Unavailable(format!("jwks_uri: {e}")))
        }
    }
}

/// At most one refetch per client per `outbound.jwks_refetch_secs`, across every node (the slot is
/// taken atomically in the shared cache): an unknown `kid` cannot make vhod fetch on each request.
async fn may_refetch(app: &OidcState, client: &Client) -> bool {
    let secs = app.config.outbound.jwks_refetch_secs.max(1);
    app.cache
        .put_if_absent(&format!("client-jwks-refetch:{}", client.id), "1", secs)
        .await
        .unwrap_or(false)
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
            && k.algorithm().is_none_or(|a| a == alg)
            && kid.is_none_or(|kid| k.key_id() == Some(kid))
    })
}

/// Verifies a JWT signed by `client` with one of [`ALGS`]; returns its claims.
pub async fn verify_jwt(
    app: &OidcState,
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
    let (mut set, fresh) = fetch(app, client).await?;
    if pick(&set, kid.as_deref(), &alg).is_none()
        && client.jwks.is_none()
        && !fresh
        && may_refetch(app, client).await
    {
        set = download(app, client).await?;
    }
    let jwk = pick(&set, kid.as_deref(), &alg).ok_or(KeysError::Signature)?;
    let verifier = verifier_for(&alg, jwk).ok_or(KeysError::Signature)?;
    let (payload, _) = josekit::jwt::decode_with_verifier(jwt, verifier.as_ref())
        .map_err(|_| KeysError::Signature)?;
    Ok(payload.claims_set().clone())
}
