//! UserInfo (OIDC Core §5.3): GET or POST, bearer token in the header (or, for POST, the form body,
//! RFC 6750 §2.2). Claims by the grant's scopes, read fresh from the store at every call.

use super::claims;
use super::error::OAuthError;
use super::tokens::validate_access_token;
use crate::app::AppState;
use crate::params::Params;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
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

pub async fn userinfo_get(State(app): State<AppState>, headers: HeaderMap) -> Response {
    match bearer(&headers) {
        Some(token) => respond(&app, token).await,
        None => no_token(),
    }
}

pub async fn userinfo_post(
    State(app): State<AppState>,
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
    match (bearer(&headers), form_token) {
        (Some(_), Some(_)) => {
            OAuthError::invalid_request("more than one method of sending the token").into_response()
        }
        (Some(t), None) => respond(&app, t).await,
        (None, Some(t)) => respond(&app, &t).await,
        (None, None) => no_token(),
    }
}

async fn respond(app: &AppState, token: &str) -> Response {
    let result = async {
        let grant = validate_access_token(app, token)
            .await?
            .grant
            .ok_or_else(|| {
                OAuthError::invalid_token("the access token was not issued for a person")
            })?;
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
        let mut claims = claims::select(&scopes, &requested, &account, &ids);
        let client = super::clients::find_cached(app, &grant.client_id)
            .await?
            .ok_or_else(|| OAuthError::invalid_token("the client no longer exists"))?;
        claims.insert(
            "sub".into(),
            super::subject::for_client(app, &client, &account.id).into(),
        );
        Ok::<_, OAuthError>(claims)
    }
    .await;
    match result {
        Ok(c) => {
            let mut res = Json(c).into_response();
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => e.into_response(),
    }
}
