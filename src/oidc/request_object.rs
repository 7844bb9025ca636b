//! Request objects (OIDC Core §6, RFC 9101): authorization parameters inside a JWT, by value
//! (`request`) or by reference (`request_uri`). Unsigned (`alg: none`) objects are accepted as OIDC
//! Core allows; signed ones must verify against the client's registered keys. Parameters in the
//! object take precedence over the query (OIDC Core §6.3.3).

use super::client_keys;
use super::clients::Client;
use crate::app::AppState;
use crate::params::Params;
use serde_json::Value;

/// (error code, description) for the authorization error response.
pub type Refusal = (&'static str, String);

const MAX_FETCHED: usize = 64 * 1024;

pub async fn expand(app: &AppState, client: &Client, p: &Params) -> Result<Params, Refusal> {
    let jwt = match (p.get("request"), p.get("request_uri")) {
        (None, None) => return Ok(p.clone()),
        (Some(_), Some(_)) => {
            return Err((
                "invalid_request",
                "request and request_uri are mutually exclusive".into(),
            ));
        }
        (Some(j), None) => j.to_string(),
        (None, Some(uri)) => fetch(app, uri).await?,
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

/// Fetches a request object by reference: https only (http on loopback in dev mode), small, quick.
async fn fetch(app: &AppState, uri: &str) -> Result<String, Refusal> {
    let bad = |d: &str| ("invalid_request_uri", d.to_string());
    let url = url::Url::parse(uri).map_err(|_| bad("request_uri is not a URL"))?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    if !(url.scheme() == "https" || (url.scheme() == "http" && loopback && app.config.dev.enabled))
    {
        return Err(bad("request_uri must be https"));
    }
    let res = app
        .http
        .get(url)
        .send()
        .await
        .map_err(|_| bad("request_uri could not be fetched"))?;
    if !res.status().is_success() {
        return Err(bad("request_uri could not be fetched"));
    }
    let bytes = res
        .bytes()
        .await
        .map_err(|_| bad("request_uri could not be fetched"))?;
    if bytes.len() > MAX_FETCHED {
        return Err(bad("the request object is too large"));
    }
    String::from_utf8(bytes.to_vec())
        .map(|s| s.trim().to_string())
        .map_err(|_| bad("the request object is not text"))
}
