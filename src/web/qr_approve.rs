//! «Войти по QR-коду», the phone's side: a signed-in person opens the link of the QR code (or
//! types the code at /qr), sees which portal and which browser is asking, picks the number the
//! desktop shows and approves with a passkey (static/passkeys.js, `/qr/approve/passkey`) or with
//! the password and, when the account has one, an app code (`/qr/approve`) — or refuses.

use super::extract::{self, SignedIn, SignedInForm};
use super::i18n::{Lang, Tr};
use super::meta::ClientMeta;
use super::page_error::PageError;
use super::pages::with_cookie;
use super::params::Params;
use super::passkeys::{JsonAnswer, checked_json, json_error, passkey_error};
use super::{csrf, render};
use crate::authn::lockout::Attempt;
use crate::authn::password::{LoginError, Proof as PasswordProof};
use crate::authn::qr_login::{self as qr, ApproveError, Proof};
use crate::authn::webauthn as wa;
use crate::authn::{self, totp};
use crate::ctx::Ctx;
use crate::store::sessions::SessionRow;
use crate::types::AccountId;
use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Template)]
#[template(path = "qr_phone.html")]
struct PhonePage {
    t: Tr,
    csrf: String,
    /// Empty: the form to type a code.
    code: String,
    portal: String,
    device: String,
    ip: String,
    choices: [u32; 3],
    passkeys: bool,
    /// The account has an authenticator app: its code is asked with the password.
    totp: bool,
    notice: Option<&'static str>,
    done: bool,
}

struct Shown<'a> {
    code: &'a str,
    request: Option<&'a qr::QrRequest>,
    notice: Option<&'static str>,
    status: StatusCode,
    done: bool,
}

async fn show(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    session: &SessionRow,
    s: Shown<'_>,
) -> Result<Response, PageError> {
    let t = Tr::new(lang);
    let account = AccountId::from(session.account_id.as_str());
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    let r = s.request;
    let page = PhonePage {
        csrf,
        code: s.code.to_string(),
        portal: r
            .and_then(|r| r.client_name.clone())
            .unwrap_or_else(|| t.s("qr.portal_account")),
        device: r
            .and_then(|r| authn::device::describe(&r.user_agent))
            .unwrap_or_else(|| t.s("security.unknown_device")),
        ip: r.map(|r| r.ip.clone()).unwrap_or_default(),
        choices: r.map(|r| r.choices).unwrap_or_default(),
        passkeys: app.passkeys_available(),
        totp: totp::has_totp(app, &account).await?,
        notice: s.notice,
        done: s.done,
        t,
    };
    Ok(with_cookie(render(s.status, &page), cookie))
}

/// GET /qr?code=…: the request to approve; without a code, the form to type one.
pub async fn page(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    SignedIn(session): SignedIn,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = Params::from_query(q.as_deref()).map_err(|_| extract::bad_request(&meta))?;
    let lang = meta.lang(p.get("lang"));
    let typed = p.get("code").unwrap_or("");
    let Some(code) = qr::normalise_code(typed) else {
        let notice = (!typed.is_empty()).then_some("qr.not_requested");
        let status = match notice {
            Some(_) => StatusCode::NOT_FOUND,
            None => StatusCode::OK,
        };
        let shown = Shown {
            code: "",
            request: None,
            notice,
            status,
            done: false,
        };
        return show(&app, &headers, lang, &session, shown).await;
    };
    let Some(request) = qr::load(&app, &code).await? else {
        return Err(not_requested(lang));
    };
    let shown = Shown {
        code: &code,
        request: Some(&request),
        notice: None,
        status: StatusCode::OK,
        done: false,
    };
    show(&app, &headers, lang, &session, shown).await
}

fn not_requested(lang: Lang) -> PageError {
    PageError::page(lang, StatusCode::NOT_FOUND, "qr.not_requested")
}

