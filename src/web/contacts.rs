//! «Контакты»: the person's phone and e-mail; a new one replaces the old only after its code.

use super::i18n::{Lang, Tr};
use super::identity::{signed_in, signed_in_form};
use super::meta::ClientMeta;
use super::pages::{internal_error, with_cookie};
use super::{csrf, render};
use crate::ctx::Ctx;
use crate::identity::Phone;
use crate::identity::contacts::{self, ContactChangeError};
use crate::store::accounts::IdentifierRow;
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
    wait: i64,
}

/// The phone and e-mail (as shown) and whether each is confirmed; identifiers such as SNILS are
/// not contacts and are left out (the account page and the contacts page use this one list).
pub fn shown_contacts(ids: &[IdentifierRow]) -> Vec<(String, bool)> {
    ids.iter()
        .filter(|i| matches!(i.kind.as_str(), "phone" | "email"))
        .map(|i| {
            let shown = match i.kind.as_str() {
                "phone" => i
                    .value
                    .parse::<Phone>()
                    .map(|p| p.display())
                    .unwrap_or_else(|_| i.value.clone()),
                _ => i.value.clone(),
            };
            (shown, i.verified_at.is_some())
        })
        .collect()
}

async fn page_for(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    account_id: &str,
    status: StatusCode,
    waiting: bool,
    error: (&'static str, i64),
) -> Response {
    let ids = match app.store.identifiers(account_id).await {
        Ok(ids) => ids,
        Err(e) => return internal_error(lang, &e),
    };
    let contacts = shown_contacts(&ids);
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
                error_key: error.0,
                wait: error.1,
            },
        ),
        cookie,
    )
}

pub async fn page(State(app): State<Ctx>, meta: ClientMeta, headers: HeaderMap) -> Response {
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
                ("", 0),
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
        ContactChangeError::TooEarly(_) => "codes.too_early",
        ContactChangeError::SendLimit => "codes.limit",
        ContactChangeError::Store(_) | ContactChangeError::Cache(_) => "error.internal",
    }
}

pub async fn start(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (p, lang, s) = match signed_in_form(&app, &meta, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match contacts::start(
        &app,
        &s.account_id,
        p.get("contact").unwrap_or(""),
        &meta.ip,
    )
    .await
    {
        Ok(_) => {
            page_for(
                &app,
                &headers,
                lang,
                &s.account_id,
                StatusCode::OK,
                true,
                ("", 0),
            )
            .await
        }
        Err(e @ (ContactChangeError::Store(_) | ContactChangeError::Cache(_))) => {
            internal_error(lang, &e)
        }
        Err(e) => {
            let (status, wait) = match e {
                ContactChangeError::Invalid(_) => (StatusCode::BAD_REQUEST, 0),
                ContactChangeError::TooEarly(wait) => (StatusCode::TOO_MANY_REQUESTS, wait),
                ContactChangeError::SendLimit => (StatusCode::TOO_MANY_REQUESTS, 0),
                _ => (StatusCode::CONFLICT, 0),
            };
            page_for(
                &app,
                &headers,
                lang,
                &s.account_id,
                status,
                false,
                (error_key(&e), wait),
            )
            .await
        }
    }
}

pub async fn confirm(
    State(app): State<Ctx>,
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
                (error_key(&e), 0),
            )
            .await
        }
    }
}

/// Addresses change without a registry check (REQUIREMENTS §1); portals see them at the next
/// userinfo call (scope `addresses`).
pub async fn save_addresses(
    State(app): State<Ctx>,
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
                ("contacts.address_too_long", 0),
            )
            .await;
        }
        if let Err(e) = app.store.set_address(&s.account_id, kind, text).await {
            return internal_error(lang, &e);
        }
    }
    Redirect::to("/account/contacts").into_response()
}
