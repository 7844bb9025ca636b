//! /account/security: second factors (authenticator app, recovery codes). Every form needs a
//! live session and a CSRF token.

use super::csrf;
use super::i18n::{Lang, Tr};
use super::meta::ClientMeta;
use super::pages::{internal_error, with_cookie};
use super::security_activity::{self, Activity};
use super::{cookies, render};
use crate::authn::session;
use crate::authn::sms_otp::{self, OtpError};
use crate::authn::totp::{self, Enrolment, TotpError};
use crate::ctx::Ctx;
use crate::store::sessions::SessionRow;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "security.html")]
struct SecurityPage {
    t: Tr,
    csrf: String,
    totp_on: bool,
    recovery_left: i64,
    /// An enrolment in progress: the secret for typing in and its QR code (SVG markup we render).
    enrol: Option<Enrolment>,
    /// Recovery codes, shown once right after they were made.
    codes: Vec<String>,
    notice: Option<&'static str>,
    success: Option<&'static str>,
    /// Masked confirmed phone; empty when the account has none.
    phone: String,
    sms_on: bool,
    /// Waiting for the SMS code that turns two-step login on.
    sms_enrol: bool,
    wait: i64,
    activity: Activity,
}

#[derive(Default)]
struct View {
    sms_enrol: bool,
    wait: i64,
    enrol: Option<Enrolment>,
    codes: Vec<String>,
    notice: Option<&'static str>,
    success: Option<&'static str>,
}

/// The signed-in person's session, or the response to give instead (to the login page).
async fn signed_in(app: &Ctx, headers: &HeaderMap, lang: Lang) -> Result<SessionRow, Response> {
    let sid = cookies::get(headers, session::COOKIE);
    match session::current(app, sid.as_deref()).await {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err(Redirect::to("/login").into_response()),
        Err(e) => Err(internal_error(lang, &e)),
    }
}

async fn show(app: &Ctx, headers: &HeaderMap, lang: Lang, s: &SessionRow, view: View) -> Response {
    let (totp_on, recovery_left) = match (
        totp::has_totp(app, &s.account_id).await,
        app.store.recovery_codes_left(&s.account_id).await,
    ) {
        (Ok(t), Ok(r)) => (t, r),
        (Err(e), _) | (_, Err(e)) => return internal_error(lang, &e),
    };
    let (phone, choices) = match (
        sms_otp::confirmed_phone(app, &s.account_id).await,
        app.store.security_choices(&s.account_id).await,
    ) {
        (Ok(p), Ok(c)) => (p.map(|p| p.masked()).unwrap_or_default(), c),
        (Err(e), _) | (_, Err(e)) => return internal_error(lang, &e),
    };
    let activity = match security_activity::load(app, &Tr::new(lang), s).await {
        Ok(a) => a,
        Err(e) => return internal_error(lang, &e),
    };
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    let status = if view.notice.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    with_cookie(
        render(
            status,
            &SecurityPage {
                t: Tr::new(lang),
                csrf,
                totp_on,
                recovery_left,
                enrol: view.enrol,
                codes: view.codes,
                notice: view.notice,
                success: view.success,
                sms_on: choices.sms_two_step && !phone.is_empty(),
                phone,
                sms_enrol: view.sms_enrol,
                wait: view.wait,
                activity,
            },
        ),
        cookie,
    )
}

/// Success texts a POST of this page may leave for the next GET (anything else is ignored).
const DONE: [&str; 4] = [
    "security.totp_enabled",
    "security.totp_removed",
    "security.sms_enabled",
    "security.sms_disabled",
];

fn codes_key(s: &SessionRow) -> String {
    format!("security-codes:{}", s.id_hash)
}

/// After a successful change: 303 back to the page, which then says `done` once.
fn done(app: &Ctx, done: &'static str) -> Response {
    super::flash::redirect(app, "/account/security", done)
}

