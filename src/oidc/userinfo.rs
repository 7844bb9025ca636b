//! UserInfo (OIDC Core §5.3): GET or POST, bearer token in the header (or, for POST, the form body,
//! RFC 6750 §2.2). Claims by the grant's scopes, read from the store, and answered again from this
//! node's cache for the same token within `token_cache::WINDOW` while nothing changed here
//! (a change on another node shows within that window).

use super::OidcState;
use super::claims;
use super::error::OAuthError;
use super::tokens::validate_access_token;
use crate::store::grants::GrantRow;
use crate::web::params::Params;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// How the token came: `Authorization: Bearer`, `Authorization: DPoP` (RFC 9449 §7.1) or the form.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Bearer,
    Dpop,
}

fn authorization(headers: &HeaderMap) -> Option<(Scheme, &str)> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "bearer" => Scheme::Bearer,
        "dpop" => Scheme::Dpop,
        _ => return None,
    };
    Some((scheme, token.trim()))
}

/// RFC 6750 §3.1: a request without credentials gets a bare challenge, no error code.
fn no_token() -> Response {
    let mut res = OAuthError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_request",
        "access token is required",
    )
    .into_response();
    res.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"vhod\""),
    );
    res
}

pub async fn userinfo_get(State(app): State<OidcState>, headers: HeaderMap) -> Response {
    match authorization(&headers) {
        Some((scheme, token)) => respond(&app, &headers, "GET", scheme, token).await,
        None => no_token(),
    }
}

pub async fn userinfo_post(
    State(app): State<OidcState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form_token = if body.is_empty() {
        None
    } else {
        match Params::from_form(&headers, &body) {
            Ok(p) if p.duplicated().is_some() => {
                return OAuthError::invalid_request("a parameter is given more than once")
                    .into_response();
            }
            Ok(p) => p.get("access_token").map(str::to_owned),
            Err(e) => return OAuthError::invalid_request(e.to_string()).into_response(),
        }
    };
    match (authorization(&headers), form_token) {
        (Some(_), Some(_)) => {
            OAuthError::invalid_request("more than one method of sending the token").into_response()
        }
        (Some((scheme, t)), None) => respond(&app, &headers, "POST", scheme, t).await,
        (None, Some(t)) => respond(&app, &headers, "POST", Scheme::Bearer, &t).await,
        (None, None) => no_token(),
    }
}

/// RFC 9449 §7: a DPoP-bound token needs the DPoP scheme and a proof by the same key over this
/// request and this token; an unbound one must not come with the DPoP scheme.
async fn check_binding(
    app: &OidcState,
    headers: &HeaderMap,
    method: &str,
    scheme: Scheme,
    token: &str,
    bound: Option<&str>,
) -> Result<(), OAuthError> {
    let challenge = |error: &'static str, description: &str| {
        let mut e = OAuthError::new(StatusCode::UNAUTHORIZED, error, description);
        e.www_authenticate = Some(format!(
            "DPoP error=\"{error}\", algs=\"ES256 RS256 PS256\""
        ));
        e
    };
    match (bound, scheme) {
        (None, Scheme::Bearer) => Ok(()),
        (None, Scheme::Dpop) => Err(OAuthError::invalid_token(
            "the access token is not DPoP-bound",
        )),
        (Some(_), Scheme::Bearer) => {
            Err(challenge("invalid_token", "the access token is DPoP-bound"))
        }
        (Some(jkt), Scheme::Dpop) => {
            let proof = headers
                .get("dpop")
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| challenge("invalid_dpop_proof", "a DPoP proof is required"))?;
            let url = format!("{}/userinfo", app.issuer());
            match super::dpop::verify(app, proof, method, &url, Some(token)).await {
                Ok(p) if p.jkt == jkt => Ok(()),
                Ok(_) => Err(challenge(
                    "invalid_dpop_proof",
                    "the proof key is not the token's key",
                )),
                Err(super::dpop::DpopError::UseNonce) => {
                    let mut e = challenge("use_dpop_nonce", "use the DPoP nonce in DPoP-Nonce");
                    e.dpop_nonce = Some(super::dpop::current_nonce(app));
                    Err(e)
                }
                Err(e) => Err(challenge("invalid_dpop_proof", &e.to_string())),
            }
        }
    }
}

async fn respond(
    app: &OidcState,
    headers: &HeaderMap,
    method: &str,
    scheme: Scheme,
    token: &str,
) -> Response {
    let result = async {
        // Read before the store is asked (see oidc::token_cache).
        let generation = app.store.change_generation();
        let valid = validate_access_token(app, token).await?;
        let bound = valid
            .claims
            .get("cnf")
            .and_then(|c| c.get("jkt"))
            .and_then(serde_json::Value::as_str);
        check_binding(app, headers, method, scheme, token, bound).await?;
        let grant = valid.grant.ok_or_else(|| {
            OAuthError::invalid_token("the access token was not issued for a person")
        })?;
        if let Some(claims) = app.userinfo.get(token, generation) {
            return Ok(claims);
        }
        let claims = Arc::new(read_claims(app, &grant).await?);
        app.userinfo.put(token, generation, claims.clone());
        Ok::<_, OAuthError>(claims)
    }
    .await;
    match result {
        Ok(c) => {
            let mut res = Json(&*c).into_response();
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => e.into_response(),
    }
}

/// The claims the grant's scopes (and claims request) open, read from the store now.
async fn read_claims(
    app: &OidcState,
    grant: &GrantRow,
) -> Result<serde_json::Map<String, serde_json::Value>, OAuthError> {
    let account = app
        .store
        .account(&grant.account_id)
        .await?
        .ok_or_else(|| OAuthError::invalid_token("the account no longer exists"))?;
    let ids = app.store.identifiers(&account.id).await?;
    let scopes: Vec<String> = grant.scopes.split(' ').map(str::to_owned).collect();
    let request: Option<serde_json::Value> = grant
        .claims
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok());
    let requested = claims::requested_names(request.as_ref(), "userinfo");
    let (docs, addresses) =
        super::claims_identity::load(&app.store, &account.id, &scopes, &requested).await?;
    let unverified = claims::requested_unverified(request.as_ref(), "userinfo");
    let pending = if unverified.is_empty() {
        vec![]
    } else {
        app.store.documents_under_check(&account.id).await?
    };
    let person = claims::Person {
        account: &account,
        ids: &ids,
        docs: &docs,
        addresses: &addresses,
        pending: &pending,
        unverified: &unverified,
    };
    let mut claims = claims::select(&scopes, &requested, &person);
    let client = app
        .clients
        .find(&app.store, &grant.client_id)
        .await?
        .ok_or_else(|| OAuthError::invalid_token("the client no longer exists"))?;
    claims.insert(
        "sub".into(),
        crate::clients::subject::for_client(app, &client, &account.id).into(),
    );
    // Read fresh: a person removed from the organisation no longer acts for it.
    if let Ok(Some(org)) = super::tokens::org_claim(app, grant).await? {
        claims.insert("org".into(), org);
    }
    Ok(claims)
}
