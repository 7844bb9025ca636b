//! RFC 9457 problem details for the admin API.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Debug)]
pub struct Problem {
    pub status: StatusCode,
    pub title: &'static str,
    pub detail: String,
}

impl Problem {
    pub fn new(status: StatusCode, title: &'static str, detail: impl Into<String>) -> Problem {
        Problem {
            status,
            title,
            detail: detail.into(),
        }
    }

    pub fn internal(cause: &dyn std::fmt::Display) -> Problem {
        let id = crate::request_id::current();
        tracing::error!(request_id = %id, error = %cause, "admin API internal error");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal error",
            format!("request id {id}"),
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        // RFC 9457 §3.2 extension member: the request id matches the server's log and audit.
        let body = serde_json::json!({ "type": "about:blank", "title": self.title, "status": self.status.as_u16(), "detail": self.detail, "request_id": crate::request_id::current() });
        let mut res = (self.status, body.to_string()).into_response();
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"vhod-admin\""),
            );
        }
        res
    }
}

impl From<crate::store::StoreError> for Problem {
    fn from(e: crate::store::StoreError) -> Self {
        Problem::internal(&e)
    }
}

impl From<crate::crypto::keyring::KeyError> for Problem {
    fn from(e: crate::crypto::keyring::KeyError) -> Self {
        Problem::internal(&e)
    }
}
