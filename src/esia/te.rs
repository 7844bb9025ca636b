//! `POST /aas/oauth2/v3/te`: ESIA's token endpoint (form body). The client proves itself with a
//! client_secret signed over the request's parameters, each grant type with its own signing
//! string (every convention the public client libraries use is accepted):
//! - authorization_code: client_id + scope + scope_org + timestamp + state + redirect_uri + code;
//! - refresh_token: client_id + scope + scope_org + timestamp + state + redirect_uri (+ the
//!   refresh token), or client_id + scope + timestamp + state + refresh_token;
//! - client_credentials: client_id + scope + timestamp + state + redirect_uri; every
//!   `org_*?org_oid=N` only for an organisation that allowed the portal (ESIA-007019 otherwise).
//!
//! The answer is JSON: access_token, id_token, refresh_token (offline only), expires_in, state
//! (this request's), token_type Bearer; errors are 400 `{error, error_description, state}`.

use super::ac::{check_person_scopes, check_timestamp, find_client, is_uuid};
use super::errors::EsiaError;
use super::scopes;
use super::secret::{self, Version};
use super::tokens::{self, TokenError};
use crate::clients::esia::EsiaClient;
use crate::ctx::Ctx;
use crate::web::params::Params;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

pub async fn token(State(ctx): State<Ctx>, headers: HeaderMap, body: Bytes) -> Response {
    answer(&ctx, &headers, &body, Version::V2).await
}

/// `POST /aas/oauth2/te`: the old protocol, for clients registered as legacy (client_secret =
/// detached CMS over scope + timestamp + client_id + state, for every grant type).
pub async fn token_legacy(State(ctx): State<Ctx>, headers: HeaderMap, body: Bytes) -> Response {
    answer(&ctx, &headers, &body, Version::Legacy).await
}

async fn answer(ctx: &Ctx, headers: &HeaderMap, body: &[u8], version: Version) -> Response {
    let Ok(p) = Params::from_form(headers, body) else {
        return EsiaError::BadParameter("body".into()).json(None);
    };
    let state = p.get("state").map(str::to_owned);
    match handle(ctx, &p, version).await {
        Ok(issued) => (
            StatusCode::OK,
            [
                (header::CACHE_CONTROL, "no-store"),
                (header::PRAGMA, "no-cache"),
            ],
            Json(issued),
        )
            .into_response(),
        Err(TokenError::Esia(e)) => {
            tracing::info!(
                client = p.get("client_id").unwrap_or_default(),
                code = e.code(),
                "ESIA token request refused"
            );
            e.json(state.as_deref())
        }
        Err(e) => {
            tracing::error!(error = %e, "ESIA token endpoint failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(serde_json::json!({
                    "error": "server_error",
                    "state": state,
                    "request_id": crate::request_id::current(),
                })),
            )
                .into_response()
        }
    }
}

