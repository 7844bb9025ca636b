//! Personal-account pages of the account level: documents with their status, the standard-level
//! request, code letters, level history and the notification feed.

use super::i18n::{Lang, Tr};
use super::meta::ClientMeta;
use super::pages::{internal_error, with_cookie};
use super::{cookies, csrf, render};
use crate::authn::session;
use crate::ctx::Ctx;
use crate::identity::letters::{self, LetterError};
use crate::identity::levels::{self, IdDocument, LevelError, StandardRequest};
use crate::identity::validation::{Passport, Snils};
use crate::store::StoreError;
use crate::store::sessions::SessionRow;
use crate::web::params::Params;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

/// The live session of this browser, or the answer to give instead (login page or error).
#[allow(clippy::result_large_err)]
pub async fn signed_in(app: &Ctx, headers: &HeaderMap, lang: Lang) -> Result<SessionRow, Response> {
    let sid = cookies::get(headers, session::COOKIE);
    match session::current(app, sid.as_deref()).await {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err(Redirect::to("/login").into_response()),
        Err(e) => Err(internal_error(lang, &e)),
    }
}

/// A CSRF-checked form from a signed-in browser: the form, its language and the session — or the
/// answer to give instead.
#[allow(clippy::result_large_err)]
pub async fn signed_in_form(
    app: &Ctx,
    meta: &ClientMeta,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Params, Lang, SessionRow), Response> {
    let (p, lang) = super::checked_form(meta, headers, body)?;
    let s = signed_in(app, headers, lang).await?;
    Ok((p, lang, s))
}

pub struct DocView {
    pub kind_key: &'static str,
    pub summary: String,
    pub status_key: &'static str,
    pub reason: String,
}

pub struct EventView {
    pub when: String,
    pub level_key: &'static str,
    pub method_key: &'static str,
}

#[derive(Template)]
#[template(path = "documents.html")]
struct DocumentsPage {
    t: Tr,
    csrf: String,
    level_key: &'static str,
    method_key: &'static str,
    checking: bool,
    docs: Vec<DocView>,
    events: Vec<EventView>,
    feed: Vec<(String, String)>,
    can_request_standard: bool,
    can_order_letter: bool,
    letter_pending: bool,
    bank_name: String,
    message_key: &'static str,
    error_key: &'static str,
}

pub fn level_key(level: &str) -> &'static str {
    match level {
        levels::STANDARD => "level.standard",
        levels::CONFIRMED => "level.confirmed",
        _ => "level.simplified",
    }
}

pub fn method_key(method: &str) -> &'static str {
    match method {
        "registry" => "method.registry",
        "document_changed" => "method.document_changed",
        "service_centre" => "method.service_centre",
        "code_letter" => "method.code_letter",
        "qes" => "method.qes",
        "bank" => "method.bank",
        _ => "method.registration",
    }
}

fn status_key(status: &str) -> &'static str {
    match status {
        "verified" => "doc.status.verified",
        "rejected" => "doc.status.rejected",
        "failed" => "doc.status.failed",
        _ => "doc.status.verifying",
    }
}

fn doc_view(d: &crate::store::documents::DocumentRow) -> DocView {
    let (kind_key, summary) = match d.kind.as_str() {
        "snils" => (
            "doc.snils",
            d.field("number")
                .parse::<Snils>()
                .map(|s| s.to_string())
                .unwrap_or_default(),
        ),
        "passport_rf" => (
            "doc.passport_rf",
            format!(
                "{} {}, {}",
                d.field("series"),
                d.field("number"),
                d.field("issued")
            ),
        ),
        "drivers_licence" => (
            "doc.drivers_licence",
            format!("{} {}", d.field("series"), d.field("number")),
        ),
        "medical_policy" => ("doc.medical_policy", d.field("number")),
        "inn" => ("doc.inn", d.field("number")),
        "vehicle" => (
            "doc.vehicle",
            format!("{}, {}", d.field("name"), d.field("plate")),
        ),
        "child" => (
            "doc.child",
            format!(
                "{} {}, {}",
                d.field("surname"),
                d.field("given_name"),
                d.field("birth_date")
            ),
        ),
        _ => (
            "doc.foreign_id",
            format!("{} {}", d.field("country"), d.field("number")),
        ),
    };
    DocView {
        kind_key,
        summary,
        status_key: status_key(&d.status),
        reason: d.reason.clone().unwrap_or_default(),
    }
}

pub fn when(t: i64) -> String {
    let (y, m, d, hh, mm, _) = crate::clock::utc_parts(t);
    format!("{d:02}.{m:02}.{y} {hh:02}:{mm:02} UTC")
}