/// A refused approval as a page (the request named by the code is gone or unchanged).
fn refused(lang: Lang, e: ApproveError) -> PageError {
    match e {
        ApproveError::NotRequested => not_requested(lang),
        ApproveError::WrongNumber => {
            PageError::page(lang, StatusCode::BAD_REQUEST, "qr.wrong_number")
        }
        ApproveError::TooWeak => PageError::page(lang, StatusCode::FORBIDDEN, "qr.too_weak"),
        ApproveError::AlreadyApproved => PageError::page(lang, StatusCode::CONFLICT, "qr.already"),
        ApproveError::Cache(e) => e.into(),
        ApproveError::Store(e) => e.into(),
    }
}

/// The signed-in account's login for the password check: its first confirmed phone or e-mail.
async fn login_of(app: &Ctx, account: &str) -> Result<Option<String>, PageError> {
    Ok(app
        .store
        .identifiers(account)
        .await?
        .into_iter()
        .find(|i| i.verified_at.is_some() && (i.kind == "phone" || i.kind == "email"))
        .map(|i| i.value))
}

/// POST /qr/approve: the number, the password and (with an app) its code.
pub async fn approve(
    State(app): State<Ctx>,
    meta: ClientMeta,
    f: SignedInForm,
) -> Result<Response, PageError> {
    let lang = f.lang;
    let code = f.form.get("code").unwrap_or("");
    let request = qr::load(&app, code)
        .await?
        .ok_or_else(|| not_requested(lang))?;
    let account = AccountId::from(f.session.account_id.as_str());
    let who = Attempt {
        ip: &meta.ip,
        user_agent: &meta.user_agent,
    };
    let again = |notice: &'static str, status: StatusCode| Shown {
        code,
        request: Some(&request),
        notice: Some(notice),
        status,
        done: false,
    };
    let Some(chosen) = f.form.get("number").and_then(|n| n.parse::<u32>().ok()) else {
        let shown = again("qr.pick_required", StatusCode::BAD_REQUEST);
        return show(&app, &f.headers, lang, &f.session, shown).await;
    };
    let Some(login) = login_of(&app, &f.session.account_id).await? else {
        return Err(PageError::page(lang, StatusCode::FORBIDDEN, "qr.too_weak"));
    };
    let password = f.form.get("password").unwrap_or("");
    match authn::password::login(&app, &login, password, PasswordProof::default(), who).await {
        Ok(found) if found.account.id == account => {}
        Ok(_) | Err(LoginError::Invalid { .. }) | Err(LoginError::Challenge(_)) => {
            let shown = again("qr.wrong_password", StatusCode::UNAUTHORIZED);
            return show(&app, &f.headers, lang, &f.session, shown).await;
        }
        Err(LoginError::Locked) => {
            return Err(PageError::page(lang, StatusCode::FORBIDDEN, "login.locked"));
        }
        Err(LoginError::Store(e)) => return Err(e.into()),
        Err(LoginError::Cache(e)) => return Err(e.into()),
    }
    let methods = authn::second_factor::methods(&app, &account).await?;
    let (acr, amr): (&str, &[&str]) = if methods.totp {
        let otp = f.form.get("otp").unwrap_or("");
        match totp::verify(&app, &account, otp).await {
            Ok(()) => (authn::ACR_SUBSTANTIAL, &authn::AMR_PASSWORD_OTP),
            Err(totp::TotpError::Store(e)) => return Err(e.into()),
            Err(totp::TotpError::Cache(e)) => return Err(e.into()),
            Err(_) => {
                qr::factor_failed(&app, &account, who).await?;
                let shown = again("qr.wrong_otp", StatusCode::UNAUTHORIZED);
                return show(&app, &f.headers, lang, &f.session, shown).await;
            }
        }
    } else if methods.any() {
        // SMS two-step sign-in is on: the password alone would undo it; a passkey will do.
        return Err(PageError::page(lang, StatusCode::FORBIDDEN, "qr.too_weak"));
    } else {
        (authn::ACR_LOW, &authn::AMR_PASSWORD)
    };
    qr::approve(&app, code, chosen, &account, Proof { acr, amr })
        .await
        .map_err(|e| refused(lang, e))?;
    let shown = Shown {
        code: "",
        request: None,
        notice: None,
        status: StatusCode::OK,
        done: true,
    };
    show(&app, &f.headers, lang, &f.session, shown).await
}

