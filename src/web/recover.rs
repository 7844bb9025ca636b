//! «Восстановить пароль» pages: who → code (or the e-mail link) → the second factor when two-step
//! sign-in is on (identity/recovery explains which) → new password → signed in.

use super::extract::CsrfForm;
use super::i18n::{Lang, Tr};
use super::meta::ClientMeta;
use super::page_error::PageError;
use super::pages::with_cookie;
use super::{csrf, render};
use crate::authn;
use crate::authn::lockout::Attempt;
use crate::ctx::Ctx;
use crate::identity::recovery::{self, RecoveryError, SecondStep, Stage, Who};
use crate::web::params::Params;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "recover.html")]
struct RecoverPage {
    t: Tr,
    csrf: String,
    step: &'static str,
    rid: String,
    error_key: &'static str,
    /// Seconds until another code may be sent (with the cooldown message).
    wait: i64,
    second: SecondView,
}

/// The second step's choices, as the page shows them.
#[derive(Default)]
struct SecondView {
    totp: bool,
    recovery_codes: bool,
    /// Masked phone or e-mail the second code went to; empty when none.
    code_to: String,
    code_by_sms: bool,
}

impl SecondView {
    fn of(s: &SecondStep) -> SecondView {
        let to = s.code_contact();
        SecondView {
            totp: s.totp,
            recovery_codes: s.recovery_codes,
            code_to: to.as_ref().map(|c| c.masked()).unwrap_or_default(),
            code_by_sms: matches!(to, Some(crate::identity::Contact::Phone(_))),
        }
    }

    fn any(&self) -> bool {
        self.totp || self.recovery_codes || !self.code_to.is_empty()
    }
}

fn page(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    step: &'static str,
    rid: &str,
    status: StatusCode,
    error_key: &'static str,
) -> Response {
    full_page(
        app,
        headers,
        lang,
        (step, rid),
        status,
        (error_key, 0),
        SecondView::default(),
    )
}

