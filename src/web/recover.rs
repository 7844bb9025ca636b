//! «Восстановить пароль» pages: who → code (or the e-mail link) → new password → signed in.

use super::i18n::{Lang, Tr};
use super::meta::ClientMeta;
use super::pages::{internal_error, with_cookie};
use super::{csrf, render};
use crate::app::AppState;
use crate::authn;
use crate::identity::recovery::{self, RecoveryError, Who};
use crate::params::Params;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "recover.html")]
struct RecoverPage {
    t: Tr,
    csrf: String,
    step: &'static str,
    rid: String,
    error_key: &'static str,
}

fn page(
    app: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    step: &'static str,
    rid: &str,
    status: StatusCode,
    error_key: &'static str,
) -> Response {
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    with_cookie(
        render(
            status,
            &RecoverPage {
                t: Tr::new(lang),
                csrf,
                step,
                rid: rid.to_string(),
                error_key,
            },
        ),
        cookie,
    )
}

fn error_key(e: &RecoveryError) -> (StatusCode, &'static str) {
    match e {
        RecoveryError::BadInput => (StatusCode::BAD_REQUEST, "recover.bad_input"),
        RecoveryError::UnknownOrExpired => (StatusCode::BAD_REQUEST, "recover.expired"),
        RecoveryError::WrongCode => (StatusCode::BAD_REQUEST, "recover.wrong_code"),
        RecoveryError::TooManyAttempts => (StatusCode::BAD_REQUEST, "recover.too_many"),
        RecoveryError::NotConfirmed => (StatusCode::BAD_REQUEST, "recover.expired"),
        RecoveryError::Policy(p) => (StatusCode::BAD_REQUEST, super::register::policy_key(p)),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "error.internal"),
    }
}

fn query(q: Option<String>) -> Params {
    Params::from_query(q.as_deref()).unwrap_or_default()
}

pub async fn start_page(
    State(app): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let lang = meta.lang(query(q).get("lang"));
    page(&app, &headers, lang, "start", "", StatusCode::OK, "")
}

pub async fn start(
    State(app): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (p, lang) = match super::checked_form(&meta, &headers, &body) {
        Ok(x) => x,
        Err(page) => return page,
    };
    let login = p.get("login").unwrap_or("").trim();
    let who = if login.is_empty() {
        Who::Passport {
            series: p.get("series").unwrap_or(""),
            number: p.get("number").unwrap_or(""),
        }
    } else {
        Who::Login(login)
    };
    match recovery::start(&app, who).await {
        Ok(rid) => Redirect::to(&format!("/recover/code?rid={rid}")).into_response(),
        Err(e @ (RecoveryError::Store(_) | RecoveryError::Cache(_))) => internal_error(lang, &e),
        Err(e) => {
            let (status, key) = error_key(&e);
            page(&app, &headers, lang, "start", "", status, key)
        }
    }
}

pub async fn code_page(
    State(app): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let p = query(q);
    let lang = meta.lang(p.get("lang"));
    let rid = p.get("rid").unwrap_or("");
    page(&app, &headers, lang, "code", rid, StatusCode::OK, "")
}

pub async fn code(
    State(app): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (p, lang) = match super::checked_form(&meta, &headers, &body) {
        Ok(x) => x,
        Err(page) => return page,
    };
    let rid = p.get("rid").unwrap_or("");
    confirmed(
        &app,
        &headers,
        lang,
        rid,
        recovery::confirm(&app, rid, p.get("code").unwrap_or("")).await,
    )
}

/// The e-mail link: the same check as a code, then the password form.
pub async fn link(
    State(app): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let p = query(q);
    let lang = meta.lang(p.get("lang"));
    let rid = p.get("rid").unwrap_or("");
    let result = recovery::confirm(&app, rid, p.get("token").unwrap_or("")).await;
    confirmed(&app, &headers, lang, rid, result)
}

fn confirmed(
    app: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    rid: &str,
    result: Result<(), RecoveryError>,
) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("/recover/password?rid={rid}")).into_response(),
        Err(e @ (RecoveryError::Store(_) | RecoveryError::Cache(_))) => internal_error(lang, &e),
        Err(e) => {
            let (status, key) = error_key(&e);
            page(app, headers, lang, "code", rid, status, key)
        }
    }
}

pub async fn password_page(
    State(app): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let p = query(q);
    let lang = meta.lang(p.get("lang"));
    let rid = p.get("rid").unwrap_or("");
    match recovery::is_confirmed(&app, rid).await {
        Ok(true) => page(&app, &headers, lang, "password", rid, StatusCode::OK, ""),
        Ok(false) => page(&app, &headers, lang, "code", rid, StatusCode::OK, ""),
        Err(e @ (RecoveryError::Store(_) | RecoveryError::Cache(_))) => internal_error(lang, &e),
        Err(e) => {
            let (status, key) = error_key(&e);
            page(&app, &headers, lang, "start", "", status, key)
        }
    }
}

pub async fn set_password(
    State(app): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (p, lang) = match super::checked_form(&meta, &headers, &body) {
        Ok(x) => x,
        Err(page) => return page,
    };
    let rid = p.get("rid").unwrap_or("");
    let account_id = match recovery::complete(
        &app,
        rid,
        p.get("password").unwrap_or(""),
        p.get("password2").unwrap_or(""),
    )
    .await
    {
        Ok(a) => a,
        Err(e @ (RecoveryError::Store(_) | RecoveryError::Cache(_) | RecoveryError::Hash(_))) => {
            return internal_error(lang, &e);
        }
        Err(e) => {
            let (status, key) = error_key(&e);
            let step = if matches!(e, RecoveryError::Policy(_)) {
                "password"
            } else {
                "start"
            };
            return page(&app, &headers, lang, step, rid, status, key);
        }
    };
    let mut res = Redirect::to("/account?recovered=1").into_response();
    match super::login::start_session(
        &app,
        &headers,
        &meta,
        &account_id,
        authn::ACR_LOW,
        &["pwd"],
        true,
    )
    .await
    {
        Ok(cookie) => {
            res.headers_mut().append(header::SET_COOKIE, cookie);
            res
        }
        Err(e) => internal_error(lang, &e),
    }
}
