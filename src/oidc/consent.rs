//! Consent: the person sees which data the portal will receive and allows or denies. Remembered per
//! client and scopes; asked again when a portal wants more, or with prompt=consent.

use super::authorize::{self, AuthRequest};
use crate::app::AppState;
use crate::authn::session;
use crate::store::StoreError;
use crate::web::i18n::Tr;
use crate::web::meta::ClientMeta;
use crate::web::pages::{error_page, internal_error, with_cookie};
use crate::web::{cookies, csrf, render};
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

pub async fn is_needed(
    app: &AppState,
    account_id: &str,
    req: &AuthRequest,
) -> Result<bool, StoreError> {
    if req.prompt.iter().any(|p| p == "consent") {
        return Ok(true);
    }
    let wanted: Vec<&String> = req.scopes.iter().filter(|s| *s != "openid").collect();
    if wanted.is_empty() {
        return Ok(false);
    }
    let granted = app
        .store
        .consented_scopes(account_id, &req.client_id)
        .await?;
    let granted: Vec<&str> = granted.as_deref().unwrap_or("").split(' ').collect();
    Ok(!wanted.iter().all(|s| granted.contains(&s.as_str())))
}

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage {
    t: Tr,
    csrf: String,
    tx: String,
    client_name: String,
    scope_keys: Vec<&'static str>,
}

fn scope_key(scope: &str) -> &'static str {
    match scope {
        "openid" => "scope.openid",
        "profile" => "scope.profile",
        "fullname" => "scope.fullname",
        "email" => "scope.email",
        "phone" => "scope.phone",
        "birthdate" => "scope.birthdate",
        "gender" => "scope.gender",
        _ => "scope.offline_access",
    }
}

pub fn page(app: &AppState, headers: &HeaderMap, req: &AuthRequest, tx: &str) -> Response {
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    let mut scope_keys: Vec<&'static str> = Vec::new();
    for s in &req.scopes {
        let k = scope_key(s);
        if !scope_keys.contains(&k) {
            scope_keys.push(k);
        }
    }
    with_cookie(
        render(
            StatusCode::OK,
            &ConsentPage {
                t: Tr::new(req.lang),
                csrf,
                tx: tx.to_string(),
                client_name: req.client_name.clone(),
                scope_keys,
            },
        ),
        cookie,
    )
}

/// POST /consent: allow → remember and issue the code; deny → access_denied to the portal.
pub async fn decide(
    State(app): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = meta.lang(None);
    let (p, _) = match crate::web::checked_form(&meta, &headers, &body) {
        Ok(x) => x,
        Err(page) => return page,
    };
    let sid = cookies::get(&headers, session::COOKIE);
    let session = match session::current(&app, sid.as_deref()).await {
        Ok(Some(s)) => s,
        Ok(None) => return Redirect::to("/login").into_response(),
        Err(e) => return internal_error(lang, &e),
    };
    let req = match authorize::take_tx(&app, p.get("tx").unwrap_or("")).await {
        Ok(Some(r)) => r,
        Ok(None) => return error_page(lang, StatusCode::BAD_REQUEST, "error.tx_expired"),
        Err(e) => return internal_error(lang, &e),
    };
    match p.get("decision") {
        Some("allow") => {
            let mut scopes: Vec<String> = app
                .store
                .consented_scopes(&session.account_id, &req.client_id)
                .await
                .ok()
                .flatten()
                .map(|s| {
                    s.split(' ')
                        .filter(|x| !x.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            for s in &req.scopes {
                if !scopes.contains(s) {
                    scopes.push(s.clone());
                }
            }
            if let Err(e) = app
                .store
                .save_consent(&session.account_id, &req.client_id, &scopes.join(" "))
                .await
            {
                return internal_error(lang, &e);
            }
            authorize::issue_code(&app, &req, &session).await
        }
        _ => authorize::error_redirect(
            &app,
            &req.redirect_uri,
            req.state.as_deref(),
            "access_denied",
            "the person denied access",
        ),
    }
}
