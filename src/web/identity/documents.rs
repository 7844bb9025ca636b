//! «Документы»: the documents with their status, the level and how it was reached, its history
//! and the notification feed; the standard-level request, code letters and the bank are offered
//! from here.

use super::{level_key, method_key, when};
use crate::ctx::Ctx;
use crate::identity::levels;
use crate::identity::validation::Snils;
use crate::web::extract::{Language, SignedIn};
use crate::web::i18n::{Lang, Tr};
use crate::web::page_error::PageError;
use crate::web::pages::with_cookie;
use crate::web::params::Params;
use crate::web::{csrf, render};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

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

/// The documents page with a message (after a step) or an error (a refused step).
pub(super) async fn documents_page(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    account_id: &str,
    status: StatusCode,
    message_key: &'static str,
    error_key: &'static str,
) -> Result<Response, PageError> {
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
    let tr = Tr::new(lang).in_zone(app.store.account_zone(account_id).await?);
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
                        when: when(&tr, e.created_at),
                        level_key: level_key(&e.level),
                        method_key: method_key(&e.method),
                    })
                    .collect(),
                feed: feed
                    .into_iter()
                    .map(|f| (when(&tr, f.created_at), f.text))
                    .collect(),
                // Once the data is verified (standard or confirmed) the form is not offered again.
                can_request_standard: !checking && account.level == levels::SIMPLIFIED,
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
    Language(lang): Language,
    SignedIn(s): SignedIn,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = Params::from_query(q.as_deref()).unwrap_or_default();
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
}
