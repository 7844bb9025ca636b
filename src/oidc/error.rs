//! OAuth error responses in the exact RFC 6749 §5.2 / RFC 6750 §3 shapes.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Debug, Clone)]
pub struct OAuthError {
    pub status: StatusCode,
    pub error: &'static str,
    /// ASCII without `"` or `\` (RFC 6749 §5.2 error_description charset).
    pub description: String,
    pub www_authenticate: Option<String>,
    /// RFC 9449 §8: a fresh nonce for the client to put in its next DPoP proof.
    pub dpop_nonce: Option<String>,
    /// Seconds to wait before asking again (a rate limit's 429).
    pub retry_after: Option<u64>,
}

impl OAuthError {
    pub fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        let description: String = description
            .into()
            .chars()
            .filter(|c| (' '..='~').contains(c) && *c != '"' && *c != '\\')
            .collect();
        OAuthError {
            status,
            error,
            description,
            www_authenticate: None,
            dpop_nonce: None,
            retry_after: None,
        }
    }

    /// 429: the client asked more often than it may; `Retry-After` says when it may again.
    pub fn too_many_requests(wait_secs: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "invalid_request",
            "too many requests from this address; retry later",
        );
        e.retry_after = Some(wait_secs.max(1));
        e
    }

    pub fn invalid_request(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", d)
    }

    pub fn invalid_grant(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", d)
    }

    /// 401 invalid_client; with `basic` the response challenges for HTTP Basic (RFC 6749 §5.2).
    pub fn invalid_client(basic: bool) -> Self {
        let mut e = Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication failed",
        );
        if basic {
            e.www_authenticate = Some("Basic realm=\"vhod\"".into());
        }
        e
    }

    /// RFC 6750 §3.1: invalid_token at a protected resource, with the Bearer challenge.
    pub fn invalid_token(d: impl Into<String>) -> Self {
        let mut e = Self::new(StatusCode::UNAUTHORIZED, "invalid_token", d);
        e.www_authenticate = Some(format!(
            "Bearer error=\"invalid_token\", error_description=\"{}\"",
            e.description
        ));
        e
    }

    pub fn server_error(cause: &dyn std::fmt::Display) -> Self {
        let id = crate::request_id::current();
        tracing::error!(request_id = %id, error = %cause, "internal error on protocol endpoint");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            format!("internal error, request id {id}"),
        )
    }
}

impl OAuthError {
    /// RFC 6749 §4.1.2.1 temporarily_unavailable: the database or cache could not be reached; the
    /// server's request layer adds Retry-After.
    pub fn temporarily_unavailable(cause: &dyn std::fmt::Display) -> Self {
        let id = crate::request_id::current();
        tracing::warn!(request_id = %id, error = %cause, "dependency unavailable on protocol endpoint");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            format!("temporarily unavailable, request id {id}"),
        )
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        // RFC 6749 §5.2 allows more members: the request id matches the server's log and audit.
        let body = serde_json::json!({
            "error": self.error,
            "error_description": self.description,
            "request_id": crate::request_id::current(),
        });
        let mut res = (self.status, Json(body)).into_response();
        let h = res.headers_mut();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(wait) = self.retry_after {
            h.insert(header::RETRY_AFTER, HeaderValue::from(wait));
        }
        if let Some(n) = self.dpop_nonce.and_then(|n| HeaderValue::from_str(&n).ok()) {
            h.insert("dpop-nonce", n);
        }
        if let Some(w) = self
            .www_authenticate
            .and_then(|w| HeaderValue::from_str(&w).ok())
        {
            h.insert(header::WWW_AUTHENTICATE, w);
        }
        res
    }
}

impl From<crate::store::StoreError> for OAuthError {
    fn from(e: crate::store::StoreError) -> Self {
        if e.is_unavailable() {
            return Self::temporarily_unavailable(&e);
        }
        Self::server_error(&e)
    }
}

impl From<crate::cache::CacheError> for OAuthError {
    fn from(e: crate::cache::CacheError) -> Self {
        Self::temporarily_unavailable(&e)
    }
}

impl From<crate::crypto::keyring::KeyError> for OAuthError {
    fn from(e: crate::crypto::keyring::KeyError) -> Self {
        Self::server_error(&e)
    }
}
