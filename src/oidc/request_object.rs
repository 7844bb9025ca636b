//! Request objects (OIDC Core §6, RFC 9101): authorization parameters inside a JWT, by value
//! (`request`) or by reference (`request_uri`). A request object must be signed with an algorithm
//! the client's registered keys verify, or with its registered `request_object_signing_alg`;
//! unsigned (`alg: none`) objects only from a client registered with `none` (never FAPI 2.0).
//! A `request_uri` is fetched only if the client registered it, after the query's redirect_uri
//! checked out, and through the outbound guard. Parameters in the object take precedence over the
//! query (OIDC Core §6.3.3).

use super::OidcState;
use super::client_keys;
use crate::clients::Client;
use crate::outbound::FetchError;
use crate::web::params::Params;
use serde_json::Value;

/// (error code, description) for the authorization error response.
pub type Refusal = (&'static str, String);

/// The URI without its fragment (OIDC Registration §2: the fragment may carry a content hash).
fn without_fragment(uri: &str) -> &str {
    uri.split_once('#').map_or(uri, |(u, _)| u)
}

/// Whether `client` registered `uri` as a request_uri (exact match, fragments aside).
pub fn is_registered(client: &Client, uri: &str) -> bool {
    client
        .request_uris
        .iter()
        .any(|r| without_fragment(r) == without_fragment(uri))
}

pub async fn expand(app: &OidcState, client: &Client, p: &Params) -> Result<Params, Refusal> {
    let jwt = match (p.get("request"), p.get("request_uri")) {
        (None, None) => return Ok(p.clone()),
        (Some(_), Some(_)) => {
            return Err((
                "invalid_request",
                "request and request_uri are mutually exclusive".into(),
            ));
        }
        (Some(j), None) => j.to_string(),
        (None, Some(uri)) => {
            // Nothing is fetched for a request that could not be answered anyway, nor from an
            // address the client did not register.
            if p.get("redirect_uri")
                .is_some_and(|r| !client.has_redirect_uri(r))
            {
                return Err(("invalid_request", "redirect_uri is not registered".into()));
            }
            if !is_registered(client, uri) {
                return Err((
                    "invalid_request_uri",
                    "request_uri is not registered for this client".into(),
                ));
            }
            fetch(app, uri).await?
        }
    };
    let bad = |d: &str| ("invalid_request_object", d.to_string());
    let header =
        josekit::jwt::decode_header(&jwt).map_err(|_| bad("the request object is not a JWT"))?;
    let alg = header.claim("alg").and_then(Value::as_str);
    // FAPI 2.0 Message Signing: only PS256 / ES256 signed request objects.
    if client.fapi2 && !matches!(alg, Some("PS256" | "ES256")) {
        return Err(bad(
            "a FAPI 2.0 client must sign request objects with PS256 or ES256",
        ));
    }
    // The registered algorithm is the only one; without one, `none` is never accepted and a signed
    // object must verify with a registered key (whose algorithm is then that of the key).
    match (client.request_object_alg.as_deref(), alg) {
        (Some(registered), Some(a)) if registered != a => {
            return Err(bad(&format!(
                "request objects of this client must use {registered}"
            )));
        }
        (None, Some("none")) => {
            return Err(bad(
                "unsigned request objects are not accepted from this client",
            ));
        }
        _ => {}
    }
    let claims = match alg {
        Some("none") => {
            let (payload, _) = josekit::jwt::decode_unsecured(&jwt)
                .map_err(|_| bad("the request object is malformed"))?;
            payload.claims_set().clone()
        }
        Some(_) => client_keys::verify_jwt(app, client, &jwt)
            .await
            .map_err(|e| bad(&format!("request object: {e}")))?,
        None => return Err(bad("the request object has no alg")),
    };
    let s = |k: &str| claims.get(k).and_then(Value::as_str);
    if s("client_id").is_some_and(|c| c != client.id) {
        return Err(bad(
            "client_id in the request object differs from the request",
        ));
    }
    if s("iss").is_some_and(|i| i != client.id) {
        return Err(bad("iss of the request object must be the client_id"));
    }
    if let Some(aud) = claims.get("aud") {
        let ok = match aud {
            Value::String(a) => a == app.issuer(),
            Value::Array(list) => list.iter().any(|a| a.as_str() == Some(app.issuer())),
            _ => false,
        };
        if !ok {
            return Err(bad("aud of the request object must be the issuer"));
        }
    }
    if let Some(exp) = claims.get("exp").and_then(Value::as_f64)
        && (exp as i64) <= app.clock.now()
    {
        return Err(bad("the request object has expired"));
    }
    let overrides = claims
        .iter()
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "iss" | "aud" | "exp" | "iat" | "nbf" | "jti" | "request" | "request_uri"
            )
        })
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), text)
        })
        .collect();
    Ok(p.without(&["request", "request_uri"])
        .overridden_by(overrides))
}

/// Fetches a request object by reference through the outbound guard (https, public addresses
/// unless allowed, size and time limits).
async fn fetch(app: &OidcState, uri: &str) -> Result<String, Refusal> {
    let bad = |d: &str| ("invalid_request_uri", d.to_string());
    let bytes = app.outbound.get(uri).await.map_err(|e| {
        tracing::info!(error = %e, "request_uri not fetched");
        match e {
            FetchError::Refused(_) => bad("request_uri may not be fetched"),
            FetchError::TooLarge(_) => bad("the request object is too large"),
            _ => bad("request_uri could not be fetched"),
        }
    })?;
    String::from_utf8(bytes)
        .map(|s| s.trim().to_string())
        .map_err(|_| bad("the request object is not text"))
}