/// GET /account/security, also the page every successful POST of it redirects to: `?step=totp`
/// (app enrolment in progress) or `?step=sms` (waiting for the SMS code) continue a step; new
/// recovery codes are shown once, taken from the cache.
pub async fn page(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Response {
    let lang = meta.lang(None);
    let s = match signed_in(&app, &headers, lang).await {
        Ok(s) => s,
        Err(res) => return res,
    };
    let q = crate::web::params::Params::from_query(q.as_deref()).unwrap_or_default();
    let mut view = View::default();
    match q.get("step") {
        Some("totp") => {
            let label = account_label(&app, &s.account_id).await;
            match totp::pending_view(&app, &s.account_id, &label).await {
                Ok(enrol) => view.enrol = enrol,
                Err(e) => return internal_error(lang, &e),
            }
        }
        Some("sms") => view.sms_enrol = true,
        _ => {}
    }
    match app.cache.take_json::<Vec<String>>(&codes_key(&s)).await {
        Ok(codes) => view.codes = codes.unwrap_or_default(),
        Err(e) => return internal_error(lang, &e),
    }
    let flash = super::flash::take(&app, &headers);
    view.success = flash
        .as_ref()
        .and_then(|(m, _)| DONE.iter().find(|k| **k == m.as_str()).copied());
    let mut res = show(&app, &headers, lang, &s, view).await;
    if let Some((_, spent)) = flash {
        res.headers_mut()
            .append(axum::http::header::SET_COOKIE, spent);
    }
    res
}

/// The label an authenticator app shows next to the codes: the person's first login identifier.
async fn account_label(app: &Ctx, account_id: &str) -> String {
    app.store
        .identifiers(account_id)
        .await
        .ok()
        .and_then(|ids| ids.into_iter().next())
        .map(|i| i.value)
        .unwrap_or_else(|| account_id.to_string())
}

/// After a change: back to the page (303), or to the login page when this session was ended.
pub(super) fn redirect_back(logged_out: bool) -> Response {
    if logged_out {
        Redirect::to("/login").into_response()
    } else {
        Redirect::to("/account/security").into_response()
    }
}

/// The session and form of a POST to this page, or the response to give instead.
pub(super) async fn post_context(
    app: &Ctx,
    meta: &ClientMeta,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(SessionRow, crate::web::params::Params, Lang), Response> {
    let (p, lang) = super::checked_form(meta, headers, body)?;
    let s = signed_in(app, headers, lang).await?;
    Ok((s, p, lang))
}

pub async fn totp_start(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (s, _, lang) = match post_context(&app, &meta, &headers, &body).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let label = account_label(&app, &s.account_id).await;
    match totp::start_enrolment(&app, &s.account_id, &label).await {
        Ok(_) => Redirect::to("/account/security?step=totp").into_response(),
        Err(e) => internal_error(lang, &e),
    }
}

pub async fn totp_confirm(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (s, p, lang) = match post_context(&app, &meta, &headers, &body).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let code = p.get("code").unwrap_or("");
    let view = match totp::confirm_enrolment(&app, &s.account_id, code).await {
        Ok(codes) => {
            // Shown once by the page the browser is sent to, then gone from the cache.
            if let Err(e) = app.cache.put_json(&codes_key(&s), &codes, 300).await {
                return internal_error(lang, &e);
            }
            return done(&app, "security.totp_enabled");
        }
        Err(TotpError::Wrong) => {
            let label = account_label(&app, &s.account_id).await;
            match totp::pending_view(&app, &s.account_id, &label).await {
                Ok(enrol) => View {
                    enrol,
                    notice: Some("security.totp_wrong"),
                    ..View::default()
                },
                Err(e) => return internal_error(lang, &e),
            }
        }
        Err(TotpError::NoEnrolment) => View {
            notice: Some("security.totp_expired"),
            ..View::default()
        },
        Err(e) => return internal_error(lang, &e),
    };
    show(&app, &headers, lang, &s, view).await
}

/// Turning a second factor off needs a session that proved one (not a password-only session).
fn proved_second_factor(s: &SessionRow) -> bool {
    crate::authn::acr_rank(&s.acr) >= crate::authn::acr_rank(crate::authn::ACR_SUBSTANTIAL)
}

pub async fn totp_remove(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (s, _, lang) = match post_context(&app, &meta, &headers, &body).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    if !proved_second_factor(&s) {
        let view = View {
            notice: Some("security.needs_second_factor"),
            ..View::default()
        };
        return show(&app, &headers, lang, &s, view).await;
    }
    if let Err(e) = app.store.delete_totp(&s.account_id).await {
        return internal_error(lang, &e);
    }
    if let Err(e) = app.store.replace_recovery_codes(&s.account_id, &[]).await {
        return internal_error(lang, &e);
    }
    tracing::info!(account = %s.account_id, "authenticator app removed");
    done(&app, "security.totp_removed")
}

/// «Включить»: sends a code to the confirmed phone; entering it turns two-step login on.
pub async fn sms_start(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (s, _, lang) = match post_context(&app, &meta, &headers, &body).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let phone = match sms_otp::confirmed_phone(&app, &s.account_id).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            let view = View {
                notice: Some("security.sms_no_phone"),
                ..View::default()
            };
            return show(&app, &headers, lang, &s, view).await;
        }
        Err(e) => return internal_error(lang, &e),
    };
    let view = match sms_otp::send(&app, "enable", &s.account_id, &phone, &meta.ip).await {
        Ok(()) => return Redirect::to("/account/security?step=sms").into_response(),
        Err(OtpError::TooEarly(wait)) => View {
            sms_enrol: true,
            wait,
            notice: Some("second.sms_too_early"),
            ..View::default()
        },
        Err(OtpError::SendLimit) => View {
            notice: Some("second.sms_limit"),
            ..View::default()
        },
        Err(e) => return internal_error(lang, &e),
    };
    show(&app, &headers, lang, &s, view).await
}

