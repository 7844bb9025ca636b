//! «Мои данные» records: driving licence, medical policy, vehicles, children — each sent for a
//! registry check; their status shows on the documents page.

use super::i18n::{Lang, Tr};
use super::identity::{signed_in, signed_in_form};
use super::meta::ClientMeta;
use super::pages::{internal_error, with_cookie};
use super::{csrf, render};
use crate::ctx::Ctx;
use crate::identity::levels::LevelError;
use crate::identity::records::{self, Record};
use askama::Template;
use axum::body::Bytes;
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

pub async fn page(State(app): State<Ctx>, meta: ClientMeta, headers: HeaderMap) -> Response {
    let lang = meta.lang(None);
    match signed_in(&app, &headers, lang).await {
        Ok(_) => page_with(&app, &headers, lang, StatusCode::OK, ""),
        Err(r) => r,
    }
}

pub async fn submit(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (p, lang, s) = match signed_in_form(&app, &meta, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let get = |k: &str| p.get(k).unwrap_or("").trim().to_string();
    let record = match Record::parse(p.get("kind").unwrap_or(""), &get) {
        Ok(r) => r,
        Err(bad) => {
            let key = match bad.0 {
                "date" => "standard.bad_date",
                "name" => "records.bad_name",
                "plate" => "records.bad_plate",
                _ => "records.bad_number",
            };
            return page_with(&app, &headers, lang, StatusCode::BAD_REQUEST, key);
        }
    };
    match records::submit(&app, &s.account_id, &record).await {
        Ok(_) => Redirect::to("/account/documents?done=submitted").into_response(),
        Err(LevelError::Store(e)) => internal_error(lang, &e),
        Err(LevelError::CheckRunning) => page_with(
            &app,
            &headers,
            lang,
            StatusCode::CONFLICT,
            "standard.running",
        ),
        Err(_) => page_with(
            &app,
            &headers,
            lang,
            StatusCode::CONFLICT,
            "records.needs_standard",
        ),
    }
}
