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
