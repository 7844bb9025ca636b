//! Readable answers for requests no handler takes: an unknown address (404) and a method the
//! address does not take (405, e.g. a GET of a form's POST address after a reload or a bookmark).
//! Pages in the person's language with a request id (also logged) to quote to support; protocol
//! endpoints answer in OAuth JSON and the admin API in problem+json instead.

use crate::admin::problem::Problem;
use crate::oidc::error::OAuthError;
use crate::web::meta::ClientMeta;
use crate::web::pages::error_page_with_id;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// Addresses whose callers are programs (OAuth clients, the admin API), not people.
const PROTOCOL: [&str; 9] = [
    "/token",
    "/device_authorization",
    "/bc-authorize",
    "/par",
    "/introspect",
    "/revoke",
    "/userinfo",
    "/jwks",
    "/.well-known/",
];

pub(super) fn is_protocol(path: &str) -> bool {
    PROTOCOL
        .iter()
        .any(|p| path == *p || (p.ends_with('/') && path.starts_with(p)))
}

/// The request id (see `server::request_id`), logged with what was asked for.
fn request_id(status: StatusCode, method: &Method, path: &str) -> String {
    let id = crate::request_id::current();
    tracing::info!(request_id = %id, %status, %method, path, "no handler for the request");
    id
}

fn answer(meta: &ClientMeta, method: &Method, uri: &Uri, status: StatusCode) -> Response {
    let path = uri.path();
    let id = request_id(status, method, path);
    let what = if status == StatusCode::NOT_FOUND {
        "not found"
    } else {
        "method not allowed"
    };
    if path.starts_with("/admin/api/") {
        return Problem::new(
            status,
            "Request refused",
            format!("{what}; request id {id}"),
        )
        .into_response();
    }
    if is_protocol(path) {
        let mut e = OAuthError::invalid_request(format!("{what}; request id {id}"));
        e.status = status;
        return e.into_response();
    }
    let key = if status == StatusCode::NOT_FOUND {
        "error.not_found"
    } else {
        "error.method_not_allowed"
    };
    error_page_with_id(meta.lang(None), status, key, id)
}

pub async fn not_found(meta: ClientMeta, method: Method, uri: Uri) -> Response {
    answer(&meta, &method, &uri, StatusCode::NOT_FOUND)
}

pub async fn method_not_allowed(meta: ClientMeta, method: Method, uri: Uri) -> Response {
    answer(&meta, &method, &uri, StatusCode::METHOD_NOT_ALLOWED)
}

#[cfg(test)]
mod tests {
    #[test]
    fn protocol_addresses_are_told_apart_from_pages() {
        assert!(super::is_protocol("/token"));
        assert!(super::is_protocol("/.well-known/openid-configuration"));
        assert!(!super::is_protocol("/tokens-page"));
        assert!(!super::is_protocol("/account/security/totp/start"));
    }
}
