//! Settings → «Электронная подпись» (/account/signature): the bound certificates, and binding a new
//! one — fresh login, a signature over a bind challenge, then the code sent to a confirmed contact.

use super::csrf;
use super::i18n::{Lang, Tr};
use super::meta::ClientMeta;
use super::pages::{internal_error, with_cookie};
use super::{cookies, render};
use crate::authn::qes::binding::{self, BindError};
use crate::authn::qes::login::issue_challenge;
use crate::authn::session;
use crate::ctx::Ctx;
use crate::store::audit::AuditEntry;
use crate::store::qes::QesCertificateRow;
use crate::store::sessions::SessionRow;
use crate::web::params::Params;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "signature.html")]
struct SettingsPage {
    t: Tr,
    csrf: String,
    certificates: Vec<QesCertificateRow>,
    has_snils: bool,
    fresh: bool,
    challenge: String,
    error_key: Option<&'static str>,
    notice_key: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "signature_code.html")]
struct CodePage {
    t: Tr,
    csrf: String,
    bind: String,
    sent_to: String,
    subject: String,
    error_key: Option<&'static str>,
}

/// The live session of this browser, or the response sending it to sign in.
#[allow(clippy::result_large_err)]
async fn signed_in(app: &Ctx, headers: &HeaderMap, lang: Lang) -> Result<SessionRow, Response> {
    let sid = cookies::get(headers, session::COOKIE);
    match session::current(app, sid.as_deref()).await {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err(Redirect::to("/login").into_response()),
        Err(e) => Err(internal_error(lang, &e)),
    }
}

fn no_store(mut res: Response) -> Response {
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    res
}

async fn settings_page(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    s: &SessionRow,
    status: StatusCode,
    error_key: Option<&'static str>,
    notice_key: Option<&'static str>,
) -> Response {
    let (certificates, ids) = match (
        app.store.qes_certificates(&s.account_id).await,
        app.store.identifiers(&s.account_id).await,
    ) {
        (Ok(c), Ok(i)) => (c, i),
        (Err(e), _) | (_, Err(e)) => return internal_error(lang, &e),
    };
    let has_snils = ids
        .iter()
        .any(|i| i.kind == "snils" && i.verified_at.is_some());
    let fresh = binding::is_fresh(app, s);
    let challenge = if fresh && has_snils {
        match issue_challenge(app, "bind", &s.account_id).await {
            Ok(c) => c,
            Err(e) => return internal_error(lang, &e),
        }
    } else {
        String::new()
    };
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    no_store(with_cookie(
        render(
            status,
            &SettingsPage {
                t: Tr::new(lang),
                csrf,
                certificates,
                has_snils,
                fresh,
                challenge,
                error_key,
                notice_key,
            },
        ),
        cookie,
    ))
}

pub async fn page(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let p = Params::from_query(q.as_deref()).unwrap_or_default();
    let lang = meta.lang(p.get("lang"));
    let s = match signed_in(&app, &headers, lang).await {
        Ok(s) => s,
        Err(res) => return res,
    };
    if let Some(id) = p.get("bind") {
        return match binding::pending(&app, &s.account_id, id).await {
            Ok(pending) => code_page(&app, &headers, lang, StatusCode::OK, id, pending, None),
            Err(e) => match e.message_key() {
                Some(key) => {
                    settings_page(
                        &app,
                        &headers,
                        lang,
                        &s,
                        refusal_status(&e),
                        Some(key),
                        None,
                    )
                    .await
                }
                None => internal_error(lang, &e),
            },
        };
    }
    let notice = match p.get("done") {
        Some("bound") => Some("qes.bound"),
        Some("removed") => Some("qes.removed"),
        _ => None,
    };
    settings_page(&app, &headers, lang, &s, StatusCode::OK, None, notice).await
}

