//! /account/security: second factors (authenticator app, recovery codes). Every form needs a
//! live session and a CSRF token.

use super::csrf;
use super::extract::{Language, SignedIn, SignedInForm};
use super::i18n::{Lang, Tr};
use super::meta::ClientMeta;
use super::page_error::PageError;
use super::pages::with_cookie;
use super::render;
use super::security_activity::{self, Activity};
use crate::authn::factor_settings::{self, Change};
use crate::authn::sms_otp::{self, OtpError};
use crate::authn::totp::{self, Enrolment, TotpError};
use crate::ctx::Ctx;
use crate::store::sessions::SessionRow;
use askama::Template;
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

async fn show(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    s: &SessionRow,
    view: View,
) -> Result<Response, PageError> {
    let totp_on = totp::has_totp(app, &s.account_id).await?;
    let recovery_left = app.store.recovery_codes_left(&s.account_id).await?;
    let phone = sms_otp::confirmed_phone(app, &s.account_id)
        .await?
        .map(|p| p.masked())
        .unwrap_or_default();
    let choices = app.store.security_choices(&s.account_id).await?;
    let zone = app.store.account_zone(&s.account_id).await?;
    let activity = security_activity::load(app, &Tr::new(lang).in_zone(zone), s).await?;
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    let status = if view.notice.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(with_cookie(
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
    ))
}

/// The page again with a notice (400) or a step in progress.
async fn again(app: &Ctx, f: &SignedInForm, view: View) -> Result<Response, PageError> {
    show(app, &f.headers, f.lang, &f.session, view).await
}

fn notice(key: &'static str) -> View {
    View {
        notice: Some(key),
        ..View::default()
    }
}