fn full_page(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    (step, rid): (&'static str, &str),
    status: StatusCode,
    (error_key, wait): (&'static str, i64),
    second: SecondView,
) -> Response {
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    with_cookie(
        render(
            status,
            &RecoverPage {
                t: Tr::new(lang),
                csrf,
                step,
                rid: rid.to_string(),
                error_key,
                wait,
                second,
            },
        ),
        cookie,
    )
}

fn error_key(e: &RecoveryError) -> (StatusCode, &'static str) {
    match e {
        RecoveryError::BadInput => (StatusCode::BAD_REQUEST, "recover.bad_input"),
        RecoveryError::UnknownOrExpired => (StatusCode::BAD_REQUEST, "recover.expired"),
        RecoveryError::WrongCode => (StatusCode::BAD_REQUEST, "recover.wrong_code"),
        RecoveryError::Reused => (StatusCode::BAD_REQUEST, "second.reused"),
        RecoveryError::TooEarly(_) => (StatusCode::TOO_MANY_REQUESTS, "codes.too_early"),
        RecoveryError::SendLimit => (StatusCode::TOO_MANY_REQUESTS, "codes.limit"),
        RecoveryError::TooManyAttempts => (StatusCode::BAD_REQUEST, "recover.too_many"),
        RecoveryError::NotConfirmed => (StatusCode::BAD_REQUEST, "recover.expired"),
        RecoveryError::Policy(p) => (StatusCode::BAD_REQUEST, super::register::policy_key(p)),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "error.internal"),
    }
}

fn query(q: Option<String>) -> Params {
    Params::from_query(q.as_deref()).unwrap_or_default()
}

pub async fn start_page(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let lang = meta.lang(query(q).get("lang"));
    page(&app, &headers, lang, "start", "", StatusCode::OK, "")
}

/// The cooldown a refusal names (seconds), else 0.
fn wait_of(e: &RecoveryError) -> i64 {
    if let RecoveryError::TooEarly(w) = e {
        *w
    } else {
        0
    }
}

pub async fn start(
    State(app): State<Ctx>,
    meta: ClientMeta,
    CsrfForm {
        form: p,
        lang,
        headers,
    }: CsrfForm,
) -> Result<Response, PageError> {
    let login = p.get("login").unwrap_or("").trim();
    let who = if login.is_empty() {
        Who::Passport {
            series: p.get("series").unwrap_or(""),
            number: p.get("number").unwrap_or(""),
        }
    } else {
        Who::Login(login)
    };
    let e = match recovery::start(&app, who, &meta.ip).await {
        Ok(rid) => return Ok(Redirect::to(&format!("/recover/code?rid={rid}")).into_response()),
        Err(e @ (RecoveryError::Store(_) | RecoveryError::Cache(_))) => {
            return Err(PageError::internal(&e));
        }
        Err(e) => e,
    };
    let (status, key) = error_key(&e);
    Ok(full_page(
        &app,
        &headers,
        lang,
        ("start", ""),
        status,
        (key, wait_of(&e)),
        SecondView::default(),
    ))
}

pub async fn code_page(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let p = query(q);
    let lang = meta.lang(p.get("lang"));
    let rid = p.get("rid").unwrap_or("");
    page(&app, &headers, lang, "code", rid, StatusCode::OK, "")
}

pub async fn code(
    State(app): State<Ctx>,
    meta: ClientMeta,
    CsrfForm {
        form: p,
        lang,
        headers,
    }: CsrfForm,
) -> Result<Response, PageError> {
    let rid = p.get("rid").unwrap_or("");
    let result = recovery::confirm(&app, rid, p.get("code").unwrap_or(""), &meta.ip).await;
    confirmed(&app, &headers, lang, rid, result)
}

/// The e-mail link: the same check as a code, then the password form.
pub async fn link(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = query(q);
    let lang = meta.lang(p.get("lang"));
    let rid = p.get("rid").unwrap_or("");
    let result = recovery::confirm(&app, rid, p.get("token").unwrap_or(""), &meta.ip).await;
    confirmed(&app, &headers, lang, rid, result)
}

fn confirmed(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    rid: &str,
    result: Result<Stage, RecoveryError>,
) -> Result<Response, PageError> {
    Ok(match result {
        Ok(Stage::Second(_)) => Redirect::to(&format!("/recover/second?rid={rid}")).into_response(),
        Ok(_) => Redirect::to(&format!("/recover/password?rid={rid}")).into_response(),
        Err(e @ (RecoveryError::Store(_) | RecoveryError::Cache(_))) => {
            return Err(PageError::internal(&e));
        }
        Err(e) => {
            let (status, key) = error_key(&e);
            page(app, headers, lang, "code", rid, status, key)
        }
    })
}

pub async fn password_page(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = query(q);
    let lang = meta.lang(p.get("lang"));
    let rid = p.get("rid").unwrap_or("");
    let stage = recovery::current_stage(&app, rid).await;
    if matches!(stage, Ok(Stage::Password)) {
        return Ok(page(
            &app,
            &headers,
            lang,
            "password",
            rid,
            StatusCode::OK,
            "",
        ));
    }
    stage_page(&app, &headers, lang, rid, stage)
}

/// The page of a recovery's current stage other than the password one (GET of either step).
fn stage_page(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    rid: &str,
    stage: Result<Stage, RecoveryError>,
) -> Result<Response, PageError> {
    Ok(match stage {
        Ok(Stage::Second(s)) => second_page(app, headers, lang, rid, StatusCode::OK, ("", 0), &s),
        Ok(Stage::Password) => {
            Redirect::to(&format!("/recover/password?rid={rid}")).into_response()
        }
        Ok(Stage::Code) => page(app, headers, lang, "code", rid, StatusCode::OK, ""),
        Err(e @ (RecoveryError::Store(_) | RecoveryError::Cache(_))) => {
            return Err(PageError::internal(&e));
        }
        Err(e) => {
            let (status, key) = error_key(&e);
            page(app, headers, lang, "start", "", status, key)
        }
    })
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
    let rid = p.get("rid").unwrap_or("");
    let result = recovery::complete(
        &app,
        rid,
        p.get("password").unwrap_or(""),
        p.get("password2").unwrap_or(""),
    )
    .await;
    let account_id = match result {
        Ok(a) => a,
        Err(e @ (RecoveryError::Store(_) | RecoveryError::Cache(_) | RecoveryError::Hash(_))) => {
            return Err(PageError::internal(&e));
        }
        Err(e) => {
            let (status, key) = error_key(&e);
            let step = if matches!(e, RecoveryError::Policy(_)) {
                "password"
            } else {
                "start"
            };
            return Ok(page(&app, &headers, lang, step, rid, status, key));
        }
    };
    let cookie = super::login::start_session(
        &app,
        &headers,
        &meta,
        &account_id,
        authn::ACR_LOW,
        &["pwd"],
        true,
    )
    .await?;
    let mut res = Redirect::to("/account?recovered=1").into_response();
    res.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(res)
}

fn second_page(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    rid: &str,
    status: StatusCode,
    error: (&'static str, i64),
    second: &SecondStep,
) -> Response {
    let view = SecondView::of(second);
    // Nothing independent to prove it with: only the service centre can confirm the recovery.
    let step = if view.any() { "second" } else { "centre" };
    full_page(app, headers, lang, (step, rid), status, error, view)
}

/// The second step's page (GET /recover/second).
pub async fn second_form(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = query(q);
    let lang = meta.lang(p.get("lang"));
    let rid = p.get("rid").unwrap_or("");
    let stage = recovery::current_stage(&app, rid).await;
    stage_page(&app, &headers, lang, rid, stage)
}

/// The second factor submitted (POST /recover/second): method totp, recovery or code.
pub async fn second(
    State(app): State<Ctx>,
    meta: ClientMeta,
    CsrfForm {
        form: p,
        lang,
        headers,
    }: CsrfForm,
) -> Result<Response, PageError> {
    let rid = p.get("rid").unwrap_or("");
    let who = Attempt {
        ip: &meta.ip,
        user_agent: &meta.user_agent,
    };
    let result = recovery::confirm_second(
        &app,
        rid,
        p.get("method").unwrap_or(""),
        p.get("code").unwrap_or(""),
        who,
    )
    .await;
    second_result(&app, &headers, lang, rid, result).await
}

/// «Отправить код ещё раз» on the second step (POST /recover/second/send).
pub async fn second_send(
    State(app): State<Ctx>,
    meta: ClientMeta,
    CsrfForm {
        form: p,
        lang,
        headers,
    }: CsrfForm,
) -> Result<Response, PageError> {
    let rid = p.get("rid").unwrap_or("");
    match recovery::send_second_code(&app, rid, &meta.ip).await {
        Ok(()) => Ok(Redirect::to(&format!("/recover/second?rid={rid}")).into_response()),
        Err(e) => second_result(&app, &headers, lang, rid, Err(e)).await,
    }
}

async fn second_result(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    rid: &str,
    result: Result<(), RecoveryError>,
) -> Result<Response, PageError> {
    let e = match result {
        Ok(()) => {
            return Ok(Redirect::to(&format!("/recover/password?rid={rid}")).into_response());
        }
        Err(e @ (RecoveryError::Store(_) | RecoveryError::Cache(_))) => {
            return Err(PageError::internal(&e));
        }
        Err(e) => e,
    };
    let (status, key) = error_key(&e);
    let wait = wait_of(&e);
    Ok(match recovery::current_stage(app, rid).await {
        Ok(Stage::Second(s)) => second_page(app, headers, lang, rid, status, (key, wait), &s),
        Ok(_) => page(app, headers, lang, "start", "", status, key),
        Err(_) => page(app, headers, lang, "start", "", status, key),
    })
}
