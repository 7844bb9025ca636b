//! «Вход с подтверждением»: the page that asks for the second factor after the password (or for
//! a step-up of a low session), and its submission.

use super::csrf;
use super::extract::{CsrfForm, Language};
use super::i18n::{Lang, Tr};
use super::login::{start_session, tr_with_lock};
use super::meta::ClientMeta;
use super::page_error::PageError;
use super::pages::{error_page_tr, with_cookie};
use super::{cookies, render};
use crate::authn::channels::Channel;
use crate::authn::lockout::Attempt;
use crate::authn::second_factor::{self as step, Attempted, PendingStep, Refusal, StepError};
use crate::authn::sms_otp::OtpError;
use crate::ctx::Ctx;
use askama::Template;
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
    /// The login code goes by push or e-mail (the person's choice, authn::channels): said instead.
    channel_note: Option<&'static str>,
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

/// Parks a login that needs a second factor and sends the browser to the second-step page; when
/// SMS is the only way, the code is sent right away (with an app too, only when the person asks). (The answer as it is, for the OIDC surface.)
pub async fn ask(app: &Ctx, lang: Lang, pending: PendingStep, ip: &str) -> Response {
    begin(app, pending, ip)
        .await
        .unwrap_or_else(|e| e.in_lang(lang).into_response())
}

/// The same for a page handler.
pub async fn begin(app: &Ctx, pending: PendingStep, ip: &str) -> Result<Response, PageError> {
    let methods = step::methods(app, &pending.account_id).await?;
    let id = step::begin(app, &pending).await?;
    if methods.sms && !methods.totp {
        match step::send_sms(app, &id, ip).await {
            Ok(()) | Err(StepError::Sms(_)) => {}
            Err(e) => return Err(PageError::internal(&e)),
        }
    }
    let mut res = Redirect::to("/login/second-factor").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(step::COOKIE, &id, None, app.config.issuer_is_https()),
    );
    Ok(res)
}

async fn show(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    pending: &PendingStep,
    notice: Option<Notice>,
) -> Result<Response, PageError> {
    let methods = step::methods(app, &pending.account_id).await?;
    let sms_to = if methods.sms {
        crate::authn::sms_otp::confirmed_phone(app, &pending.account_id)
            .await?
            .map(|p| p.masked())
            .unwrap_or_default()
    } else {
        String::new()
    };
    let channel_note = match crate::authn::channels::chosen(app, &pending.account_id).await? {
        Channel::Push if methods.sms => Some("channels.code_by_push"),
        Channel::Email if methods.sms => Some("channels.code_by_email"),
        _ => None,
    };
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    let status = notice.as_ref().map_or(StatusCode::OK, |n| n.status);
    Ok(with_cookie(
        render(
            status,
            &SecondFactorPage {
                t: Tr::new(lang),
                csrf,
                totp: methods.totp,
                recovery: methods.recovery,
                sms_to,
                channel_note,
                wait: notice.as_ref().map_or(0, |n| n.wait),
                notice: notice.map(|n| n.key),
            },
        ),
        cookie,
    ))
}

/// «Время на подтверждение входа истекло»: nothing is pending under this browser's id.
fn expired(lang: Lang) -> PageError {
    PageError::page(lang, StatusCode::BAD_REQUEST, "second.expired")
}

pub async fn page(
    State(app): State<Ctx>,
    Language(lang): Language,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let id = cookies::get(&headers, step::COOKIE);
    let Some(p) = step::load(&app, id.as_deref()).await? else {
        return Err(expired(lang));
    };
    // «Новый код отправлен» left by the resend POST just before (Post/Redirect/Get).
    let flash = super::flash::take(&app, &headers);
    let notice = flash
        .as_ref()
        .filter(|(m, _)| m == "second.sms_sent")
        .and_then(|_| Notice::new("second.sms_sent", StatusCode::OK));
    let mut res = show(&app, &headers, lang, &p, notice).await?;
    if let Some((_, spent)) = flash {
        res.headers_mut().append(header::SET_COOKIE, spent);
    }
    Ok(res)
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
    CsrfForm {
        form: p,
        lang,
        headers,
    }: CsrfForm,
) -> Result<Response, PageError> {
    let Some(id) = cookies::get(&headers, step::COOKIE) else {
        return Err(expired(lang));
    };
    let who = Attempt {
        ip: &meta.ip,
        user_agent: &meta.user_agent,
    };
    let method = p.get("method").unwrap_or("totp");
    let code = p.get("code").unwrap_or("");
    let attempted = step::attempt(&app, &id, method, code, who)
        .await
        .map_err(|e| PageError::internal(&e))?;
    let done = match attempted {
        Attempted::Done(done) => done,
        Attempted::Locked => return Ok(locked(&app, lang)),
        Attempted::Expired => return Err(expired(lang)),
        Attempted::TooManyAttempts => {
            let mut res =
                PageError::page(lang, StatusCode::BAD_REQUEST, "second.too_many").into_response();
            res.headers_mut()
                .append(header::SET_COOKIE, clear_cookie(&app));
            return Ok(res);
        }
        Attempted::Refused(refusal, pending) => {
            let key = match refusal {
                Refusal::Reused => "second.reused",
                Refusal::WrongRecoveryCode => "second.recovery_wrong",
                Refusal::Wrong => "second.wrong",
                Refusal::SmsExpired => "second.sms_expired",
            };
            let notice = Notice::new(key, StatusCode::UNAUTHORIZED);
            return show(&app, &headers, lang, &pending, notice).await;
        }
    };
    let mut res = match &done.pending.tx {
        Some(tx) => Redirect::to(&format!("/authorize/continue?tx={tx}")).into_response(),
        None => Redirect::to("/account").into_response(),
    };
    let cookie = start_session(
        &app,
        &headers,
        &meta,
        &done.pending.account_id,
        done.acr,
        &done.amr.iter().map(String::as_str).collect::<Vec<_>>(),
        done.pending.persistent,
    )
    .await?;
    res.headers_mut().append(header::SET_COOKIE, cookie);
    res.headers_mut()
        .append(header::SET_COOKIE, clear_cookie(&app));
    Ok(res)
}

/// «Отправить код ещё раз»: a new SMS code, unless the cooldown or a send limit forbids it.
pub async fn resend(
    State(app): State<Ctx>,
    meta: ClientMeta,
    CsrfForm { lang, headers, .. }: CsrfForm,
) -> Result<Response, PageError> {
    let id = cookies::get(&headers, step::COOKIE);
    let Some(pending) = step::load(&app, id.as_deref()).await? else {
        return Err(expired(lang));
    };
    let id = id.unwrap_or_default();
    let notice = match step::send_sms(&app, &id, &meta.ip).await {
        Ok(()) => {
            return Ok(super::flash::redirect(
                &app,
                "/login/second-factor",
                "second.sms_sent",
            ));
        }
        Err(StepError::Sms(OtpError::TooEarly(wait))) => Some(Notice {
            key: "second.sms_too_early",
            status: StatusCode::TOO_MANY_REQUESTS,
            wait,
        }),
        Err(StepError::Sms(OtpError::SendLimit)) => {
            Notice::new("second.sms_limit", StatusCode::TOO_MANY_REQUESTS)
        }
        Err(e) => return Err(PageError::internal(&e)),
    };
    show(&app, &headers, lang, &pending, notice).await
}
