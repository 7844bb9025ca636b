//! «Ключи доступа» settings page: list, name, remove and enrol passkeys. Enrolment is two JSON calls
//! made by /static/passkeys.js around `navigator.credentials.create`; both carry the CSRF token.

use super::csrf;
use super::extract::{Language, SignedIn, SignedInForm};
use super::i18n::{Lang, Tr};
use super::meta::ClientMeta;
use super::page_error::PageError;
use super::pages::with_cookie;
use super::{cookies, render};
use crate::authn::session;
use crate::authn::webauthn::{self as wa, PasskeyError};
use crate::ctx::Ctx;
use crate::store::sessions::SessionRow;
use crate::web::params::Params;
use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};

pub struct PasskeyView {
    pub id: String,
    pub name: String,
    pub created: String,
    pub last_used: Option<String>,
    pub flagged: bool,
}

#[derive(Template)]
#[template(path = "passkeys.html")]
struct PasskeysPage {
    t: Tr,
    csrf: String,
    passkeys: Vec<PasskeyView>,
    fresh: bool,
    notice: Option<&'static str>,
}

/// What a script call answers: JSON, or the JSON refusal (`{"error", "message"}`).
pub type JsonAnswer = Result<Response, Response>;

/// The session of a script call, or the JSON refusal «войдите снова».
async fn signed_in_json(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
) -> Result<SessionRow, Response> {
    let sid = cookies::get(headers, session::COOKIE);
    match session::current(app, sid.as_deref()).await {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err(json_error(
            lang,
            StatusCode::UNAUTHORIZED,
            "login_required",
            "passkeys.err_login_required",
        )),
        Err(e) => Err(internal_json(lang, &e)),
    }
}

pub async fn page(
    State(app): State<Ctx>,
    Language(lang): Language,
    SignedIn(s): SignedIn,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = Params::from_query(q.as_deref()).unwrap_or_default();
    let t = Tr::new(lang).in_zone(app.store.account_zone(&s.account_id).await?);
    let passkeys = app
        .store
        .passkeys_of(&s.account_id)
        .await?
        .into_iter()
        .map(|r| PasskeyView {
            id: r.id,
            name: r.name,
            created: t.datetime(r.created_at),
            last_used: r.last_used_at.map(|at| t.datetime(at)),
            flagged: r.flagged_at.is_some(),
        })
        .collect();
    let notice = match p.get("done") {
        Some("added") => Some("passkeys.added"),
        Some("renamed") => Some("passkeys.renamed"),
        Some("removed") => Some("passkeys.removed"),
        _ => None,
    };
    let (csrf, cookie) = csrf::token(&headers, app.config.issuer_is_https());
    Ok(with_cookie(
        render(
            StatusCode::OK,
            &PasskeysPage {
                t: Tr::new(lang),
                csrf,
                passkeys,
                fresh: wa::is_fresh_login(&app, s.auth_time),
                notice,
            },
        ),
        cookie,
    ))
}

/// A JSON refusal the script shows as is: `{"error": code, "message": words}`.
pub fn json_error(lang: Lang, status: StatusCode, code: &str, message_key: &str) -> Response {
    (
        status,
        Json(json!({ "error": code, "message": Tr::new(lang).s(message_key) })),
    )
        .into_response()
}

/// What a passkey refusal looks like to the script.
pub fn passkey_error(lang: Lang, e: &PasskeyError) -> Response {
    use PasskeyError::*;
    let (status, code, key) = match e {
        Unavailable => (
            StatusCode::NOT_FOUND,
            "passkeys_unavailable",
            "passkeys.err_unavailable",
        ),
        CeremonyExpired => (
            StatusCode::BAD_REQUEST,
            "ceremony_expired",
            "passkeys.err_expired",
        ),
        LoginTooOld => (
            StatusCode::FORBIDDEN,
            "login_too_old",
            "passkeys.err_login_too_old",
        ),
        Rejected(reason) => {
            tracing::info!(reason = %reason, "passkey response refused");
            (StatusCode::BAD_REQUEST, "rejected", "passkeys.err_rejected")
        }
        UnknownPasskey => (
            StatusCode::UNAUTHORIZED,
            "unknown_passkey",
            "passkeys.err_unknown",
        ),
        AlreadyRegistered => (
            StatusCode::CONFLICT,
            "already_registered",
            "passkeys.err_duplicate",
        ),
        PossibleClone | Flagged => (
            StatusCode::UNAUTHORIZED,
            "passkey_flagged",
            "passkeys.err_flagged",
        ),
        Store(e) => return internal_json(lang, e),
        Cache(e) => return internal_json(lang, e),
    };
    json_error(lang, status, code, key)
}

