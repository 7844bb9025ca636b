//! HTML pages: templates, i18n (ru default, en), CSRF, cookies, security headers.

pub mod cookies;
pub mod csrf;
pub mod headers;
pub mod i18n;
pub mod login;
pub mod meta;
pub mod pages;
pub mod register;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// Renders an askama template with a status; a template failure is a logged 500, never a panic.
pub fn render<T: askama::Template>(status: StatusCode, tpl: &T) -> Response {
    match tpl.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            let id = crate::crypto::random_token()[..12].to_string();
            tracing::error!(request_id = %id, error = %e, "template rendering failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("internal error, request id {id}"),
            )
                .into_response()
        }
    }
}