/// POST /qr/deny: «Это не я».
pub async fn deny(State(app): State<Ctx>, f: SignedInForm) -> Result<Response, PageError> {
    let account = AccountId::from(f.session.account_id.as_str());
    let code = f.form.get("code").unwrap_or("");
    qr::deny(&app, code, &account)
        .await
        .map_err(|e| refused(f.lang, e))?;
    Err(PageError::page(f.lang, StatusCode::OK, "qr.denied"))
}

#[derive(Deserialize)]
pub struct PasskeyApproval {
    ceremony: String,
    code: String,
    number: String,
    credential: Value,
}

/// POST /qr/approve/passkey (JSON from static/passkeys.js): the passkey must be the signed-in
/// person's own.
pub async fn approve_passkey(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> JsonAnswer {
    let (req, lang) = checked_json::<PasskeyApproval>(&meta, &headers, &body)?;
    let bad = |code: &str, key: &str, status: StatusCode| json_error(lang, status, code, key);
    let session = extract::signed_in(&app, &headers)
        .await
        .map_err(|_| bad("signed_out", "qr.signed_out", StatusCode::UNAUTHORIZED))?;
    let Ok(chosen) = req.number.parse::<u32>() else {
        return Err(bad(
            "pick_required",
            "qr.pick_required",
            StatusCode::BAD_REQUEST,
        ));
    };
    let credential = serde_json::from_value(req.credential)
        .map_err(|_| bad("bad_request", "error.bad_request", StatusCode::BAD_REQUEST))?;
    let proven = wa::finish_sign_in(&app, &req.ceremony, &credential)
        .await
        .map_err(|e| passkey_error(lang, &e))?;
    if proven != session.account_id {
        return Err(bad(
            "other_account",
            "qr.other_account",
            StatusCode::FORBIDDEN,
        ));
    }
    let account = AccountId::from(proven.as_str());
    let proof = Proof {
        acr: wa::ACR,
        amr: &wa::AMR,
    };
    match qr::approve(&app, &req.code, chosen, &account, proof).await {
        Ok(_) => {
            let done = format!("/qr/done?lang={}", lang.code());
            Ok(Json(json!({ "redirect": done })).into_response())
        }
        Err(ApproveError::Cache(e)) => Err(super::passkeys::internal_json(lang, &e)),
        Err(ApproveError::Store(e)) => Err(super::passkeys::internal_json(lang, &e)),
        Err(e) => {
            let (status, code, key) = match e {
                ApproveError::WrongNumber => {
                    (StatusCode::BAD_REQUEST, "wrong_number", "qr.wrong_number")
                }
                ApproveError::TooWeak => (StatusCode::FORBIDDEN, "too_weak", "qr.too_weak"),
                ApproveError::AlreadyApproved => (StatusCode::CONFLICT, "already", "qr.already"),
                _ => (StatusCode::NOT_FOUND, "not_requested", "qr.not_requested"),
            };
            Err(bad(code, key, status))
        }
    }
}

/// GET /qr/done: «Вход подтверждён — вернитесь к компьютеру».
pub async fn done(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    SignedIn(session): SignedIn,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = Params::from_query(q.as_deref()).unwrap_or_default();
    let shown = Shown {
        code: "",
        request: None,
        notice: None,
        status: StatusCode::OK,
        done: true,
    };
    show(&app, &headers, meta.lang(p.get("lang")), &session, shown).await
}