fn refusal_status(e: &BindError) -> StatusCode {
    match e {
        BindError::NotFresh => StatusCode::FORBIDDEN,
        BindError::TooManyAttempts | BindError::TooEarly | BindError::SendLimit => {
            StatusCode::TOO_MANY_REQUESTS
        }
        BindError::Signature(_) | BindError::WrongCode { .. } => StatusCode::UNAUTHORIZED,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// «Введите код»: step 2 of binding, for the pending binding `id`.
fn code_page(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    status: StatusCode,
    id: &str,
    pending: binding::PendingBind,
    error_key: Option<&'static str>,
) -> Response {
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    no_store(with_cookie(
        render(
            status,
            &CodePage {
                t: Tr::new(lang),
                csrf,
                bind: id.to_string(),
                sent_to: pending.sent_to,
                subject: pending.subject,
                error_key,
            },
        ),
        cookie,
    ))
}

/// Step 1: the signature over the bind challenge; sends the code.
pub async fn bind(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = match super::signature_form::read(&meta, &headers, body).await {
        Ok(f) => f,
        Err(page) => return page,
    };
    let lang = form.lang;
    let s = match signed_in(&app, &headers, lang).await {
        Ok(s) => s,
        Err(res) => return res,
    };
    let challenge = form.params.get("challenge").unwrap_or("");
    match binding::start(
        &app,
        &s,
        challenge,
        &form.signature,
        lang == Lang::En,
        &meta.ip,
    )
    .await
    {
        // 303 to the code step (Post/Redirect/Get): a reload does not send a second code.
        Ok((id, _)) => Redirect::to(&format!("/account/signature?bind={id}")).into_response(),
        Err(e) => match e.message_key() {
            Some(key) => {
                tracing::info!(account = %s.account_id, reason = %e, "certificate binding refused");
                settings_page(
                    &app,
                    &headers,
                    lang,
                    &s,
                    refusal_status(&e),
                    Some(key),
                    None,
                )
                .await
            }
            None => internal_error(lang, &e),
        },
    }
}

/// Step 2: the code; the right one binds the certificate.
pub async fn confirm(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (p, lang) = match super::checked_form(&meta, &headers, &body) {
        Ok(x) => x,
        Err(page) => return page,
    };
    let s = match signed_in(&app, &headers, lang).await {
        Ok(s) => s,
        Err(res) => return res,
    };
    let id = p.get("bind").unwrap_or("");
    let code = p.get("code").unwrap_or("");
    match binding::confirm(&app, &s.account_id, id, code).await {
        Ok(_) => Redirect::to("/account/signature?done=bound").into_response(),
        Err(e @ BindError::WrongCode { .. }) => {
            let pending = match binding::pending(&app, &s.account_id, id).await {
                Ok(p) => p,
                Err(e) => return internal_error(lang, &e),
            };
            code_page(
                &app,
                &headers,
                lang,
                refusal_status(&e),
                id,
                pending,
                e.message_key(),
            )
        }
        Err(e) => match e.message_key() {
            Some(key) => {
                settings_page(
                    &app,
                    &headers,
                    lang,
                    &s,
                    refusal_status(&e),
                    Some(key),
                    None,
                )
                .await
            }
            None => internal_error(lang, &e),
        },
    }
}

/// Unbinds a certificate; with none left, signature login is off again.
pub async fn remove(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (p, lang) = match super::checked_form(&meta, &headers, &body) {
        Ok(x) => x,
        Err(page) => return page,
    };
    let s = match signed_in(&app, &headers, lang).await {
        Ok(s) => s,
        Err(res) => return res,
    };
    let id = p.get("certificate").unwrap_or("");
    match app.store.unbind_qes_certificate(&s.account_id, id).await {
        Ok(true) => {
            let audit = app
                .store
                .append_audit(AuditEntry {
                    actor: &s.account_id,
                    action: "qes.certificate_unbound",
                    target: &s.account_id,
                    request_id: &crate::request_id::current(),
                    details: serde_json::json!({ "certificate": id }),
                })
                .await;
            if let Err(e) = audit {
                return internal_error(lang, &e);
            }
            Redirect::to("/account/signature?done=removed").into_response()
        }
        Ok(false) => Redirect::to("/account/signature").into_response(),
        Err(e) => internal_error(lang, &e),
    }
}