async fn documents_page(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    account_id: &str,
    status: StatusCode,
    message_key: &'static str,
    error_key: &'static str,
) -> Result<Response, StoreError> {
    let Some(account) = app.store.account(account_id).await? else {
        return Ok(Redirect::to("/login").into_response());
    };
    let docs = app.store.documents_of(account_id).await?;
    let checking = docs.iter().any(|d| d.status == "verifying");
    let events = app.store.level_events(account_id).await?;
    let feed = app.store.feed(account_id).await?;
    let letters = app.store.letters_of(account_id).await?;
    let now = app.store.now();
    let letter_pending = letters
        .first()
        .is_some_and(|l| l.used_at.is_none() && l.expires_at > now);
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    Ok(with_cookie(
        render(
            status,
            &DocumentsPage {
                t: Tr::new(lang)
                    .with("valid-days", app.config.identity.letter_valid_days)
                    .with("reorder-days", app.config.identity.letter_reorder_days),
                csrf,
                level_key: level_key(&account.level),
                method_key: method_key(&account.level_method),
                checking,
                docs: docs.iter().map(doc_view).collect(),
                events: events
                    .iter()
                    .map(|e| EventView {
                        when: when(e.created_at),
                        level_key: level_key(&e.level),
                        method_key: method_key(&e.method),
                    })
                    .collect(),
                feed: feed
                    .into_iter()
                    .map(|f| (when(f.created_at), f.text))
                    .collect(),
                can_request_standard: !checking,
                can_order_letter: account.level == levels::STANDARD && !letter_pending,
                letter_pending: letter_pending && account.level == levels::STANDARD,
                bank_name: if account.level == levels::STANDARD
                    && !app.config.bank.issuer.is_empty()
                {
                    app.config.bank.name.clone()
                } else {
                    String::new()
                },
                message_key,
                error_key,
            },
        ),
        cookie,
    ))
}

pub async fn documents(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let p = Params::from_query(q.as_deref()).unwrap_or_default();
    let lang = meta.lang(p.get("lang"));
    let s = match signed_in(&app, &headers, lang).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let message_key = match p.get("done") {
        Some("submitted") => "standard.submitted",
        Some("letter") => "letter.ordered",
        Some("confirmed") => "letter.confirmed",
        Some("bank") => "bank.confirmed",
        _ => "",
    };
    documents_page(
        &app,
        &headers,
        lang,
        &s.account_id,
        StatusCode::OK,
        message_key,
        "",
    )
    .await
    .unwrap_or_else(|e| internal_error(lang, &e))
}

#[derive(Template)]
#[template(path = "standard.html")]
struct StandardPage {
    t: Tr,
    csrf: String,
    f: Params,
    error_key: &'static str,
}

fn standard_page(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    f: Params,
    status: StatusCode,
    error_key: &'static str,
) -> Response {
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    with_cookie(
        render(
            status,
            &StandardPage {
                t: Tr::new(lang),
                csrf,
                f,
                error_key,
            },
        ),
        cookie,
    )
}

pub async fn standard_form(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
) -> Response {
    let lang = meta.lang(None);
    let s = match signed_in(&app, &headers, lang).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let account = match app.store.account(&s.account_id).await {
        Ok(Some(a)) => a,
        Ok(None) => return Redirect::to("/login").into_response(),
        Err(e) => return internal_error(lang, &e),
    };
    let f = Params::from_pairs(vec![
        ("surname".into(), account.surname),
        ("given_name".into(), account.given_name),
        ("patronymic".into(), account.patronymic.unwrap_or_default()),
        ("doc_type".into(), "passport_rf".into()),
    ]);
    standard_page(&app, &headers, lang, f, StatusCode::OK, "")
}

/// Reads the form into a request, or names the field that is wrong.
fn parse_standard(p: &Params) -> Result<StandardRequest, &'static str> {
    let get = |k: &str| p.get(k).unwrap_or("").trim().to_string();
    let snils: Snils = get("snils").parse().map_err(|_| "standard.bad_snils")?;
    let document = match p.get("doc_type") {
        Some("foreign_id") => {
            let country = get("country").to_uppercase();
            let number = get("number");
            if country.len() != 3 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
                return Err("standard.bad_country");
            }
            if number.is_empty() || number.len() > 20 {
                return Err("standard.bad_document");
            }
            if Passport::parse("0000", "000000", &get("issued"), "000-000").is_err() {
                return Err("standard.bad_date");
            }
            IdDocument::Foreign {
                country,
                number,
                issued: get("issued"),
            }
        }
        _ => IdDocument::Passport(
            Passport::parse(
                &get("series"),
                &get("number"),
                &get("issued"),
                &get("issuer_code"),
            )
            .map_err(|_| "standard.bad_document")?,
        ),
    };
    let name = |k: &str| crate::identity::names::normalise_name(&get(k));
    let surname = name("surname").map_err(|_| "standard.bad_name")?;
    let given_name = name("given_name").map_err(|_| "standard.bad_name")?;
    let patronymic = match get("patronymic").as_str() {
        "" => None,
        _ => Some(name("patronymic").map_err(|_| "standard.bad_name")?),
    };
    let birth_date = get("birth_date");
    if Passport::parse("0000", "000000", &birth_date, "000-000").is_err() {
        return Err("standard.bad_date");
    }
    let birthplace = get("birthplace");
    if birthplace.is_empty() || birthplace.chars().count() > 200 {
        return Err("standard.bad_birthplace");
    }
    let gender = match p.get("gender") {
        Some("M") => "M",
        Some("F") => "F",
        _ => return Err("standard.bad_gender"),
    };
    Ok(StandardRequest {
        snils,
        document,
        surname,
        given_name,
        patronymic,
        birth_date,
        birthplace,
        gender: gender.into(),
    })
}