/// Success texts a POST of this page may leave for the next GET (anything else is ignored).
const DONE: [&str; 5] = [
    "security.codes_renewed",
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
    Language(lang): Language,
    SignedIn(s): SignedIn,
    headers: HeaderMap,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Result<Response, PageError> {
    let q = crate::web::params::Params::from_query(q.as_deref()).unwrap_or_default();
    let mut view = View::default();
    match q.get("step") {
        Some("totp") => {
            let label = account_label(&app, &s.account_id).await;
            view.enrol = totp::pending_view(&app, &s.account_id, &label).await?;
        }
        Some("sms") => view.sms_enrol = true,
        _ => {}
    }
    view.codes = app
        .cache
        .take_json::<Vec<String>>(&codes_key(&s))
        .await?
        .unwrap_or_default();
    let flash = super::flash::take(&app, &headers);
    view.success = flash
        .as_ref()
        .and_then(|(m, _)| DONE.iter().find(|k| **k == m.as_str()).copied());
    let mut res = show(&app, &headers, lang, &s, view).await?;
    if let Some((_, spent)) = flash {
        res.headers_mut()
            .append(axum::http::header::SET_COOKIE, spent);
    }
    Ok(res)
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

pub async fn totp_start(State(app): State<Ctx>, f: SignedInForm) -> Result<Response, PageError> {
    let label = account_label(&app, &f.session.account_id).await;
    totp::start_enrolment(&app, &f.session.account_id, &label).await?;
    Ok(Redirect::to("/account/security?step=totp").into_response())
}

pub async fn totp_confirm(State(app): State<Ctx>, f: SignedInForm) -> Result<Response, PageError> {
    let account = &f.session.account_id;
    let code = f.form.get("code").unwrap_or("");
    let view = match totp::confirm_enrolment(&app, account, code).await {
        Ok(codes) => {
            // Shown once by the page the browser is sent to, then gone from the cache.
            app.cache
                .put_json(&codes_key(&f.session), &codes, 300)
                .await?;
            return Ok(done(&app, "security.totp_enabled"));
        }
        Err(TotpError::Wrong) => {
            let label = account_label(&app, account).await;
            View {
                enrol: totp::pending_view(&app, account, &label).await?,
                notice: Some("security.totp_wrong"),
                ..View::default()
            }
        }
        Err(TotpError::NoEnrolment) => notice("security.totp_expired"),
        Err(e) => return Err(PageError::internal(&e)),
    };
    again(&app, &f, view).await
}

/// «Выпустить новые коды»: the old recovery codes stop working, the new ones are shown once.
/// Needs a sign-in with the second factor, as removing the app does.
pub async fn recovery_renew(
    State(app): State<Ctx>,
    f: SignedInForm,
) -> Result<Response, PageError> {
    let account = &f.session.account_id;
    if !factor_settings::proved_second_factor(&f.session) || !totp::has_totp(&app, account).await? {
        return again(&app, &f, notice("security.needs_second_factor")).await;
    }
    let codes = totp::new_recovery_codes(&app, account)
        .await
        .map_err(|e| PageError::internal(&e))?;
    app.cache
        .put_json(&codes_key(&f.session), &codes, 300)
        .await?;
    Ok(done(&app, "security.codes_renewed"))
}

pub async fn totp_remove(State(app): State<Ctx>, f: SignedInForm) -> Result<Response, PageError> {
    match factor_settings::remove_totp(&app, &f.session).await? {
        Change::Done => Ok(done(&app, "security.totp_removed")),
        Change::NeedsSecondFactor => again(&app, &f, notice("security.needs_second_factor")).await,
    }
}

/// «Включить»: sends a code to the confirmed phone; entering it turns two-step login on.
pub async fn sms_start(
    State(app): State<Ctx>,
    meta: ClientMeta,
    f: SignedInForm,
) -> Result<Response, PageError> {
    let account = &f.session.account_id;
    let Some(phone) = sms_otp::confirmed_phone(&app, account).await? else {
        return again(&app, &f, notice("security.sms_no_phone")).await;
    };
    let view = match sms_otp::send(&app, "enable", account, &phone, &meta.ip, None).await {
        Ok(()) => return Ok(Redirect::to("/account/security?step=sms").into_response()),
        Err(OtpError::TooEarly(wait)) => View {
            sms_enrol: true,
            wait,
            notice: Some("second.sms_too_early"),
            ..View::default()
        },
        Err(OtpError::SendLimit) => notice("second.sms_limit"),
        Err(e) => return Err(PageError::internal(&e)),
    };
    again(&app, &f, view).await
}

pub async fn sms_confirm(State(app): State<Ctx>, f: SignedInForm) -> Result<Response, PageError> {
    let code = f.form.get("code").unwrap_or("");
    let view = match sms_otp::verify(&app, "enable", &f.session.account_id, code).await {
        Ok(()) => {
            factor_settings::set_sms_two_step(&app, &f.session, true).await?;
            return Ok(done(&app, "security.sms_enabled"));
        }
        Err(OtpError::Wrong) => View {
            sms_enrol: true,
            notice: Some("second.wrong"),
            ..View::default()
        },
        Err(OtpError::Expired) => notice("second.sms_expired"),
        Err(OtpError::TooManyAttempts) => notice("second.too_many_codes"),
        Err(e) => return Err(PageError::internal(&e)),
    };
    again(&app, &f, view).await
}

pub async fn sms_off(State(app): State<Ctx>, f: SignedInForm) -> Result<Response, PageError> {
    match factor_settings::set_sms_two_step(&app, &f.session, false).await? {
        Change::Done => Ok(done(&app, "security.sms_disabled")),
        Change::NeedsSecondFactor => again(&app, &f, notice("security.needs_second_factor")).await,
    }
}

#[cfg(test)]
mod compat_tests {
    //! Recovery codes shown once, kept between the page that makes them and the one that
    //! confirms them (`crate::cache::compat`).

    use crate::cache::compat::reads_across_releases;

    #[test]
    fn recovery_codes_shown_once_read_across_releases() {
        let codes: Vec<String> = reads_across_releases(r#"["48213-90577","13064-72918"]"#);
        assert_eq!(codes, ["48213-90577", "13064-72918"]);
    }
}
