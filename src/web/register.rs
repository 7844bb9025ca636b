//! Registration pages (REQUIREMENTS §2): form → code or link → password → account page (or back to
//! the portal that sent the person here).

use super::csrf;
use super::extract::{self, CsrfForm};
use super::i18n::{Lang, Tr};
use super::login::{load_tx, start_session};
use super::meta::ClientMeta;
use super::page_error::PageError;
use super::pages::with_cookie;
use super::render;
use crate::authn;
use crate::ctx::Ctx;
use crate::identity::Contact;
use crate::identity::contact::ContactError;
use crate::identity::password_policy::PolicyError;
use crate::identity::registration::{self as reg, RegError, RegistrationForm};
use crate::web::params::Params;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    t: Tr,
    csrf: String,
    tx: String,
    surname: String,
    name: String,
    contact: String,
    terms_version: String,
    privacy_version: String,
    error: Option<&'static str>,
    /// Seconds until another code may be sent (with the cooldown message).
    wait: i64,
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    t: Tr,
    csrf: String,
    reg: String,
    is_phone: bool,
    masked: String,
    error: Option<&'static str>,
    remaining: u32,
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    t: Tr,
    csrf: String,
    reg: String,
    error: Option<&'static str>,
}

/// The query of a page, or 400.
fn query(meta: &ClientMeta, q: Option<String>) -> Result<Params, PageError> {
    Params::from_query(q.as_deref()).map_err(|_| extract::bad_request(meta))
}

fn expired(lang: Lang) -> PageError {
    PageError::page(lang, StatusCode::BAD_REQUEST, "confirm.expired")
}

fn too_many(lang: Lang) -> PageError {
    PageError::page(lang, StatusCode::TOO_MANY_REQUESTS, "confirm.too_many")
}