pub async fn standard_submit(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (p, lang, s) = match signed_in_form(&app, &meta, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let req = match parse_standard(&p) {
        Ok(r) => r,
        Err(key) => return standard_page(&app, &headers, lang, p, StatusCode::BAD_REQUEST, key),
    };
    match levels::request_standard(&app, &s.account_id, &req).await {
        Ok(_) => Redirect::to("/account/documents?done=submitted").into_response(),
        Err(LevelError::Store(e)) => internal_error(lang, &e),
        Err(e) => {
            let key = match e {
                LevelError::CheckRunning => "standard.running",
                LevelError::SnilsTaken => "standard.snils_taken",
                LevelError::Unchanged => "standard.unchanged",
                _ => "error.bad_request",
            };
            standard_page(&app, &headers, lang, p, StatusCode::CONFLICT, key)
        }
    }
}

pub async fn order_letter(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (p, lang, s) = match signed_in_form(&app, &meta, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let address = p.get("address").unwrap_or("").trim();
    let result = letters::order(&app, &s.account_id, address).await;
    letter_answer(&app, &headers, lang, &s.account_id, result, "letter")
        .await
        .unwrap_or_else(|e| internal_error(lang, &e))
}

pub async fn enter_letter_code(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (p, lang, s) = match signed_in_form(&app, &meta, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let result = letters::enter_code(&app, &s.account_id, p.get("code").unwrap_or("")).await;
    letter_answer(&app, &headers, lang, &s.account_id, result, "confirmed")
        .await
        .unwrap_or_else(|e| internal_error(lang, &e))
}

async fn letter_answer(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    account_id: &str,
    result: Result<(), LetterError>,
    done: &str,
) -> Result<Response, StoreError> {
    let (status, key) = match result {
        Ok(()) => {
            return Ok(Redirect::to(&format!("/account/documents?done={done}")).into_response());
        }
        Err(LetterError::Store(e)) => return Err(e),
        Err(LetterError::NotStandard) => (StatusCode::CONFLICT, "letter.not_standard"),
        Err(LetterError::TooSoon) => (StatusCode::CONFLICT, "letter.too_soon"),
        Err(LetterError::NoAddress) => (StatusCode::BAD_REQUEST, "letter.no_address"),
        Err(LetterError::NoLetter) => (StatusCode::BAD_REQUEST, "letter.none"),
        Err(LetterError::Expired) => (StatusCode::BAD_REQUEST, "letter.expired"),
        Err(LetterError::WrongCode) => (StatusCode::BAD_REQUEST, "letter.wrong_code"),
        Err(LetterError::TooManyAttempts) => (StatusCode::BAD_REQUEST, "letter.too_many"),
        Err(LetterError::Spool(e)) => {
            return Ok(internal_error(lang, &e));
        }
    };
    documents_page(app, headers, lang, account_id, status, "", key).await
}

#[derive(Template)]
#[template(path = "level_required.html")]
struct LevelRequiredPage {
    t: Tr,
    client_name: String,
    level_key: &'static str,
    back: String,
}

/// «Для входа на портал нужна … учётная запись»: how to reach the level, and the way back to the
/// portal (which then receives access_denied).
pub fn level_required_page(lang: Lang, client_name: &str, level: &str, back: &str) -> Response {
    render(
        StatusCode::FORBIDDEN,
        &LevelRequiredPage {
            t: Tr::new(lang),
            client_name: client_name.to_string(),
            level_key: level_key(level),
            back: back.to_string(),
        },
    )
}

#[derive(Template)]
#[template(path = "bank_failed.html")]
struct BankFailedPage {
    t: Tr,
    reason: String,
}

/// The bank step did not confirm the account: the reason, and the way back.
pub fn bank_failed_page(lang: Lang, reason: &str) -> Response {
    render(
        StatusCode::BAD_GATEWAY,
        &BankFailedPage {
            t: Tr::new(lang),
            reason: reason.to_string(),
        },
    )
}
