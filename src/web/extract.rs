//! Extractors for the openings every page handler shares, instead of `HeaderMap` + `Bytes`
//! parsing in each one: the person's language, the signed-in person, a CSRF-checked form (and both
//! together). Each refuses with a [`PageError`] the way the pages always have: 400 for an
//! unreadable form, 403 for a missing or wrong CSRF token, the login page when nobody is signed in.

use super::csrf;
use super::i18n::Lang;
use super::meta::ClientMeta;
use super::page_error::PageError;
use super::params::Params;
use crate::ctx::Ctx;
use crate::store::sessions::SessionRow;
use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};

/// The language a page is shown in: `?lang=` / `ui_locales`, then the person's choice (the
/// switcher's cookie, else the signed-in account's language), then Accept-Language, then Russian.
#[derive(Debug, Clone, Copy)]
pub struct Language(pub Lang);

impl<S> FromRequestParts<S> for Language
where
    S: Send + Sync,
    Ctx: FromRef<S>,
{
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let meta = ClientMeta::from_request_parts(parts, state)
            .await
            .unwrap_or_else(|e| match e {});
        let query = Params::from_query(parts.uri.query()).unwrap_or_default();
        let explicit = query.get("lang").or(query.get("ui_locales"));
        let remembered = match (explicit, meta.remembered_lang) {
            (None, None) => account_lang(&Ctx::from_ref(state), &parts.headers).await?,
            (_, cookie) => cookie,
        };
        let lang = Lang::pick(explicit, remembered, meta.accept_language.as_deref());
        super::page_error::set_request_lang(lang);
        Ok(Language(lang))
    }
}

/// The language the signed-in person's account keeps (None without a session or a choice).
pub async fn account_lang(ctx: &Ctx, headers: &HeaderMap) -> Result<Option<Lang>, PageError> {
    Ok(super::visitor::person(ctx, headers)
        .await?
        .and_then(|p| p.lang)
        .and_then(|code| Lang::from_code(&code)))
}

/// The session of the signed-in person; otherwise the login page.
pub struct SignedIn(pub SessionRow);

/// The session of the signed-in person, for a handler that must look at something else first
/// (the extractors use it too); otherwise the login page.
pub async fn signed_in(ctx: &Ctx, headers: &HeaderMap) -> Result<SessionRow, PageError> {
    match super::visitor::session(ctx, headers).await? {
        Some(s) => {
            crate::metrics::note_account(s.account_id.as_str());
            Ok(s)
        }
        None => Err(PageError::answer(Redirect::to("/login").into_response())),
    }
}

impl<S> FromRequestParts<S> for SignedIn
where
    S: Send + Sync,
    Ctx: FromRef<S>,
{
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_ref(state);
        Ok(SignedIn(signed_in(&ctx, &parts.headers).await?))
    }
}

/// A submitted form whose CSRF token checks out, with the language it asks for.
pub struct CsrfForm {
    pub form: Params,
    pub lang: Lang,
    pub headers: HeaderMap,
}

/// A form body checked the way every page form is: readable (else 400), with the right CSRF
/// token (else 403); its language becomes the request's (see [`super::page_error::set_request_lang`]).
pub fn checked(
    meta: &ClientMeta,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Params, Lang), PageError> {
    let form = Params::from_form(headers, body).map_err(|_| bad_request(meta))?;
    let lang = meta.lang(form.get("lang"));
    check_csrf(headers, &form, lang)?;
    Ok((form, lang))
}

/// The CSRF check of a form already read (also for a multipart form); sets the request language.
pub fn check_csrf(headers: &HeaderMap, form: &Params, lang: Lang) -> Result<(), PageError> {
    super::page_error::set_request_lang(lang);
    if !csrf::verify(headers, form.get(csrf::FIELD)) {
        return Err(PageError::page(lang, StatusCode::FORBIDDEN, "error.csrf"));
    }
    Ok(())
}

/// 400 for a form that cannot be read, in the language the browser asks for.
pub fn bad_request(meta: &ClientMeta) -> PageError {
    PageError::page(
        meta.lang(None),
        StatusCode::BAD_REQUEST,
        "error.bad_request",
    )
}

async fn read_form<S: Send + Sync>(req: Request, state: &S) -> Result<CsrfForm, PageError> {
    let (mut parts, body) = req.into_parts();
    let meta = ClientMeta::from_request_parts(&mut parts, state)
        .await
        .unwrap_or_else(|e| match e {});
    let headers = parts.headers.clone();
    // Through `Bytes` so the route's body limit (DefaultBodyLimit) applies; past it the form is
    // unreadable.
    let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
        .await
        .map_err(|_| bad_request(&meta))?;
    let (form, lang) = checked(&meta, &headers, &bytes)?;
    Ok(CsrfForm {
        form,
        lang,
        headers,
    })
}

impl<S: Send + Sync> FromRequest<S> for CsrfForm {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        read_form(req, state).await
    }
}

/// A CSRF-checked form from a signed-in browser (the token is checked first, as it always was).
pub struct SignedInForm {
    pub session: SessionRow,
    pub form: Params,
    pub lang: Lang,
    pub headers: HeaderMap,
}

impl<S> FromRequest<S> for SignedInForm
where
    S: Send + Sync,
    Ctx: FromRef<S>,
{
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let f = read_form(req, state).await?;
        let ctx = Ctx::from_ref(state);
        let session = signed_in(&ctx, &f.headers)
            .await
            .map_err(|e| e.in_lang(f.lang))?;
        // A form without its own language, from a browser that has no remembered choice: the
        // account's choice, not the browser's language.
        let mut lang = f.lang;
        if f.form.get("lang").is_none()
            && super::meta::remembered_lang(&f.headers).is_none()
            && let Some(chosen) = account_lang(&ctx, &f.headers).await?
        {
            lang = chosen;
            super::page_error::set_request_lang(lang);
        }
        Ok(SignedInForm {
            session,
            form: f.form,
            lang,
            headers: f.headers,
        })
    }
}
