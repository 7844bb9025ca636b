//! ESIA's errors as ESIA answers them: an `ESIA-0070xx` code in `error_description`. On
//! /aas/oauth2/v2/ac a redirect to a trusted redirect_uri with `error`, `error_description` and
//! `state` (a readable page in the person's language while the redirect_uri is not yet trusted);
//! on /aas/oauth2/v3/te HTTP 400 JSON `{error, error_description, state}`.

use crate::web::i18n::Lang;
use crate::web::page_error::PageError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EsiaError {
    /// 007002: the certificate does not match the client, or none is registered.
    Certificate,
    /// 007003: a parameter is wrong, malformed or repeated.
    BadParameter(String),
    /// 007004: the person refused.
    Refused,
    /// 007005: the client may not use this method.
    MethodNotAllowed,
    /// 007006: unknown scope.
    UnknownScope(String),
    /// 007009: grant type not supported.
    UnsupportedGrant,
    /// 007011: code or refresh token invalid, expired, revoked or another client's.
    InvalidGrant,
    /// 007013: no scope asked for.
    NoScope,
    /// 007014: a mandatory parameter is missing.
    Missing(&'static str),
    /// 007015: the timestamp is outside the tolerance.
    Timestamp,
    /// 007019: the client has no permission for this scope.
    NoPermission(String),
    /// 007023: redirect_uri not registered.
    RedirectUri,
    /// 007039: PKCE required but missing.
    PkceMissing,
    /// 007040: code_verifier does not match.
    PkceMismatch,
    /// 007053: client_secret wrong (or the certificate is no longer active).
    Secret,
    /// 007055: the client requires a confirmed account.
    Unconfirmed,
}

impl EsiaError {
    pub fn code(&self) -> &'static str {
        match self {
            EsiaError::Certificate => "ESIA-007002",
            EsiaError::BadParameter(_) => "ESIA-007003",
            EsiaError::Refused => "ESIA-007004",
            EsiaError::MethodNotAllowed => "ESIA-007005",
            EsiaError::UnknownScope(_) => "ESIA-007006",
            EsiaError::UnsupportedGrant => "ESIA-007009",
            EsiaError::InvalidGrant => "ESIA-007011",
            EsiaError::NoScope => "ESIA-007013",
            EsiaError::Missing(_) => "ESIA-007014",
            EsiaError::Timestamp => "ESIA-007015",
            EsiaError::NoPermission(_) => "ESIA-007019",
            EsiaError::RedirectUri => "ESIA-007023",
            EsiaError::PkceMissing => "ESIA-007039",
            EsiaError::PkceMismatch => "ESIA-007040",
            EsiaError::Secret => "ESIA-007053",
            EsiaError::Unconfirmed => "ESIA-007055",
        }
    }

    /// The OAuth `error` value that goes with the code.
    pub fn error(&self) -> &'static str {
        match self {
            EsiaError::Certificate | EsiaError::Secret => "invalid_client",
            EsiaError::Refused | EsiaError::Unconfirmed => "access_denied",
            EsiaError::MethodNotAllowed | EsiaError::NoPermission(_) => "unauthorized_client",
            EsiaError::UnknownScope(_) | EsiaError::NoScope => "invalid_scope",
            EsiaError::UnsupportedGrant => "unsupported_grant_type",
            EsiaError::InvalidGrant | EsiaError::PkceMismatch => "invalid_grant",
            _ => "invalid_request",
        }
    }

    /// `error_description`: the code, then what is wrong (in English, as ESIA writes it).
    pub fn description(&self) -> String {
        let why = match self {
            EsiaError::Certificate => {
                "the certificate does not match the client or none is registered".to_string()
            }
            EsiaError::BadParameter(p) => format!("the request parameter [{p}] is wrong"),
            EsiaError::Refused => "the user refused access".into(),
            EsiaError::MethodNotAllowed => "the client may not use this method".into(),
            EsiaError::UnknownScope(s) => format!("unknown scope [{s}]"),
            EsiaError::UnsupportedGrant => "the grant type is not supported".into(),
            EsiaError::InvalidGrant => {
                "the authorization code or refresh token is invalid, expired or revoked".into()
            }
            EsiaError::NoScope => "the request names no scope".into(),
            EsiaError::Missing(p) => {
                format!("the request doesn't contain the mandatory parameter [{p}]")
            }
            EsiaError::Timestamp => "the timestamp is outside the allowed interval".into(),
            EsiaError::NoPermission(s) => format!("the client has no permission for [{s}]"),
            EsiaError::RedirectUri => "the redirect_uri is not registered for the client".into(),
            EsiaError::PkceMissing => "code_challenge (PKCE) is required".into(),
            EsiaError::PkceMismatch => "code_verifier does not match code_challenge".into(),
            EsiaError::Secret => "the client_secret is wrong".into(),
            EsiaError::Unconfirmed => "the client requires a confirmed account".into(),
        };
        format!("{}: {why}", self.code())
    }

    /// The readable page for a request whose redirect_uri is not trusted (yet).
    pub fn page(&self, lang: Lang) -> PageError {
        let key = match self {
            EsiaError::Certificate => "esia.error.007002",
            EsiaError::BadParameter(_) => "esia.error.007003",
            EsiaError::MethodNotAllowed => "esia.error.007005",
            EsiaError::Missing(_) => "esia.error.007014",
            EsiaError::RedirectUri => "esia.error.007023",
            _ => "esia.error.other",
        };
        PageError::page(lang, StatusCode::BAD_REQUEST, key)
    }

    /// The portal's redirect_uri with this error (it must be trusted).
    pub fn url(&self, redirect_uri: &str, state: Option<&str>) -> Option<String> {
        let mut url = url::Url::parse(redirect_uri).ok()?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("error", self.error());
            q.append_pair("error_description", &self.description());
            if let Some(s) = state {
                q.append_pair("state", s);
            }
        }
        Some(url.into())
    }

    /// The redirect to the portal (its redirect_uri is trusted).
    pub fn redirect(&self, redirect_uri: &str, state: Option<&str>) -> Response {
        match self.url(redirect_uri, state) {
            Some(url) => Redirect::to(&url).into_response(),
            None => self.page(Lang::Ru).into_response(),
        }
    }

    /// The token endpoint's answer: 400 JSON with this request's state.
    pub fn json(&self, state: Option<&str>) -> Response {
        (
            StatusCode::BAD_REQUEST,
            [(axum::http::header::CACHE_CONTROL, "no-store")],
            Json(json!({
                "error": self.error(),
                "error_description": self.description(),
                "state": state,
                "request_id": crate::request_id::current(),
            })),
        )
            .into_response()
    }
}

impl std::fmt::Display for EsiaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description())
    }
}

impl std::error::Error for EsiaError {}
