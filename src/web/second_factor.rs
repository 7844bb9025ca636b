//! «Вход с подтверждением»: the page that asks for the second factor after the password (or for
//! a step-up of a low session), and its submission.

use super::csrf;
use super::i18n::{Lang, Tr};
use super::login::{start_session, tr_with_lock};
use super::meta::ClientMeta;
use super::pages::{error_page, error_page_tr, internal_error, with_cookie};
use super::{cookies, render};
use crate::authn::lockout::{self, Attempt};
use crate::authn::second_factor::{self as step, PendingStep, StepError};
use crate::authn::sms_otp::OtpError;
use crate::authn::totp::TotpError;
use crate::ctx::Ctx;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondFactorPage {
    t: Tr,
    csrf: String,
    totp: bool,
    recovery: bool,
    /// The masked phone SMS codes go to; empty when SMS two-step login is off.
    sms_to: String,
    notice: Option<&'static str>,
    /// Seconds to wait before another code may be sent (shown with the notice).
    wait: i64,
}

/// A remark on the page and the status it is shown with.
struct Notice {
    key: &'static str,
    status: StatusCode,
    wait: i64,
}

impl Notice {
    fn new(key: &'static str, status: StatusCode) -> Option<Notice> {
        Some(Notice {
            key,
            status,
            wait: 0,
        })
    }
}

/// Parks a login that needs a second factor and sends the browser to the second-step page; with
/// SMS two-step login on, the code is sent right away.
pub async fn ask(app: &Ctx, lang: Lang, pending: PendingStep, ip: &str) -> Response {
    let methods = match step::methods(app, &pending.account_id).await {
        Ok(m) => m,
        Err(e) => return internal_error(lang, &e),
    };
    match step::begin(app, &pending).await {
        Ok(id) => {
            if methods.sms {
                match step::send_sms(app, &id, ip).await {
                    Ok(()) | Err(StepError::Sms(_)) => {}
                    Err(e) => return internal_error(lang, &e),
                }
            }
            let mut res = Redirect::to("/login/second-factor").into_response();
            res.headers_mut().append(
                header::SET_COOKIE,
                cookies::set(step::COOKIE, &id, None, app.config.issuer_is_https()),
            );
            res
        }
        Err(e) => internal_error(lang, &e),
    }
}

async fn show(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    pending: &PendingStep,
    notice: Option<Notice>,
) -> Response {
    let methods = match step::methods(app, &pending.account_id).await {
        Ok(m) => m,
        Err(e) => return internal_error(lang, &e),
    };
    let sms_to = if methods.sms {
        match crate::authn::sms_otp::confirmed_phone(app, &pending.account_id).await {
            Ok(p) => p.map(|p| p.masked()).unwrap_or_default(),
            Err(e) => return internal_error(lang, &e),
        }
    } else {
        String::new()
    };
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    let status = notice.as_ref().map_or(StatusCode::OK, |n| n.status);
    with_cookie(
        render(
            status,
            &SecondFactorPage {
                t: Tr::new(lang),
                csrf,
                totp: methods.totp,
                recovery: methods.recovery,
                sms_to,
                wait: notice.as_ref().map_or(0, |n| n.wait),
                notice: notice.map(|n| n.key),
            },
        ),
        cookie,
    )
}

pub async fn page(State(app): State<Ctx>, meta: ClientMeta, headers: HeaderMap) -> Response {
    let lang = meta.lang(None);
    let id = cookies::get(&headers, step::COOKIE);
    match step::load(&app, id.as_deref()).await {
        Ok(Some(p)) => {
            // «Новый код отправлен» left by the resend POST just before (Post/Redirect/Get).
            let flash = super::flash::take(&app, &headers);
            let notice = flash
                .as_ref()
                .filter(|(m, _)| m == "second.sms_sent")
                .and_then(|_| Notice::new("second.sms_sent", StatusCode::OK));
            let mut res = show(&app, &headers, lang, &p, notice).await;
            if let Some((_, spent)) = flash {
                res.headers_mut().append(header::SET_COOKIE, spent);
            }
            res
        }
        Ok(None) => error_page(lang, StatusCode::BAD_REQUEST, "second.expired"),
        Err(e) => internal_error(lang, &e),
    }
}

/// The login-history method of a second-step attempt.
fn history(method: &str) -> &'static str {
    match method {
        "recovery" => "recovery",
        "sms" => "sms",
        _ => "otp",
    }
}

/// «Вход временно заблокирован»: the login ends here, whatever code comes next.
fn locked(app: &Ctx, lang: Lang) -> Response {
    let mut res = error_page_tr(
        tr_with_lock(app, lang),
        StatusCode::FORBIDDEN,
        "login.locked",
    );
    res.headers_mut()
        .append(header::SET_COOKIE, clear_cookie(app));
    res
}

fn clear_cookie(app: &Ctx) -> HeaderValue {
    cookies::set(step::COOKIE, "", Some(0), app.config.issuer_is_https())
}

