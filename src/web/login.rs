//! Login and logout pages. One form for phone and e-mail; one generic error; «Чужой компьютер»
//! makes the session cookie die with the browser.

use super::csrf;
use super::extract::{self, CsrfForm, Language};
use super::i18n::{Lang, Tr};
use super::meta::ClientMeta;
use super::page_error::PageError;
use super::pages::with_cookie;
use super::{cookies, render};
use crate::authn::challenge::ChallengeError;
use crate::authn::lockout::{self, Attempt};
use crate::authn::login_tx::{self as authz, AuthRequest};
use crate::authn::password::{LoginError, Proof};
use crate::authn::{self, session};
use crate::ctx::Ctx;
use crate::web::params::Params;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    csrf: String,
    tx: String,
    login: String,
    failed: bool,
    client_name: Option<String>,
    /// Why the last attempt was refused other than a wrong password (i18n key).
    notice: Option<&'static str>,
    /// A proof-of-work challenge the page script must solve; empty when none is required.
    pow: String,
    /// Without JavaScript: «подождите N секунд и нажмите «Войти»» (with a challenge only).
    wait_text: String,
    /// «Войти с ключом доступа» is offered only when the issuer can be a WebAuthn relying party.
    passkeys: bool,
}

/// How the login page is shown: after a refusal, and whether a proof of work is required.
#[derive(Default)]
struct Outcome {
    failed: bool,
    notice: Option<&'static str>,
    challenge: bool,
    /// The challenge to show again (sent back before its waiting period ended) and the seconds left.
    again: Option<(String, i64)>,
}

/// «подождите 15 секунд и нажмите «Войти»»: the way through the check without JavaScript.
fn wait_text(t: &Tr, secs: i64) -> String {
    t.f("login.pow_nojs", &[("seconds", secs.into())])
}

/// The translator of pages that may say «заблокирован на 30 минут» (login.locked's `$minutes`).
pub(super) fn tr_with_lock(app: &Ctx, lang: Lang) -> Tr {
    Tr::new(lang).with("minutes", app.config.login.lock_secs / 60)
}

fn login_page(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    tx: Option<(&str, &AuthRequest)>,
    login: String,
    outcome: Outcome,
) -> Response {
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    let status = match outcome.notice {
        Some("login.locked") => StatusCode::FORBIDDEN,
        Some(_) => StatusCode::BAD_REQUEST,
        None if outcome.failed => StatusCode::UNAUTHORIZED,
        None => StatusCode::OK,
    };
    let failed = outcome.failed;
    let t = tr_with_lock(app, lang);
    let (pow, wait) = match outcome.again {
        Some(again) => again,
        None if outcome.challenge => (authn::challenge::issue(app), app.config.login.pow_wait_secs),
        None => (String::new(), 0),
    };
    let wait_text = if pow.is_empty() {
        String::new()
    } else {
        wait_text(&t, wait.max(1))
    };
    with_cookie(
        render(
            status,
            &LoginPage {
                t,
                csrf,
                tx: tx.map(|(id, _)| id.to_string()).unwrap_or_default(),
                login,
                failed,
                client_name: tx.map(|(_, r)| r.client_name.clone()),
                notice: outcome.notice,
                pow,
                wait_text,
                passkeys: app.passkeys_available(),
            },
        ),
        cookie,
    )
}

/// Loads the pending authorization named by `tx`: Ok(None) when no tx was given, an error page
/// when it was given but is unknown or expired.
pub async fn load_tx(
    app: &Ctx,
    tx: Option<&str>,
    lang: Lang,
) -> Result<Option<AuthRequest>, PageError> {
    let Some(id) = tx else {
        return Ok(None);
    };
    match authz::load_tx(app, id).await? {
        Some(r) => Ok(Some(r)),
        None => Err(PageError::page(
            lang,
            StatusCode::BAD_REQUEST,
            "error.tx_expired",
        )),
    }
}

