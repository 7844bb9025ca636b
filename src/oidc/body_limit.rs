//! Body size limits of the protocol endpoints, enforced before any other work: a request over the
//! limit is answered 413 with an OAuth error body, whether it announces its length or streams.

use super::error::OAuthError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Token, introspection, revocation, userinfo and logout requests: a client assertion and a few
/// short parameters.
pub const SMALL: usize = 16 * 1024;
/// Authorization and pushed authorization requests, which may carry a request object by value.
pub const WITH_REQUEST_OBJECT: usize = 64 * 1024;

fn too_large(limit: usize) -> Response {
    OAuthError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "invalid_request",
        format!("the request body is larger than {} KiB", limit / 1024),
    )
    .into_response()
}

/// Middleware: `State(limit)` is the largest body accepted, in bytes.
pub async fn limit(State(limit): State<usize>, req: Request, next: Next) -> Response {
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit as u64) {
        return too_large(limit);
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return too_large(limit);
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Everything else (pages, the admin API): the largest is a signature upload (128 KiB of files).
pub const PAGES: usize = 256 * 1024;

/// `route` with its body limited to `limit` bytes.
pub fn limited<S>(
    route: axum::routing::MethodRouter<S>,
    limit: usize,
) -> axum::routing::MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    route.layer(axum::middleware::from_fn_with_state(limit, self::limit))
}
