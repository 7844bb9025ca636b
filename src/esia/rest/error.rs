//! Refusals of the REST resources, in the body ESIA's REST service answers them with:
//! `{"code":"ESIA-0050xx","message":"SecurityErrorEnum.…"}` (the codes portals switch on, e.g. to
//! refresh on ESIA-005013), plus the request id every vhod error body carries.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestError {
    /// No bearer token, or one that is not a valid ESIA access token of this issuer (bad signature,
    /// wrong shape or subject type, another issuer, not yet valid).
    InvalidToken,
    /// A valid ESIA access token past its `exp`.
    ExpiredToken,
    /// The token grants nothing for this person, or not this resource.
    ScopeNotAllowed,
    /// No such person or item (or one the token's scopes do not show).
    NotFound,
    /// The store failed; logged with the request id.
    Internal,
}

impl RestError {
    fn parts(self) -> (StatusCode, &'static str, &'static str) {
        match self {
            RestError::InvalidToken => (
                StatusCode::UNAUTHORIZED,
                "ESIA-005011",
                "SecurityErrorEnum.invalidToken",
            ),
            RestError::ExpiredToken => (
                StatusCode::UNAUTHORIZED,
                "ESIA-005013",
                "SecurityErrorEnum.expiredToken",
            ),
            RestError::ScopeNotAllowed => (
                StatusCode::FORBIDDEN,
                "ESIA-005029",
                "SecurityErrorEnum.scopeNotAllowed",
            ),
            // ESIA's code for a missing item is not public; vhod names its own.
            RestError::NotFound => (
                StatusCode::NOT_FOUND,
                "VHOD-000404",
                "ResourceErrorEnum.notFound",
            ),
            RestError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "VHOD-000500",
                "internal error",
            ),
        }
    }
}

impl From<crate::store::StoreError> for RestError {
    fn from(e: crate::store::StoreError) -> Self {
        tracing::error!(error = %e, "ESIA REST resource: store error");
        RestError::Internal
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        let (status, code, message) = self.parts();
        let body = serde_json::json!({
            "code": code,
            "message": message,
            "request_id": crate::request_id::current(),
        });
        let mut res = (status, Json(body)).into_response();
        let h = res.headers_mut();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if status == StatusCode::UNAUTHORIZED {
            // RFC 6750 §3: the challenge a bearer-token client expects beside the ESIA body.
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
        }
        res
    }
}
