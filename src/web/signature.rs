//! Settings → «Электронная подпись» (/account/signature): the bound certificates, and binding a new
//! one — fresh login, a signature over a bind challenge, then the code sent to a confirmed contact.

use super::csrf;
use super::extract::{Language, SignedIn, SignedInForm, signed_in};
use super::i18n::{Lang, Tr};
use super::meta::ClientMeta;
use super::page_error::PageError;
use super::pages::with_cookie;
use super::render;
use super::signature_form::SignatureForm;
use crate::authn::qes::binding::{self, BindError, Unbinding};
use crate::authn::qes::login::issue_challenge;
use crate::ctx::Ctx;
use crate::store::qes::QesCertificateRow;
use crate::store::sessions::SessionRow;
use crate::web::params::Params;
use askama::Template;
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
) -> Result<Response, PageError> {
    let certificates = app.store.qes_certificates(&s.account_id).await?;
    let ids = app.store.identifiers(&s.account_id).await?;
    let has_snils = ids
        .iter()
        .any(|i| i.kind == "snils" && i.verified_at.is_some());
    let fresh = binding::is_fresh(app, s);
    let challenge = if fresh && has_snils {
        issue_challenge(app, "bind", &s.account_id).await?
    } else {
        String::new()
    };
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    Ok(no_store(with_cookie(
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
    )))
}

pub async fn page(
    State(app): State<Ctx>,
    Language(lang): Language,
    SignedIn(s): SignedIn,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let p = Params::from_query(q.as_deref()).unwrap_or_default();
    if let Some(id) = p.get("bind") {
        return match binding::pending(&app, &s.account_id, id).await {
            Ok(pending) => Ok(code_page(
                &app,
                &headers,
                lang,
                StatusCode::OK,
                id,
                pending,
                None,
            )),
            Err(e) => refused(&app, &headers, lang, &s, &e).await,
        };
    }
    let notice = match p.get("done") {
        Some("bound") => Some("qes.bound"),
        Some("removed") => Some("qes.removed"),
        _ => None,
    };
    settings_page(&app, &headers, lang, &s, StatusCode::OK, None, notice).await
}

/// The settings page with a refusal, or the internal-error page for a failure inside.
async fn refused(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    s: &SessionRow,
    e: &BindError,
) -> Result<Response, PageError> {
    let Some(key) = e.message_key() else {
        return Err(PageError::internal(e));
    };
    settings_page(app, headers, lang, s, refusal_status(e), Some(key), None).await
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
    form: SignatureForm,
) -> Result<Response, PageError> {
    let lang = form.lang;
    let s = signed_in(&app, &headers).await?;
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
        Ok((id, _)) => Ok(Redirect::to(&format!("/account/signature?bind={id}")).into_response()),
        Err(e) => {
            if e.message_key().is_some() {
                tracing::info!(account = %s.account_id, reason = %e, "certificate binding refused");
            }
            refused(&app, &headers, lang, &s, &e).await
        }
    }
}

/// Step 2: the code; the right one binds the certificate.
pub async fn confirm(State(app): State<Ctx>, f: SignedInForm) -> Result<Response, PageError> {
    let s = &f.session;
    let id = f.form.get("bind").unwrap_or("");
    let code = f.form.get("code").unwrap_or("");
    match binding::confirm(&app, &s.account_id, id, code).await {
        Ok(_) => Ok(Redirect::to("/account/signature?done=bound").into_response()),
        Err(e @ BindError::WrongCode { .. }) => {
            let pending = binding::pending(&app, &s.account_id, id)
                .await
                .map_err(|e| PageError::internal(&e))?;
            Ok(code_page(
                &app,
                &f.headers,
                f.lang,
                refusal_status(&e),
                id,
                pending,
                e.message_key(),
            ))
        }
        Err(e) => refused(&app, &f.headers, f.lang, s, &e).await,
    }
}

/// Unbinds a certificate; with none left, signature login is off again.
pub async fn remove(State(app): State<Ctx>, f: SignedInForm) -> Result<Response, PageError> {
    let id = f.form.get("certificate").unwrap_or("");
    Ok(
        match binding::unbind(&app, &f.session.account_id, id).await? {
            Unbinding::Unbound => Redirect::to("/account/signature?done=removed").into_response(),
            Unbinding::NotBound => Redirect::to("/account/signature").into_response(),
        },
    )
}
