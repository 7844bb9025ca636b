//! Post/Redirect/Get: a successful form POST answers 303 to a page address and leaves what the
//! page should say in a short-lived HttpOnly cookie the next GET reads once. A reload of the
//! result page then only shows it again (no second key rotation, no second code), and the address
//! in the browser is one a GET can open.

use super::cookies;
use crate::crypto;
use crate::ctx::Ctx;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;

pub const COOKIE: &str = "vhod_flash";
const TTL: i64 = 120;

fn cookie(app: &Ctx, value: &str, max_age: i64) -> HeaderValue {
    let mut c = format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}");
    if app.config.issuer_is_https() {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("base64url is a valid cookie value")
}

/// 303 to `to`, with `message` for the page to show once.
pub fn redirect(app: &Ctx, to: &str, message: &str) -> Response {
    let mut res = Redirect::to(to).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie(app, &crypto::b64url(message.as_bytes()), TTL),
    );
    res
}

/// The message left by the POST before, if any, and the header that spends it.
pub fn take(app: &Ctx, headers: &HeaderMap) -> Option<(String, HeaderValue)> {
    let raw = cookies::get(headers, COOKIE)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw.as_bytes())
        .ok()?;
    let message = String::from_utf8(bytes).ok()?;
    Some((message, cookie(app, "", 0)))
}
