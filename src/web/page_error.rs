//! `PageError`: what a page handler returns instead of a page, so handlers use `?`. It renders as
//! the readable error page in the person's language with the request id; an internal failure is
//! logged with that id and shown only as the id. Errors raised below the surface (store, cache)
//! carry no language: they are shown in the request's language, which the server's request layer
//! keeps for the life of the request (`?lang=` / `ui_locales`, then Accept-Language; once a
//! form was read, the language the form names).

use super::i18n::Lang;
use super::pages::{error_page_with_id, internal_error};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug)]
enum Kind {
    /// A readable refusal: status and the i18n key of its message.
    Page(StatusCode, &'static str),
    /// Something failed inside; the cause goes to the log only.
    Internal(String),
    /// A finished answer (e.g. the redirect to the login page), sent as it is (boxed: a response
    /// is large, and every handler's `Result` carries this).
    Answer(Box<Response>),
}

#[derive(Debug)]
pub struct PageError {
    lang: Option<Lang>,
    kind: Kind,
}

impl PageError {
    pub fn page(lang: Lang, status: StatusCode, message_key: &'static str) -> PageError {
        PageError {
            lang: Some(lang),
            kind: Kind::Page(status, message_key),
        }
    }

    pub fn internal(cause: &dyn std::fmt::Display) -> PageError {
        PageError {
            lang: None,
            kind: Kind::Internal(cause.to_string()),
        }
    }

    pub fn answer(response: Response) -> PageError {
        PageError {
            lang: None,
            kind: Kind::Answer(Box::new(response)),
        }
    }

    /// The language to show the page in, when the handler knows it better than the request does
    /// (a form's own `lang` field).
    pub fn in_lang(mut self, lang: Lang) -> PageError {
        self.lang.get_or_insert(lang);
        self
    }

    pub fn status(&self) -> StatusCode {
        match &self.kind {
            Kind::Page(status, _) => *status,
            Kind::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Kind::Answer(r) => r.status(),
        }
    }
}

/// The language of the request being served (Russian outside a request).
pub fn request_lang() -> Lang {
    Lang::of_request().unwrap_or(Lang::Ru)
}

/// A submitted form names its own language (`lang` field): from then on it is the request's, so
/// an error raised further down is shown in it, as the form's pages are (no-op outside a request).
pub fn set_request_lang(lang: Lang) {
    Lang::set_for_request(lang);
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let lang = self.lang.unwrap_or_else(request_lang);
        match self.kind {
            Kind::Page(status, key) => {
                error_page_with_id(lang, status, key, crate::request_id::current())
            }
            Kind::Internal(cause) => internal_error(lang, &cause),
            Kind::Answer(r) => *r,
        }
    }
}

/// A finished response used as an error (the older handler helpers return `Result<_, Response>`).
impl From<Response> for PageError {
    fn from(r: Response) -> PageError {
        PageError::answer(r)
    }
}

macro_rules! internal_from {
    ($($t:ty),*) => {$(
        impl From<$t> for PageError {
            fn from(e: $t) -> PageError {
                PageError::internal(&e)
            }
        }
    )*};
}

internal_from!(
    crate::store::StoreError,
    crate::cache::CacheError,
    crate::crypto::password::PasswordError,
    crate::authn::totp::TotpError,
    crate::authn::sms_otp::OtpError,
    anyhow::Error
);

/// The language a page error falls back to, from the request's `?lang=` / `ui_locales`, the
/// switcher's cookie and Accept-Language (Russian when none names a supported language).
pub fn language_of(request: &Request) -> Lang {
    let query = super::params::Params::from_query(request.uri().query()).unwrap_or_default();
    let accept = request
        .headers()
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Lang::pick(
        query.get("lang").or(query.get("ui_locales")),
        super::meta::remembered_lang(request.headers()),
        accept,
    )
}

/// Runs `f` (the rest of a request) with `lang` as the language page errors fall back to.
pub async fn with_request_lang<F: std::future::Future>(lang: Lang, f: F) -> F::Output {
    Lang::scope(lang, f).await
}
