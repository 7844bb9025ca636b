//! HTML pages: templates, i18n (ru default, en), CSRF, cookies, security headers.

pub mod assets;
pub mod bank;
pub mod chrome;
pub mod client_ip;
pub mod contacts;
pub mod cookies;
pub mod csrf;
pub mod deletion;
pub mod extract;
pub mod flash;
pub mod headers;
pub mod i18n;
pub mod identity;
pub mod login;
pub mod meta;
pub mod org_choice;
pub mod orgs;
pub mod page_error;
pub mod pages;
pub mod params;
pub mod passkey_login;
pub mod passkeys;
pub mod permissions;
pub mod qes;
pub mod qr_approve;
pub mod qr_login;
pub mod records;
pub mod recover;
pub mod register;
pub mod scope_names;
pub mod second_factor;
pub mod security;
pub mod security_activity;
pub mod show;
pub mod signature;
pub mod signature_form;
pub mod step_up;
pub mod throttle;
pub mod visitor;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// Renders an askama template with a status; a template failure is a logged 500, never a panic.
pub fn render<T: askama::Template>(status: StatusCode, tpl: &T) -> Response {
    match tpl.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            let id = crate::request_id::current();
            tracing::error!(request_id = %id, error = %e, "template rendering failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("internal error, request id {id}"),
            )
                .into_response()
        }
    }
}
