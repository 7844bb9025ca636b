//! Personal-account pages of the account level: documents with their status (documents.rs), the
//! standard-level request (standard.rs), code letters (letters.rs); level history and the
//! notification feed show on the documents page. Here: the texts they share and the pages the
//! login flows show about the level.

mod documents;
mod letters;
mod standard;

pub use documents::documents;
pub use letters::{enter_letter_code, order_letter};
pub use standard::{standard_form, standard_submit};

use super::i18n::{Lang, Tr};
use super::render;
use crate::identity::levels;
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

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

/// A moment as every page shows it («2 декабря 2026, 16:38 МСК»).
pub fn when(t: &Tr, at: i64) -> String {
    t.datetime(at)
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
