//! CSRF protection for every form: a random token in an HttpOnly SameSite cookie, echoed in a hidden
//! field and compared in constant time (double submit). A cross-site page can neither read nor set it.

use super::cookies;
use axum::http::{HeaderMap, HeaderValue};

pub const COOKIE: &str = "vhod_csrf";
pub const FIELD: &str = "csrf";

/// The token for a form on this page, and the Set-Cookie to send if the browser has none yet.
pub fn token(headers: &HeaderMap, secure: bool) -> (String, Option<HeaderValue>) {
    match cookies::get(headers, COOKIE) {
        Some(t) if is_well_formed(&t) => (t, None),
        _ => {
            let t = crate::crypto::random_token();
            let cookie = cookies::set(COOKIE, &t, None, secure);
            (t, Some(cookie))
        }
    }
}

pub fn verify(headers: &HeaderMap, submitted: Option<&str>) -> bool {
    match (cookies::get(headers, COOKIE), submitted) {
        (Some(cookie), Some(field)) if is_well_formed(&cookie) => {
            crate::crypto::ct_eq(&cookie, field)
        }
        _ => false,
    }
}

fn is_well_formed(t: &str) -> bool {
    t.len() == 43
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