#[allow(clippy::too_many_arguments)]
fn register_page(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    status: StatusCode,
    tx: &str,
    fields: (&str, &str, &str),
    error: Option<(&'static str, i64)>,
) -> Response {
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    with_cookie(
        render(
            status,
            &RegisterPage {
                t: Tr::new(lang),
                csrf,
                tx: tx.to_string(),
                surname: fields.0.to_string(),
                name: fields.1.to_string(),
                contact: fields.2.to_string(),
                terms_version: app.config.registration.terms_version.clone(),
                privacy_version: app.config.registration.privacy_version.clone(),
                error: error.map(|e| e.0),
                wait: error.map_or(0, |e| e.1),
            },
        ),
        cookie,
    )
}

pub async fn page(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = query(&meta, q)?;
    let lang = meta.lang(p.get("lang"));
    let tx = match load_tx(&app, p.get("tx"), lang).await? {
        Some(_) => p.get("tx").unwrap_or(""),
        None => "",
    };
    Ok(register_page(
        &app,
        &headers,
        lang,
        StatusCode::OK,
        tx,
        ("", "", ""),
        None,
    ))
}

pub async fn submit(
    State(app): State<Ctx>,
    meta: ClientMeta,
    CsrfForm {
        form: p,
        lang,
        headers,
    }: CsrfForm,
) -> Result<Response, PageError> {
    let tx = match load_tx(&app, p.get("tx"), lang).await? {
        Some(_) => p.get("tx"),
        None => None,
    };
    let fields = (
        p.get("surname").unwrap_or(""),
        p.get("name").unwrap_or(""),
        p.get("contact").unwrap_or(""),
    );
    let form = RegistrationForm {
        surname: fields.0,
        given_name: fields.1,
        contact: fields.2,
    };
    let e = match reg::start(&app, form, tx.map(str::to_owned), lang, &meta.ip).await {
        // The same answer whether or not the contact is registered already (reg::start).
        Ok(id) => {
            return Ok(
                Redirect::to(&format!("/register/confirm?reg={id}&lang={}", lang.code()))
                    .into_response(),
            );
        }
        Err(e) => e,
    };
    let (status, key, wait) = match e {
        RegError::Surname(_) => (StatusCode::BAD_REQUEST, "register.bad_surname", 0),
        RegError::GivenName(_) => (StatusCode::BAD_REQUEST, "register.bad_name", 0),
        RegError::Contact(ContactError::BadPhone) => {
            (StatusCode::BAD_REQUEST, "register.bad_phone", 0)
        }
        RegError::Contact(ContactError::NotMobile) => {
            (StatusCode::BAD_REQUEST, "register.not_mobile", 0)
        }
        RegError::Contact(ContactError::BadEmail) => {
            (StatusCode::BAD_REQUEST, "register.bad_email", 0)
        }
        RegError::TooEarly(wait) => (StatusCode::TOO_MANY_REQUESTS, "codes.too_early", wait),
        RegError::SendLimit => (StatusCode::TOO_MANY_REQUESTS, "codes.limit", 0),
        other => return Err(PageError::internal(&other)),
    };
    Ok(register_page(
        &app,
        &headers,
        lang,
        status,
        tx.unwrap_or(""),
        fields,
        Some((key, wait)),
    ))
}

fn confirm_page(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    status: StatusCode,
    reg_id: &str,
    contact: &Contact,
    error: Option<(&'static str, u32)>,
) -> Response {
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    with_cookie(
        render(
            status,
            &ConfirmPage {
                t: Tr::new(lang),
                csrf,
                reg: reg_id.to_string(),
                is_phone: matches!(contact, Contact::Phone(_)),
                masked: contact.masked(),
                error: error.map(|e| e.0),
                remaining: error.map(|e| e.1).unwrap_or(0),
            },
        ),
        cookie,
    )
}

pub async fn confirm_page_get(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    reg_id: &str,
) -> Result<Response, PageError> {
    match reg::pending(app, reg_id).await {
        Ok(p) if p.confirmed => Ok(password_redirect(reg_id, lang)),
        Ok(p) => Ok(confirm_page(
            app,
            headers,
            lang,
            StatusCode::OK,
            reg_id,
            &p.contact(),
            None,
        )),
        Err(RegError::UnknownOrExpired) => Err(expired(lang)),
        Err(e) => Err(PageError::internal(&e)),
    }
}

pub async fn confirm_form(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = query(&meta, q)?;
    let lang = meta.lang(p.get("lang"));
    confirm_page_get(&app, &headers, lang, p.get("reg").unwrap_or("")).await
}

fn password_redirect(reg_id: &str, lang: Lang) -> Response {
    Redirect::to(&format!(
        "/register/password?reg={reg_id}&lang={}",
        lang.code()
    ))
    .into_response()
}

pub async fn confirm(
    State(app): State<Ctx>,
    CsrfForm {
        form: p,
        lang,
        headers,
    }: CsrfForm,
) -> Result<Response, PageError> {
    let reg_id = p.get("reg").unwrap_or("");
    match reg::confirm(&app, reg_id, p.get("code").unwrap_or("")).await {
        Ok(_) => Ok(password_redirect(reg_id, lang)),
        Err(RegError::WrongCode { remaining }) => match reg::pending(&app, reg_id).await {
            Ok(pending) => Ok(confirm_page(
                &app,
                &headers,
                lang,
                StatusCode::BAD_REQUEST,
                reg_id,
                &pending.contact(),
                Some(("confirm.wrong", remaining)),
            )),
            Err(_) => Err(expired(lang)),
        },
        Err(RegError::TooManyAttempts) => Err(too_many(lang)),
        Err(RegError::UnknownOrExpired) => Err(expired(lang)),
        Err(e) => Err(PageError::internal(&e)),
    }
}

/// The e-mail link: GET confirms (the token in it is the secret) and moves on to the password.
pub async fn verify_link(
    State(app): State<Ctx>,
    meta: ClientMeta,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = query(&meta, q)?;
    let lang = meta.lang(p.get("lang"));
    let reg_id = p.get("reg").unwrap_or("");
    match reg::confirm(&app, reg_id, p.get("token").unwrap_or("")).await {
        Ok(_) => Ok(password_redirect(reg_id, lang)),
        Err(RegError::TooManyAttempts) => Err(too_many(lang)),
        Err(RegError::UnknownOrExpired | RegError::WrongCode { .. }) => Err(expired(lang)),
        Err(e) => Err(PageError::internal(&e)),
    }
}

fn password_form(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    status: StatusCode,
    reg_id: &str,
    error: Option<&'static str>,
) -> Response {
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    with_cookie(
        render(
            status,
            &PasswordPage {
                t: Tr::new(lang),
                csrf,
                reg: reg_id.to_string(),
                error,
            },
        ),
        cookie,
    )
}

pub async fn password_page(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = query(&meta, q)?;
    let lang = meta.lang(p.get("lang"));
    let reg_id = p.get("reg").unwrap_or("");
    match reg::pending(&app, reg_id).await {
        Ok(pending) if pending.confirmed => Ok(password_form(
            &app,
            &headers,
            lang,
            StatusCode::OK,
            reg_id,
            None,
        )),
        Ok(_) => confirm_page_get(&app, &headers, lang, reg_id).await,
        Err(RegError::UnknownOrExpired) => Err(expired(lang)),
        Err(e) => Err(PageError::internal(&e)),
    }
}

pub async fn set_password(
    State(app): State<Ctx>,
    meta: ClientMeta,
    CsrfForm {
        form: p,
        lang,
        headers,
    }: CsrfForm,
) -> Result<Response, PageError> {
    let reg_id = p.get("reg").unwrap_or("");
    let result = reg::complete(
        &app,
        reg_id,
        p.get("password").unwrap_or(""),
        p.get("password2").unwrap_or(""),
    )
    .await;
    let (account, tx) = match result {
        Ok(done) => done,
        Err(RegError::Policy(e)) => {
            return Ok(password_form(
                &app,
                &headers,
                lang,
                StatusCode::BAD_REQUEST,
                reg_id,
                Some(policy_key(&e)),
            ));
        }
        Err(RegError::NotConfirmed) => return confirm_page_get(&app, &headers, lang, reg_id).await,
        Err(RegError::UnknownOrExpired) => return Err(expired(lang)),
        Err(RegError::ContactTaken) => {
            return Err(PageError::page(
                lang,
                StatusCode::CONFLICT,
                "register.taken_phone",
            ));
        }
        Err(e) => return Err(PageError::internal(&e)),
    };
    tracing::info!(account = %account.id, "account registered");
    let cookie = start_session(
        &app,
        &headers,
        &meta,
        &account.id,
        authn::ACR_LOW,
        &["pwd"],
        true,
    )
    .await?;
    let target = match tx {
        Some(tx) => format!("/authorize/continue?tx={tx}"),
        None => format!("/account?registered=1&lang={}", lang.code()),
    };
    let mut res = Redirect::to(&target).into_response();
    res.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(res)
}
/// The page text naming why a new password was refused (registration, recovery).
pub fn policy_key(e: &PolicyError) -> &'static str {
    match e {
        PolicyError::TooShort => "password.too_short",
        PolicyError::TooLong => "password.too_long",
        PolicyError::MissingClass => "password.missing_class",
        PolicyError::Common => "password.common",
        PolicyError::Mismatch => "password.mismatch",
    }
}
