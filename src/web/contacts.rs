//! «Контакты»: the person's phone and e-mail; a new one replaces the old only after its code.

use super::i18n::{Lang, Tr};
use super::identity::{signed_in, signed_in_form};
use super::meta::ClientMeta;
use super::pages::{internal_error, with_cookie};
use super::{csrf, render};
use crate::app::AppState;
use crate::identity::Phone;
use crate::identity::contacts::{self, ContactChangeError};
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "contacts.html")]
struct ContactsPage {
    t: Tr,
    csrf: String,
    contacts: Vec<(String, bool)>,
    registration: String,
    residence: String,
    waiting: bool,
    error_key: &'static str,
}

async fn page_for(
    app: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    account_id: &str,
    status: StatusCode,
    waiting: bool,
    error_key: &'static str,
) -> Response {
    let ids = match app.store.identifiers(account_id).await {
        Ok(ids) => ids,
        Err(e) => return internal_error(lang, &e),
    };
    let contacts = ids
        .into_iter()
        .filter(|i| matches!(i.kind.as_str(), "phone" | "email"))
        .map(|i| {
            let shown = match i.kind.as_str() {
                "phone" => i
                    .value
                    .parse::<Phone>()
                    .map(|p| p.display())
                    .unwrap_or(i.value),
                _ => i.value,
            };
            (shown, i.verified_at.is_some())
        })
        .collect();
    let addresses = match app.store.addresses(account_id).await {
        Ok(a) => a,
        Err(e) => return internal_error(lang, &e),
    };
    let address = |kind: &str| {
        addresses
            .iter()
            .find(|(k, _)| k == kind)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    };
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    with_cookie(
        render(
            status,
            &ContactsPage {
                t: Tr::new(lang),
                csrf,
                contacts,
                registration: address("PRG"),
                residence: address("PLV"),
                waiting,
                error_key,
            },
        ),
        cookie,
    )
}

pub async fn page(State(app): State<AppState>, meta: ClientMeta, headers: HeaderMap) -> Response {
    let lang = meta.lang(None);
    match signed_in(&app, &headers, lang).await {
        Ok(s) => {
            page_for(
                &app,
                &headers,
                lang,
                &s.account_id,
                StatusCode::OK,
                false,
                "",
            )
            .await
        }
        Err(r) => r,
    }
}

fn error_key(e: &ContactChangeError) -> &'static str {
    match e {
        ContactChangeError::Invalid(_) => "contacts.invalid",
        ContactChangeError::Taken => "contacts.taken",
        ContactChangeError::Same => "contacts.same",
        ContactChangeError::NoChange => "contacts.no_change",
        ContactChangeError::WrongCode => "recover.wrong_code",
        ContactChangeError::TooManyAttempts => "recover.too_many",
        ContactChangeError::Store(_) | ContactChangeError::Cache(_) => "error.internal",
    }
}

pub async fn start(
    State(app): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (p, lang, s) = match signed_in_form(&app, &meta, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match contacts::start(&app, &s.account_id, p.get("contact").unwrap_or("")).await {
        Ok(_) => {
            page_for(
                &app,
                &headers,
                lang,
                &s.account_id,
                StatusCode::OK,
                true,
                "",
            )
            .await
        }
        Err(e @ (ContactChangeError::Store(_) | ContactChangeError::Cache(_))) => {
            internal_error(lang, &e)
        }
        Err(e) => {
            let status = if matches!(e, ContactChangeError::Invalid(_)) {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::CONFLICT
            };
            page_for(
                &app,
                &headers,
                lang,
                &s.account_id,
                status,
                false,
                error_key(&e),
            )
            .await
        }
    }
}

pub async fn confirm(
    State(app): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (p, lang, s) = match signed_in_form(&app, &meta, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match contacts::confirm(&app, &s.account_id, p.get("code").unwrap_or("")).await {
        Ok(_) => Redirect::to("/account/contacts").into_response(),
        Err(e @ (ContactChangeError::Store(_) | ContactChangeError::Cache(_))) => {
            internal_error(lang, &e)
        }
        Err(e) => {
            let waiting = matches!(e, ContactChangeError::WrongCode);
            page_for(
                &app,
                &headers,
                lang,
                &s.account_id,
                StatusCode::BAD_REQUEST,
                waiting,
                error_key(&e),
            )
            .await
        }
    }
}

/// Addresses change without a registry check (REQUIREMENTS §1); portals see them at the next
/// userinfo call (scope `addresses`).
pub async fn save_addresses(
    State(app): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (p, lang, s) = match signed_in_form(&app, &meta, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    for (kind, field) in [("PRG", "registration"), ("PLV", "residence")] {
        let text = p.get(field).unwrap_or("").trim();
        if text.chars().count() > 300 {
            return page_for(
                &app,
                &headers,
                lang,
                &s.account_id,
                StatusCode::BAD_REQUEST,
                false,
                "contacts.address_too_long",
            )
            .await;
        }
        if let Err(e) = app.store.set_address(&s.account_id, kind, text).await {
            return internal_error(lang, &e);
        }
    }
    Redirect::to("/account/contacts").into_response()
}
