//! Per-request observation: the metrics of every request (by matched route template, method and
//! status), its one access-log line (request id, route, status, latency, client and account when
//! known — never the query string, a form or a header), and the 503 rule: a request that failed
//! because the database or the cache could not be reached is answered 503 with Retry-After, so
//! clients and balancers retry instead of treating it as a bug.

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

/// Seconds a client is asked to wait when a dependency is away.
pub const RETRY_AFTER_SECS: u64 = 5;

pub async fn layer(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let matched = request.extensions().get::<MatchedPath>().cloned();
    let route = matched.as_ref().map_or("unmatched", MatchedPath::as_str);
    let method = crate::metrics::method_label(request.method().as_str());
    let (mut response, unreachable) = crate::metrics::watch_dependencies(next.run(request)).await;
    if let Some(which) = unreachable
        && response.status().is_server_error()
    {
        *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
        tracing::warn!(dependency = which, "dependency unreachable: answered 503");
    }
    let status = response.status().as_u16();
    let seconds = started.elapsed().as_secs_f64();
    crate::metrics::http_request(route, method, status, seconds);
    let span = tracing::Span::current();
    span.record("route", route);
    span.record("status", status);
    tracing::info!(
        latency_ms = (seconds * 1000.0 * 10.0).round() / 10.0,
        "request served"
    );
    response
}
