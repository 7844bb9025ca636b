//! «Войти с электронной подписью»: the page shows a fresh challenge and how to sign it; the posted
//! detached CMS signature is checked by authn::qes and, when it names a bound certificate of an
//! account with that verified SNILS, starts a high-assurance session (acr high, amr sc + pin).

use super::csrf;
use super::extract;
use super::i18n::{Lang, Tr};
use super::login::{load_tx, start_session};
use super::meta::ClientMeta;
use super::page_error::PageError;
use super::pages::with_cookie;
use super::signature_form::SignatureForm;
use super::{cookies, render};
use crate::authn::{self, qes::login as qes_login, session};
use crate::ctx::Ctx;
use crate::web::params::Params;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

/// RFC 8176 methods of a signature login: a key on a smart card / token, unlocked by a PIN.
pub const AMR: [&str; 2] = ["sc", "pin"];

#[derive(Template)]
#[template(path = "login_signature.html")]
struct SignaturePage {
    t: Tr,
    csrf: String,
    tx: String,
    challenge: String,
    error_key: Option<&'static str>,
    client_name: Option<String>,
}

async fn signature_page(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    tx: Option<(&str, &crate::authn::login_tx::AuthRequest)>,
    status: StatusCode,
    error_key: Option<&'static str>,
) -> Result<Response, PageError> {
    let challenge = qes_login::issue_challenge(app, "login", "").await?;
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    let mut res = with_cookie(
        render(
            status,
            &SignaturePage {
                t: Tr::new(lang),
                csrf,
                tx: tx.map(|(id, _)| id.to_string()).unwrap_or_default(),
                challenge,
                error_key,
                client_name: tx.map(|(_, r)| r.client_name.clone()),
            },
        ),
        cookie,
    );
    // The challenge is single use; a cached copy of this page would only show a spent one.
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

pub async fn page(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = Params::from_query(q.as_deref()).map_err(|_| extract::bad_request(&meta))?;
    let lang = meta.lang(p.get("lang"));
    let req = load_tx(&app, p.get("tx").filter(|t| !t.is_empty()), lang).await?;
    let lang = req.as_ref().map(|r| r.lang).unwrap_or(lang);
    let tx = p.get("tx").zip(req.as_ref());
    signature_page(&app, &headers, lang, tx, StatusCode::OK, None).await
}

pub async fn submit(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    form: SignatureForm,
) -> Result<Response, PageError> {
    let (p, lang) = (&form.params, form.lang);
    let tx_id = p.get("tx").filter(|t| !t.is_empty());
    let req = load_tx(&app, tx_id, lang).await?;
    let challenge = p.get("challenge").unwrap_or("");
    // A standard account signing in this way becomes confirmed (authn::qes::login).
    let (account, _) = match qes_login::login(&app, challenge, &form.signature).await {
        Ok(x) => x,
        Err(e) => {
            let Some(key) = e.message_key() else {
                return Err(PageError::internal(&e));
            };
            tracing::info!(ip = %meta.ip, reason = %e, "signature login refused");
            let tx = tx_id.zip(req.as_ref());
            return signature_page(
                &app,
                &headers,
                lang,
                tx,
                StatusCode::UNAUTHORIZED,
                Some(key),
            )
            .await;
        }
    };
    let persistent = p.get("foreign") != Some("on");
    let mut res = match tx_id.filter(|_| req.is_some()) {
        Some(tx) => Redirect::to(&format!("/authorize/continue?tx={tx}")).into_response(),
        None => Redirect::to("/account").into_response(),
    };
    let cookie = start_session(
        &app,
        &headers,
        &meta,
        &account.id,
        authn::ACR_HIGH,
        &AMR,
        persistent,
    )
    .await?;
    let cookie = limit_session(&app, &cookie, persistent).await?;
    res.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(res)
}

/// The session cookie of a signature login, its session cut to the signature lifetime
/// (authn::qes::login::limit_session) and its Max-Age with it.
async fn limit_session(
    app: &Ctx,
    cookie: &header::HeaderValue,
    persistent: bool,
) -> Result<header::HeaderValue, crate::store::StoreError> {
    let prefix = format!("{}=", session::COOKIE);
    let raw = cookie
        .to_str()
        .ok()
        .and_then(|c| c.split(';').next())
        .and_then(|kv| kv.strip_prefix(prefix.as_str()))
        .unwrap_or("");
    let ttl = qes_login::limit_session(app, raw).await?;
    Ok(cookies::set(
        session::COOKIE,
        raw,
        persistent.then_some(ttl),
        app.config.issuer_is_https(),
    ))
}