pub async fn page(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = Params::from_query(q.as_deref()).map_err(|_| extract::bad_request(&meta))?;
    let lang = meta.lang(p.get("lang"));
    let req = load_tx(&app, p.get("tx"), lang).await?;
    let lang = req.as_ref().map(|r| r.lang).unwrap_or(lang);
    let login = req
        .as_ref()
        .and_then(|r| r.login_hint.clone())
        .unwrap_or_default();
    let tx = p.get("tx").zip(req.as_ref());
    // Only a login hint can call for the check before anything was typed: the decision belongs
    // to the login identifier, not to the address the page is fetched from.
    let challenge = !login.is_empty()
        && lockout::challenge_required(&app, &lockout::login_key(&login), &meta.ip).await?;
    Ok(login_page(
        &app,
        &headers,
        lang,
        tx,
        login,
        Outcome {
            challenge,
            ..Outcome::default()
        },
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
    let req = load_tx(&app, p.get("tx"), lang).await?;
    let login = p.get("login").unwrap_or("").trim().to_string();
    let password = p.get("password").unwrap_or("");
    let who = Attempt {
        ip: &meta.ip,
        user_agent: &meta.user_agent,
    };
    let proof = Proof {
        challenge: p.get("pow_challenge"),
        solution: p.get("pow_solution"),
    };
    let refused = |outcome: Outcome| {
        let tx = p.get("tx").zip(req.as_ref());
        Ok(login_page(&app, &headers, lang, tx, login.clone(), outcome))
    };
    let found = match authn::password::login(&app, &login, password, proof, who).await {
        Ok(found) => found,
        Err(LoginError::Invalid { challenge_next }) => {
            tracing::info!(ip = %meta.ip, "password login failed");
            return refused(Outcome {
                failed: true,
                notice: None,
                challenge: challenge_next,
                again: None,
            });
        }
        Err(LoginError::Challenge(e)) => {
            tracing::info!(ip = %meta.ip, reason = %e, "password login without a valid challenge");
            // Sent back too early: the same challenge again, with the seconds still to wait.
            let again = match (e, p.get("pow_challenge")) {
                (ChallengeError::TooEarly(left), Some(c)) => Some((c.to_string(), left)),
                _ => None,
            };
            return refused(Outcome {
                failed: false,
                notice: Some(match e {
                    ChallengeError::Missing | ChallengeError::TooEarly(_) => "login.pow_required",
                    _ => "login.pow_failed",
                }),
                challenge: true,
                again,
            });
        }
        Err(LoginError::Locked) => {
            tracing::info!(ip = %meta.ip, "password login refused: account locked");
            return refused(Outcome {
                failed: false,
                notice: Some("login.locked"),
                challenge: true,
                again: None,
            });
        }
        Err(LoginError::Store(e)) => return Err(e.into()),
        Err(LoginError::Cache(e)) => return Err(e.into()),
    };
    let persistent = p.get("foreign") != Some("on");
    let account = found.account;
    if authn::second_factor::methods_of(&app, &account.id, found.factors)
        .await?
        .any()
    {
        let pending = authn::second_factor::PendingStep {
            account_id: account.id.clone(),
            tx: p.get("tx").filter(|_| req.is_some()).map(str::to_owned),
            persistent,
            step_up: false,
            base_amr: vec!["pwd".into()],
        };
        return super::second_factor::begin(&app, pending, &meta.ip).await;
    }
    authn::alerts::login_succeeded(&app, &account.id, who, "pwd").await?;
    let mut res = match p.get("tx").filter(|_| req.is_some()) {
        Some(tx) => Redirect::to(&format!("/authorize/continue?tx={tx}")).into_response(),
        None => Redirect::to("/account").into_response(),
    };
    let cookie = start_session(
        &app,
        &headers,
        &meta,
        &account.id,
        authn::ACR_LOW,
        &authn::AMR_PASSWORD,
        persistent,
    )
    .await?;
    res.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(res)
}

/// Ends any session this browser had (a new id at every login) and starts a new one
/// (authn::session::sign_in); the cookie that carries it.
pub async fn start_session(
    app: &Ctx,
    headers: &HeaderMap,
    meta: &ClientMeta,
    account_id: &str,
    acr: &str,
    amr: &[&str],
    persistent: bool,
) -> Result<axum::http::HeaderValue, crate::store::StoreError> {
    let previous = cookies::get(headers, session::COOKIE);
    let (id, _) = session::sign_in(
        app,
        previous.as_deref(),
        session::Authenticated {
            account_id,
            acr,
            amr,
            persistent,
            user_agent: &meta.user_agent,
            ip: &meta.ip,
        },
    )
    .await?;
    super::visitor::forget();
    let max_age = persistent.then_some(app.config.session.ttl);
    Ok(cookies::set(
        session::COOKIE,
        &id,
        max_age,
        app.config.issuer_is_https(),
    ))
}

#[derive(Template)]
#[template(path = "logout.html")]
struct LogoutPage {
    t: Tr,
    csrf: String,
    done: bool,
}

pub async fn logout_page(State(app): State<Ctx>, meta: ClientMeta, headers: HeaderMap) -> Response {
    let (csrf, cookie) = csrf::token(&headers, app.config.issuer_is_https());
    with_cookie(
        render(
            StatusCode::OK,
            &LogoutPage {
                t: Tr::new(meta.lang(None)),
                csrf,
                done: false,
            },
        ),
        cookie,
    )
}

pub async fn logout(
    State(app): State<Ctx>,
    Language(lang): Language,
    CsrfForm { headers, .. }: CsrfForm,
) -> Result<Response, PageError> {
    let sid = cookies::get(&headers, session::COOKIE);
    if let Some(row) = session::current(&app, sid.as_deref()).await? {
        authn::logout::end_session(&app, &row).await?;
        super::visitor::forget();
    }
    let mut res = logged_out_page(lang);
    res.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(session::COOKIE, "", Some(0), app.config.issuer_is_https()),
    );
    Ok(res)
}

/// «Вы вышли из учётной записи».
pub fn logged_out_page(lang: Lang) -> Response {
    render(
        StatusCode::OK,
        &LogoutPage {
            t: Tr::new(lang),
            csrf: String::new(),
            done: true,
        },
    )
}
