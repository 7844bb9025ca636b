//! `/device` (RFC 8628 §3.3): the person types the code the device shows (or arrives with it from
//! `verification_uri_complete`), signs in at the level the request needs, sees which portal asks
//! for which data, and approves or denies. Wrong codes are counted per address: a user code is
//! short, so guessing is limited (`backchannel.user_code_tries_per_ip_hour`).

use super::OidcState;
use super::backchannel_pages::{self, auth_request};
use crate::authn::backchannel::{self, Kind};
use crate::authn::login_tx::{Protocol, load_tx};
use crate::types::net::address_block;
use crate::web::extract::{CsrfForm, SignedInForm};
use crate::web::i18n::{Lang, Tr};
use crate::web::meta::ClientMeta;
use crate::web::page_error::PageError;
use crate::web::pages::with_cookie;
use crate::web::params::Params;
use crate::web::{csrf, render};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

#[derive(Template)]
#[template(path = "device/enter.html")]
struct EnterPage {
    t: Tr,
    csrf: String,
    user_code: String,
    /// An error message key, if the last code was refused.
    error: Option<&'static str>,
}

fn enter_page(
    app: &OidcState,
    headers: &HeaderMap,
    lang: Lang,
    status: StatusCode,
    user_code: &str,
    error: Option<&'static str>,
) -> Response {
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    with_cookie(
        render(
            status,
            &EnterPage {
                t: Tr::new(lang),
                csrf,
                user_code: user_code.chars().take(20).collect(),
                error,
            },
        ),
        cookie,
    )
}

/// GET /device[?user_code=…]: the form, filled in when the code came in the link.
pub async fn page(
    State(app): State<OidcState>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let p = Params::from_query(q.as_deref()).unwrap_or_default();
    let lang = meta.lang(p.get("lang"));
    enter_page(
        &app,
        &headers,
        lang,
        StatusCode::OK,
        p.get("user_code").unwrap_or(""),
        None,
    )
}

/// The guesses of one address block (an IPv6 address counts with its /64: its owner can change
/// address between two guesses).
fn tries_key(ip: &str) -> String {
    format!("bcu-tries:{}", address_block(ip))
}

/// POST /device: the typed code.
pub async fn submit(
    State(app): State<OidcState>,
    meta: ClientMeta,
    CsrfForm {
        form,
        lang,
        headers,
        ..
    }: CsrfForm,
) -> Result<Response, PageError> {
    let typed = form.get("user_code").unwrap_or("");
    let limit = app.config.backchannel.user_code_tries_per_ip_hour;
    let key = tries_key(&meta.ip);
    let tried: i64 = app
        .cache
        .get(&key)
        .await?
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    if tried >= limit {
        tracing::warn!(ip = %meta.ip, "user code entry limit reached");
        return Ok(enter_page(
            &app,
            &headers,
            lang,
            StatusCode::TOO_MANY_REQUESTS,
            "",
            Some("device.too_many"),
        ));
    }
    let found = match backchannel::normalise_user_code(typed) {
        Some(code) => backchannel::by_user_code(&app, &code)
            .await?
            .map(|(_, grant)| (code, grant)),
        None => None,
    };
    let Some((code, grant)) = found else {
        app.cache.incr(&key, 3600).await?;
        return Ok(enter_page(
            &app,
            &headers,
            lang,
            StatusCode::BAD_REQUEST,
            typed,
            Some("device.unknown_code"),
        ));
    };
    let req = auth_request(
        &app,
        &grant,
        Protocol::Device { user_code: code },
        lang,
        None,
    );
    backchannel_pages::proceed(&app, &meta, &headers, req, None, &grant).await
}

/// GET /device/continue?tx=…: back from the login pages.
pub async fn resume(
    State(app): State<OidcState>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = Params::from_query(q.as_deref()).unwrap_or_default();
    let lang = meta.lang(None);
    let gone = || PageError::page(lang, StatusCode::BAD_REQUEST, "backchannel.gone");
    let tx = p.get("tx").ok_or_else(gone)?;
    let req = load_tx(&app, tx).await?.ok_or_else(gone)?;
    let Protocol::Device { user_code } = &req.protocol else {
        return Err(gone());
    };
    let (_, grant) = backchannel::by_user_code(&app, user_code)
        .await?
        .ok_or_else(|| gone().in_lang(req.lang))?;
    backchannel_pages::proceed(&app, &meta, &headers, req, Some(tx.to_string()), &grant).await
}

/// POST /device/decide: approve or deny.
pub async fn decide(
    State(app): State<OidcState>,
    form: SignedInForm,
) -> Result<Response, PageError> {
    backchannel_pages::decide(&app, form, Kind::Device).await
}
