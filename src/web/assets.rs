//! Static scripts served from the binary (CSP allows only same-origin script files, never inline).

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The proof-of-work solver of the login page (see authn::challenge).
pub async fn pow_script() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/javascript; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/pow.js"),
    )
        .into_response()
}

/// The progressive enhancements every page loads (static/ui.js).
pub async fn ui_script() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/javascript; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/ui.js"),
    )
        .into_response()
}

/// The icon of the service (also at /favicon.ico, where browsers look without being told).
pub async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../../static/favicon.svg"),
    )
        .into_response()
}