async fn handle(ctx: &Ctx, p: &Params, version: Version) -> Result<tokens::Issued, TokenError> {
    if let Some(dup) = p.duplicated() {
        return Err(EsiaError::BadParameter(dup.to_string()).into());
    }
    for name in [
        "client_id",
        "grant_type",
        "client_secret",
        "state",
        "timestamp",
    ] {
        if p.get(name).is_none_or(str::is_empty) {
            return Err(EsiaError::Missing(name).into());
        }
    }
    let get = |n: &str| p.get(n).unwrap_or_default();
    let client = find_client(ctx, get("client_id")).await??;
    let state = get("state");
    if !is_uuid(state) {
        return Err(EsiaError::BadParameter("state".into()).into());
    }
    if let Some(t) = p.get("token_type")
        && !t.eq_ignore_ascii_case("bearer")
    {
        return Err(EsiaError::BadParameter("token_type".into()).into());
    }
    let grant_type = get("grant_type");
    if !["authorization_code", "refresh_token", "client_credentials"].contains(&grant_type) {
        return Err(EsiaError::UnsupportedGrant.into());
    }
    if version == Version::Legacy && !client.legacy {
        return Err(EsiaError::MethodNotAllowed.into());
    }
    check_timestamp(ctx, get("timestamp"))?;
    let certs = secret::candidates(&client, p.get("client_certificate_hash"))?;
    let (id, scope, scope_org, ts, redirect) = (
        client.client.id.as_str(),
        get("scope"),
        get("scope_org"),
        get("timestamp"),
        get("redirect_uri"),
    );
    let base = format!("{id}{scope}{scope_org}{ts}{state}{redirect}");
    // The client proves itself over the grant's signing strings (v2) or the one legacy string.
    let authenticate = |messages: &[String]| match version {
        Version::V2 => secret::check(&certs, messages, get("client_secret")),
        Version::Legacy => secret::check_legacy(
            &client,
            &format!("{scope}{ts}{id}{state}"),
            get("client_secret"),
        ),
    };
    let issued: Result<tokens::Issued, TokenError> = async {
        match grant_type {
            "authorization_code" => {
                let code = p.get("code").ok_or(EsiaError::Missing("code"))?;
                if redirect.is_empty() {
                    return Err(EsiaError::Missing("redirect_uri").into());
                }
                authenticate(&[format!("{base}{code}")])?;
                redeem_code(ctx, &client, p, code, state).await
            }
            "refresh_token" => {
                let rt = p
                    .get("refresh_token")
                    .ok_or(EsiaError::Missing("refresh_token"))?;
                let messages = [
                    base.clone(),
                    format!("{base}{rt}"),
                    format!("{id}{scope}{ts}{state}{rt}"),
                ];
                authenticate(&messages)?;
                let (grant, parent) = tokens::take_refresh(ctx, &client.client, rt).await?;
                tokens::issue_for_grant(ctx, &client.client, &grant, true, Some(&parent), state)
                    .await
            }
            _ => {
                if scope.is_empty() {
                    return Err(EsiaError::NoScope.into());
                }
                authenticate(&[format!("{id}{scope}{ts}{state}{redirect}")])?;
                let items = org_scopes(&client, scope)?;
                // Each organisation named must allow this portal (its page, chief or admin).
                for item in &items {
                    if let Some(org) = scopes::org_item_oid(item)
                        && !crate::orgs::allowances::allows(ctx, org, client.client.id.as_str())
                            .await?
                    {
                        return Err(EsiaError::NoPermission(item.clone()).into());
                    }
                }
                Ok(tokens::issue_for_client(
                    ctx,
                    &client.client,
                    &items,
                    state,
                )?)
            }
        }
    }
    .await;
    crate::metrics::tokens_issued("esia", grant_type, id, issued.is_ok());
    issued
}

async fn redeem_code(
    ctx: &Ctx,
    client: &EsiaClient,
    p: &Params,
    code: &str,
    state: &str,
) -> Result<tokens::Issued, TokenError> {
    let data = tokens::take_code(ctx, code)
        .await?
        .filter(|c| c.client_id == client.client.id.as_str())
        .ok_or(EsiaError::InvalidGrant)?;
    let redirect = p.get("redirect_uri").unwrap_or_default();
    if !client.client.has_redirect_uri(redirect) {
        return Err(EsiaError::RedirectUri.into());
    }
    if redirect != data.redirect_uri {
        return Err(EsiaError::InvalidGrant.into());
    }
    if let Some(challenge) = &data.code_challenge {
        let verifier = p.get("code_verifier").ok_or(EsiaError::PkceMissing)?;
        let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        if !crate::crypto::ct_eq(&computed, challenge) {
            return Err(EsiaError::PkceMismatch.into());
        }
    }
    // The scope of the token request, when given, cannot widen the code's.
    if let Some(scope) = p.get("scope").filter(|s| !s.is_empty()) {
        let asked = check_person_scopes(client, scope)?;
        if let Some(extra) = asked.iter().find(|s| !data.scopes.contains(s)) {
            return Err(EsiaError::NoPermission(extra.clone()).into());
        }
    }
    let grant = tokens::grant_for_code(ctx, &data).await?;
    tokens::issue_for_grant(ctx, &client.client, &grant, data.offline, None, state).await
}

/// client_credentials scopes: organisation items (`org_*?org_oid=N`, `prm_chg?oid=N`), each
/// registered for the client by name.
fn org_scopes(client: &EsiaClient, scope: &str) -> Result<Vec<String>, EsiaError> {
    let items = scopes::parse(scope);
    if items.is_empty() {
        return Err(EsiaError::NoScope);
    }
    for item in &items {
        if !scopes::is_org_scope_item(item) {
            return Err(EsiaError::UnknownScope(item.clone()));
        }
        let (name, _) = scopes::split_item(item);
        if !client.client.allowed_scopes.iter().any(|s| s == name) {
            return Err(EsiaError::NoPermission(name.to_string()));
        }
    }
    Ok(items)
}
