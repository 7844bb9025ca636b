//! «Контакты»: the person's phone and e-mail; a new one replaces the old only after its code.

use super::extract::{Language, SignedIn, SignedInForm};
use super::i18n::{Lang, Tr};
use super::meta::ClientMeta;
use super::page_error::PageError;
use super::pages::with_cookie;
use super::{csrf, render};
use crate::ctx::Ctx;
use crate::identity::contacts::{self, AddressChange, Addresses, ContactChangeError};
use crate::store::accounts::IdentifierRow;
use askama::Template;
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
                "phone" => super::show::phone(&i.value),
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
) -> Result<Response, PageError> {
    let contacts = shown_contacts(&app.store.identifiers(account_id).await?);
    let addresses = app.store.addresses(account_id).await?;
    let address = |kind: &str| {
        addresses
            .iter()
            .find(|(k, _)| k == kind)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    };
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    Ok(with_cookie(
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
    ))
}

/// The page again after a form of it: waiting for a code, or with a refusal.
async fn again(
    app: &Ctx,
    f: &SignedInForm,
    status: StatusCode,
    waiting: bool,
    error: (&'static str, i64),
) -> Result<Response, PageError> {
    page_for(
        app,
        &f.headers,
        f.lang,
        &f.session.account_id,
        status,
        waiting,
        error,
    )
    .await
}

pub async fn page(
    State(app): State<Ctx>,
    Language(lang): Language,
    SignedIn(s): SignedIn,
    headers: HeaderMap,
) -> Result<Response, PageError> {
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

fn error_key(e: &ContactChangeError) -> &'static str {
    match e {
        ContactChangeError::Invalid(crate::types::contact::ContactError::NotMobile) => {
            "register.not_mobile"
        }
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
    f: SignedInForm,
) -> Result<Response, PageError> {
    let contact = f.form.get("contact").unwrap_or("");
    match contacts::start(&app, &f.session.account_id, contact, &meta.ip).await {
        Ok(_) => again(&app, &f, StatusCode::OK, true, ("", 0)).await,
        Err(e @ (ContactChangeError::Store(_) | ContactChangeError::Cache(_))) => {
            Err(PageError::internal(&e))
        }
        Err(e) => {
            let (status, wait) = match e {
                ContactChangeError::Invalid(_) => (StatusCode::BAD_REQUEST, 0),
                ContactChangeError::TooEarly(wait) => (StatusCode::TOO_MANY_REQUESTS, wait),
                ContactChangeError::SendLimit => (StatusCode::TOO_MANY_REQUESTS, 0),
                _ => (StatusCode::CONFLICT, 0),
            };
            again(&app, &f, status, false, (error_key(&e), wait)).await
        }
    }
}

pub async fn confirm(State(app): State<Ctx>, f: SignedInForm) -> Result<Response, PageError> {
    let code = f.form.get("code").unwrap_or("");
    match contacts::confirm(&app, &f.session.account_id, code).await {
        Ok(_) => Ok(Redirect::to("/account/contacts").into_response()),
        Err(e @ (ContactChangeError::Store(_) | ContactChangeError::Cache(_))) => {
            Err(PageError::internal(&e))
        }
        Err(e) => {
            let waiting = matches!(e, ContactChangeError::WrongCode);
            again(
                &app,
                &f,
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
    f: SignedInForm,
) -> Result<Response, PageError> {
    let addresses = Addresses {
        registration: f.form.get("registration").unwrap_or(""),
        residence: f.form.get("residence").unwrap_or(""),
    };
    match contacts::save_addresses(&app, &f.session.account_id, addresses).await? {
        AddressChange::Saved => Ok(Redirect::to("/account/contacts").into_response()),
        AddressChange::TooLong => {
            again(
                &app,
                &f,
                StatusCode::BAD_REQUEST,
                false,
                ("contacts.address_too_long", 0),
            )
            .await
        }
    }
}
