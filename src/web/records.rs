//! «Мои данные» records: driving licence, medical policy, vehicles, children — each sent for a
//! registry check; their status shows on the documents page.

use super::extract::{Language, SignedIn, SignedInForm};
use super::i18n::{Lang, Tr};
use super::page_error::PageError;
use super::pages::with_cookie;
use super::{csrf, render};
use crate::ctx::Ctx;
use crate::identity::levels::LevelError;
use crate::identity::records::{self, Record};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "records.html")]
struct RecordsPage {
    t: Tr,
    csrf: String,
    error_key: &'static str,
}

fn page_with(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    status: StatusCode,
    error_key: &'static str,
) -> Response {
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    with_cookie(
        render(
            status,
            &RecordsPage {
                t: Tr::new(lang),
                csrf,
                error_key,
            },
        ),
        cookie,
    )
}

pub async fn page(
    State(app): State<Ctx>,
    Language(lang): Language,
    SignedIn(_): SignedIn,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    Ok(page_with(&app, &headers, lang, StatusCode::OK, ""))
}

pub async fn submit(State(app): State<Ctx>, f: SignedInForm) -> Result<Response, PageError> {
    let refused = |status: StatusCode, key| Ok(page_with(&app, &f.headers, f.lang, status, key));
    let get = |k: &str| f.form.get(k).unwrap_or("").trim().to_string();
    let record = match Record::parse(f.form.get("kind").unwrap_or(""), &get) {
        Ok(r) => r,
        Err(bad) => {
            let key = match bad.0 {
                "date" => "standard.bad_date",
                "name" => "records.bad_name",
                "plate" => "records.bad_plate",
                _ => "records.bad_number",
            };
            return refused(StatusCode::BAD_REQUEST, key);
        }
    };
    match records::submit(&app, &f.session.account_id, &record).await {
        Ok(_) => Ok(Redirect::to("/account/documents?done=submitted").into_response()),
        Err(LevelError::Store(e)) => Err(e.into()),
        Err(LevelError::CheckRunning) => refused(StatusCode::CONFLICT, "standard.running"),
        Err(_) => refused(StatusCode::CONFLICT, "records.needs_standard"),
    }
}