pub fn internal_json(lang: Lang, cause: &dyn std::fmt::Display) -> Response {
    let id = crate::request_id::current();
    tracing::error!(request_id = %id, error = %cause, "internal error");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(json!({
            "error": "internal",
            "message": format!("{} {id}", Tr::new(lang).s("error.internal")),
        })),
    )
        .into_response()
}

/// The JSON body of a script call, after the CSRF check (double submit: cookie vs `csrf` field).
// The error is the finished response; boxing it would buy nothing.
#[allow(clippy::result_large_err)]
pub fn checked_json<T: serde::de::DeserializeOwned>(
    meta: &ClientMeta,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(T, Lang), Response> {
    #[derive(Deserialize)]
    struct Envelope {
        csrf: Option<String>,
        lang: Option<String>,
    }
    let lang = meta.lang(None);
    let (Ok(env), Ok(req)) = (
        serde_json::from_slice::<Envelope>(body),
        serde_json::from_slice::<T>(body),
    ) else {
        return Err(json_error(
            lang,
            StatusCode::BAD_REQUEST,
            "bad_request",
            "error.bad_request",
        ));
    };
    let lang = meta.lang(env.lang.as_deref());
    if !csrf::verify(headers, env.csrf.as_deref()) {
        return Err(json_error(
            lang,
            StatusCode::FORBIDDEN,
            "csrf",
            "error.csrf",
        ));
    }
    Ok((req, lang))
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn enrol_start(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> JsonAnswer {
    let (_, lang) = checked_json::<Empty>(&meta, &headers, &body)?;
    let s = signed_in_json(&app, &headers, lang).await?;
    let (user_name, display_name) = person_names(&app, &s.account_id)
        .await
        .map_err(|e| internal_json(lang, &e))?;
    let (ceremony, options) =
        wa::start_enrolment(&app, &s.account_id, s.auth_time, &user_name, &display_name)
            .await
            .map_err(|e| passkey_error(lang, &e))?;
    Ok(Json(json!({ "ceremony": ceremony, "options": options })).into_response())
}

/// The account's first login identifier (shown by the authenticator's account picker) and full name.
async fn person_names(
    app: &Ctx,
    account_id: &str,
) -> Result<(String, String), crate::store::StoreError> {
    let account = app.store.account(account_id).await?;
    let ids = app.store.identifiers(account_id).await?;
    let display = account
        .map(|a| format!("{} {}", a.given_name, a.surname))
        .unwrap_or_default();
    let user = ids
        .first()
        .map(|i| i.value.clone())
        .unwrap_or_else(|| display.clone());
    Ok((user, display))
}

#[derive(Deserialize)]
pub struct EnrolFinish {
    ceremony: String,
    #[serde(default)]
    name: String,
    credential: Value,
}

pub async fn enrol_finish(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> JsonAnswer {
    let (req, lang) = checked_json::<EnrolFinish>(&meta, &headers, &body)?;
    let s = signed_in_json(&app, &headers, lang).await?;
    let credential = serde_json::from_value(req.credential).map_err(|_| {
        json_error(
            lang,
            StatusCode::BAD_REQUEST,
            "bad_request",
            "error.bad_request",
        )
    })?;
    wa::finish_enrolment(
        &app,
        &s.account_id,
        s.auth_time,
        &req.ceremony,
        &credential,
        &req.name,
    )
    .await
    .map_err(|e| passkey_error(lang, &e))?;
    Ok(Json(json!({ "redirect": "/account/passkeys?done=added" })).into_response())
}

/// POST /account/passkeys/rename (form): id, name.
pub async fn rename(State(app): State<Ctx>, f: SignedInForm) -> Result<Response, PageError> {
    change(app, f, true).await
}

/// POST /account/passkeys/remove (form): id.
pub async fn remove(State(app): State<Ctx>, f: SignedInForm) -> Result<Response, PageError> {
    change(app, f, false).await
}

async fn change(app: Ctx, f: SignedInForm, is_rename: bool) -> Result<Response, PageError> {
    let (s, lang) = (&f.session, f.lang);
    let id = f.form.get("id").unwrap_or("");
    let changed = if is_rename {
        let name = f.form.get("name").unwrap_or("");
        wa::rename(&app, &s.account_id, id, name).await?
    } else {
        wa::remove(&app, &s.account_id, id).await?
    };
    if !changed {
        return Err(PageError::page(
            lang,
            StatusCode::NOT_FOUND,
            "passkeys.err_unknown",
        ));
    }
    tracing::info!(account = %s.account_id, passkey = %id, renamed = is_rename, "passkey changed");
    let done = if is_rename { "renamed" } else { "removed" };
    Ok(Redirect::to(&format!(
        "/account/passkeys?done={done}&lang={}",
        lang.code()
    ))
    .into_response())
}

/// The page script: `navigator.credentials.create/get` with base64url ⇄ ArrayBuffer (CSP forbids inline scripts).
pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/passkeys.js"),
    )
        .into_response()
}
