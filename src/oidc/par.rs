//! Pushed authorization requests (RFC 9126): the client POSTs the authorization parameters with its
//! credentials and gets a one-time `request_uri` valid for 60 seconds, so nothing sensitive travels
//! through the browser and the request is authenticated. A client can be required to use it.

use super::OidcState;
use super::error::OAuthError;
use super::request_object;
use crate::cache::CacheError;
use crate::crypto;
use crate::web::i18n::Lang;
use crate::web::meta::ClientMeta;
use crate::web::params::Params;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

pub const URN_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";
const TTL: i64 = 60;

#[derive(Serialize, Deserialize)]
struct Pushed {
    client_id: String,
    pairs: Vec<(String, String)>,
}

fn key(id: &str) -> String {
    format!("par:{}", crypto::sha256_b64(id))
}

pub async fn push(
    State(app): State<OidcState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match handle(&app, &meta, &headers, &body).await {
        Ok(request_uri) => {
            let mut res = (
                StatusCode::CREATED,
                Json(serde_json::json!({ "request_uri": request_uri, "expires_in": TTL })),
            )
                .into_response();
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => e.into_response(),
    }
}

async fn handle(
    app: &OidcState,
    meta: &ClientMeta,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<String, OAuthError> {
    let p =
        Params::from_form(headers, body).map_err(|e| OAuthError::invalid_request(e.to_string()))?;
    if let Some(dup) = p.duplicated() {
        return Err(OAuthError::invalid_request(format!(
            "parameter {dup} is given more than once"
        )));
    }
    let client = super::client_auth::authenticate(app, headers, &p).await?;
    super::public_quota::admit(app, &client, &meta.ip, "par").await?;
    if p.has("request_uri") {
        return Err(OAuthError::invalid_request(
            "request_uri is not allowed in a pushed request",
        ));
    }
    let p = p.without(&["client_secret", "client_assertion", "client_assertion_type"]);
    let refuse = |(error, description): request_object::Refusal| {
        OAuthError::new(StatusCode::BAD_REQUEST, error, description)
    };
    let p = request_object::expand(app, &client, &p)
        .await
        .map_err(refuse)?;
    let redirect_uri = p
        .get("redirect_uri")
        .filter(|r| client.has_redirect_uri(r))
        .ok_or_else(|| OAuthError::invalid_request("redirect_uri is missing or not registered"))?;
    // The same validation /authorize would do, now, so the client learns of errors at once.
    super::authorize_request::parse_request(app, &p, &client, redirect_uri, Lang::Ru)
        .map_err(refuse)?;
    let id = crypto::random_token();
    let pushed = Pushed {
        client_id: client.id.to_string(),
        pairs: p.pairs().to_vec(),
    };
    app.cache.put_json(&key(&id), &pushed, TTL).await?;
    Ok(format!("{URN_PREFIX}{id}"))
}

/// The pushed parameters behind `request_uri`, once, and only for the client that pushed them.
pub async fn take(
    app: &OidcState,
    client_id: &str,
    request_uri: &str,
) -> Result<Option<Params>, CacheError> {
    let Some(id) = request_uri.strip_prefix(URN_PREFIX) else {
        return Ok(None);
    };
    let pushed: Option<Pushed> = app.cache.take_json(&key(id)).await?;
    Ok(pushed
        .filter(|p| p.client_id == client_id)
        .map(|p| Params::from_pairs(p.pairs)))
}

#[cfg(test)]
mod compat_tests {
    //! A pushed request between the push and /authorize as this release writes it
    //! (`crate::cache::compat`).

    use super::*;
    use crate::cache::compat::reads_across_releases;

    const PUSHED: &str = r#"{"client_id":"portal-mos","pairs":[["response_type","code"],["client_id","portal-mos"],["redirect_uri","https://lk.portal-mos.example.ru/oidc/callback"],["scope","openid profile phone"],["state","q8Jd2LkZ0sVb"],["nonce","Ng7wYt3oPe1R"],["code_challenge","E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"],["code_challenge_method","S256"],["ui_locales","ru"],["acr_values","urn:vhod:acr:substantial"]]}"#;

    #[test]
    fn a_pushed_request_reads_across_releases() {
        let pushed: Pushed = reads_across_releases(PUSHED);
        assert_eq!(pushed.client_id, "portal-mos");
        assert_eq!(pushed.pairs.len(), 10);
        assert_eq!(pushed.pairs[0], ("response_type".into(), "code".into()));
        let p = Params::from_pairs(pushed.pairs);
        assert_eq!(
            p.get("redirect_uri"),
            Some("https://lk.portal-mos.example.ru/oidc/callback")
        );
        assert_eq!(p.get("scope"), Some("openid profile phone"));
        assert_eq!(p.get("code_challenge_method"), Some("S256"));
    }
}