pub async fn submit(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (p, lang) = match super::checked_form(&meta, &headers, &body) {
        Ok(x) => x,
        Err(page) => return page,
    };
    let Some(id) = cookies::get(&headers, step::COOKIE) else {
        return error_page(lang, StatusCode::BAD_REQUEST, "second.expired");
    };
    let who = Attempt {
        ip: &meta.ip,
        user_agent: &meta.user_agent,
    };
    let method = p.get("method").unwrap_or("totp");
    let code = p.get("code").unwrap_or("");
    let pending = match step::load(&app, Some(&id)).await {
        Ok(Some(p)) => p,
        Ok(None) => return error_page(lang, StatusCode::BAD_REQUEST, "second.expired"),
        Err(e) => return internal_error(lang, &e),
    };
    // A locked account answers no code, right or wrong: the lock covers the second step too.
    match lockout::locked_until(&app, &pending.account_id).await {
        Ok(None) => {}
        Ok(Some(_)) => {
            if let Err(e) = lockout::record(
                &app,
                Some(&pending.account_id),
                who,
                history(method),
                "locked",
            )
            .await
            {
                return internal_error(lang, &e);
            }
            return locked(&app, lang);
        }
        Err(e) => return internal_error(lang, &e),
    }
    let result = if method == "sms" {
        step::complete_with_sms(&app, &id, code).await
    } else {
        step::complete_with_code(&app, &id, method, code).await
    };
    let done = match result {
        Ok(done) => done,
        Err(e) => {
            // A code that was checked and did not match is a guess: it counts toward the lock.
            let guessed = matches!(
                e,
                StepError::Totp(TotpError::Wrong | TotpError::Reused)
                    | StepError::Sms(OtpError::Wrong)
            );
            if guessed
                && let Err(e) =
                    lockout::factor_failed(&app, &pending.account_id, who, history(method)).await
            {
                return internal_error(lang, &e);
            }
            let notice = match e {
                StepError::NotPending => {
                    return error_page(lang, StatusCode::BAD_REQUEST, "second.expired");
                }
                StepError::TooManyAttempts | StepError::Sms(OtpError::TooManyAttempts) => {
                    let mut res = error_page(lang, StatusCode::BAD_REQUEST, "second.too_many");
                    res.headers_mut()
                        .append(header::SET_COOKIE, clear_cookie(&app));
                    return res;
                }
                StepError::Totp(TotpError::Reused) => "second.reused",
                StepError::Totp(TotpError::Wrong) if method == "recovery" => {
                    "second.recovery_wrong"
                }
                StepError::Totp(TotpError::Wrong) | StepError::Sms(OtpError::Wrong) => {
                    "second.wrong"
                }
                StepError::Sms(OtpError::Expired) => "second.sms_expired",
                other => return internal_error(lang, &other),
            };
            // The guess that crossed the limit locked the account: say so instead of «wrong code».
            match lockout::locked_until(&app, &pending.account_id).await {
                Ok(None) => {}
                Ok(Some(_)) => {
                    return locked(&app, lang);
                }
                Err(e) => return internal_error(lang, &e),
            }
            let notice = Notice::new(notice, StatusCode::UNAUTHORIZED);
            return show(&app, &headers, lang, &pending, notice).await;
        }
    };
    if let Err(e) =
        crate::authn::alerts::login_succeeded(&app, &done.pending.account_id, who, done.method)
            .await
    {
        return internal_error(lang, &e);
    }
    let mut res = match &done.pending.tx {
        Some(tx) => Redirect::to(&format!("/authorize/continue?tx={tx}")).into_response(),
        None => Redirect::to("/account").into_response(),
    };
    match start_session(
        &app,
        &headers,
        &meta,
        &done.pending.account_id,
        done.acr,
        &done.amr.iter().map(String::as_str).collect::<Vec<_>>(),
        done.pending.persistent,
    )
    .await
    {
        Ok(cookie) => {
            res.headers_mut().append(header::SET_COOKIE, cookie);
            res.headers_mut()
                .append(header::SET_COOKIE, clear_cookie(&app));
            res
        }
        Err(e) => internal_error(lang, &e),
    }
}

/// «Отправить код ещё раз»: a new SMS code, unless the cooldown or a send limit forbids it.
pub async fn resend(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (_, lang) = match super::checked_form(&meta, &headers, &body) {
        Ok(x) => x,
        Err(page) => return page,
    };
    let id = cookies::get(&headers, step::COOKIE);
    let pending = match step::load(&app, id.as_deref()).await {
        Ok(Some(p)) => p,
        Ok(None) => return error_page(lang, StatusCode::BAD_REQUEST, "second.expired"),
        Err(e) => return internal_error(lang, &e),
    };
    let id = id.unwrap_or_default();
    let notice = match step::send_sms(&app, &id, &meta.ip).await {
        Ok(()) => return super::flash::redirect(&app, "/login/second-factor", "second.sms_sent"),
        Err(StepError::Sms(OtpError::TooEarly(wait))) => Some(Notice {
            key: "second.sms_too_early",
            status: StatusCode::TOO_MANY_REQUESTS,
            wait,
        }),
        Err(StepError::Sms(OtpError::SendLimit)) => {
            Notice::new("second.sms_limit", StatusCode::TOO_MANY_REQUESTS)
        }
        Err(e) => return internal_error(lang, &e),
    };
    show(&app, &headers, lang, &pending, notice).await
}
