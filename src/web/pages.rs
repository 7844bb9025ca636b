//! Small pages: home, account, error pages, dev outbox, stylesheet, health.

use super::csrf;
use super::extract::{Language, SignedIn, SignedInForm};
use super::i18n::{Lang, Tr};
use super::meta::ClientMeta;
use super::page_error::PageError;
use super::{cookies, render};
use crate::authn::session;
use crate::ctx::Ctx;
use crate::store::outbox::OutboxRow;
use crate::web::params::Params;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    t: Tr,
    message_key: &'static str,
    detail: Option<String>,
    /// Shown as «Код запроса: …» under the message.
    request_id: Option<String>,
}

/// A readable error page in the person's language.
pub fn error_page(lang: Lang, status: StatusCode, message_key: &'static str) -> Response {
    error_page_tr(Tr::new(lang), status, message_key)
}

/// The same with a translator carrying the configured numbers its text shows (`Tr::with`).
pub fn error_page_tr(t: Tr, status: StatusCode, message_key: &'static str) -> Response {
    render(
        status,
        &ErrorPage {
            t,
            message_key,
            detail: None,
            request_id: Some(crate::request_id::current()),
        },
    )
}

/// A readable error page with the request id (logged by the caller) to quote to support.
pub fn error_page_with_id(
    lang: Lang,
    status: StatusCode,
    message_key: &'static str,
    request_id: String,
) -> Response {
    render(
        status,
        &ErrorPage {
            t: Tr::new(lang),
            message_key,
            detail: None,
            request_id: Some(request_id),
        },
    )
}

/// Logs the cause with a request id and shows only the id.
pub fn internal_error(lang: Lang, cause: &dyn std::fmt::Display) -> Response {
    let id = crate::request_id::current();
    tracing::error!(request_id = %id, error = %cause, "internal error");
    render(
        StatusCode::INTERNAL_SERVER_ERROR,
        &ErrorPage {
            t: Tr::new(lang),
            message_key: "error.internal",
            detail: Some(id),
            request_id: None,
        },
    )
}

/// Adds the CSRF cookie to a page response when the browser did not have one yet.
pub fn with_cookie(mut res: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(c) = cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    t: Tr,
    demo: bool,
}

pub async fn home(State(app): State<Ctx>, meta: ClientMeta, RawQuery(q): RawQuery) -> Response {
    let p = Params::from_query(q.as_deref()).unwrap_or_default();
    render(
        StatusCode::OK,
        &Home {
            t: Tr::new(meta.lang(p.get("lang"))),
            demo: app.demo_enabled(),
        },
    )
}

#[derive(Template)]
#[template(path = "account.html")]
struct Account {
    t: Tr,
    csrf: String,
    full_name: String,
    level_key: &'static str,
    contacts: Vec<(String, bool)>,
    just_registered: bool,
    recovered: bool,
    sessions: usize,
    /// The passkeys page is linked only when passkeys are available (issuer with a host name).
    passkeys: bool,
    /// The time zone choice: (IANA name, words, chosen).
    zones: Vec<(&'static str, String, bool)>,
}

pub async fn account(
    State(app): State<Ctx>,
    Language(lang): Language,
    SignedIn(s): SignedIn,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = Params::from_query(q.as_deref()).unwrap_or_default();
    let Some(account) = app.store.account(&s.account_id).await? else {
        return Ok(Redirect::to("/login").into_response());
    };
    let ids = app.store.identifiers(&s.account_id).await?;
    // Phone and e-mail only: SNILS is an identifier (shown under documents), not a contact.
    let contacts = super::contacts::shown_contacts(&ids);
    let sessions = app.store.live_sessions_of(&account.id).await?.len();
    let level_key = match account.level.as_str() {
        "standard" => "level.standard",
        "confirmed" => "level.confirmed",
        _ => "level.simplified",
    };
    let chosen = app.store.account_zone(&account.id).await?;
    let zones = crate::lang::datetime::Zone::all()
        .map(|z| (z.iana(), z.describe(lang), z == chosen))
        .collect();
    let (csrf, cookie) = csrf::token(&headers, app.config.issuer_is_https());
    Ok(with_cookie(
        render(
            StatusCode::OK,
            &Account {
                zones,
                t: Tr::new(lang),
                csrf,
                full_name: format!("{} {}", account.surname, account.given_name),
                level_key,
                contacts,
                just_registered: p.get("registered").is_some(),
                recovered: p.get("recovered").is_some(),
                sessions,
                passkeys: app.passkeys_available(),
            },
        ),
        cookie,
    ))
}

/// POST /account/time-zone: the zone the person's pages show moments in (a zone vhod offers).
pub async fn set_time_zone(
    State(app): State<Ctx>,
    f: super::extract::SignedInForm,
) -> Result<Response, PageError> {
    let Some(zone) = f
        .form
        .get("zone")
        .and_then(crate::lang::datetime::Zone::parse)
    else {
        return Err(PageError::page(
            f.lang,
            StatusCode::BAD_REQUEST,
            "account.time_zone_unknown",
        ));
    };
    app.store
        .set_account_zone(&f.session.account_id, zone)
        .await?;
    Ok(Redirect::to("/account").into_response())
}

#[derive(Template)]
#[template(path = "outbox.html")]
struct Outbox {
    t: Tr,
    messages: Vec<OutboxRow>,
}

/// Development only (the route exists only when dev.enabled): what the outbox notifier "sent".
pub async fn outbox(
    State(app): State<Ctx>,
    Language(lang): Language,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = Params::from_query(q.as_deref()).unwrap_or_default();
    let messages = app.store.outbox(p.get("to"), 100).await?;
    if p.get("format") == Some("json") {
        return Ok(axum::Json(messages).into_response());
    }
    Ok(render(
        StatusCode::OK,
        &Outbox {
            t: Tr::new(lang),
            messages,
        },
    ))
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/vhod.css"),
    )
        .into_response()
}

pub async fn health(State(app): State<Ctx>) -> Response {
    match app.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

/// POST /account/sessions/end-all: «Завершить все сеансы» — every device, this one included.
pub async fn end_all_sessions(
    State(app): State<Ctx>,
    Language(lang): Language,
    f: SignedInForm,
) -> Result<Response, PageError> {
    crate::authn::logout::end_all_sessions(&app, &f.session.account_id).await?;
    let mut res = super::login::logged_out_page(lang);
    res.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(session::COOKIE, "", Some(0), app.config.issuer_is_https()),
    );
    Ok(res)
}