pub async fn sms_confirm(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (s, p, lang) = match post_context(&app, &meta, &headers, &body).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let code = p.get("code").unwrap_or("");
    let view = match sms_otp::verify(&app, "enable", &s.account_id, code).await {
        Ok(()) => {
            let mut choices = match app.store.security_choices(&s.account_id).await {
                Ok(c) => c,
                Err(e) => return internal_error(lang, &e),
            };
            choices.sms_two_step = true;
            if let Err(e) = app.store.set_security_choices(&s.account_id, choices).await {
                return internal_error(lang, &e);
            }
            tracing::info!(account = %s.account_id, "two-step login by SMS turned on");
            return done(&app, "security.sms_enabled");
        }
        Err(OtpError::Wrong) => View {
            sms_enrol: true,
            notice: Some("second.wrong"),
            ..View::default()
        },
        Err(OtpError::Expired) => View {
            notice: Some("second.sms_expired"),
            ..View::default()
        },
        Err(OtpError::TooManyAttempts) => View {
            notice: Some("second.too_many_codes"),
            ..View::default()
        },
        Err(e) => return internal_error(lang, &e),
    };
    show(&app, &headers, lang, &s, view).await
}

pub async fn sms_off(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (s, _, lang) = match post_context(&app, &meta, &headers, &body).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    if !proved_second_factor(&s) {
        let view = View {
            notice: Some("security.needs_second_factor"),
            ..View::default()
        };
        return show(&app, &headers, lang, &s, view).await;
    }
    let mut choices = match app.store.security_choices(&s.account_id).await {
        Ok(c) => c,
        Err(e) => return internal_error(lang, &e),
    };
    choices.sms_two_step = false;
    if let Err(e) = app.store.set_security_choices(&s.account_id, choices).await {
        return internal_error(lang, &e);
    }
    done(&app, "security.sms_disabled")
}
