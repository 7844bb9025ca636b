//! The request layer: every request gets one id (kept from `X-Request-Id` only when the peer
//! is a configured trusted proxy), served inside a tracing span that names it, readable anywhere
//! below through `crate::request_id::current()`, and returned in the `X-Request-Id` header. It also
//! sets the language page errors fall back to (`web::page_error`).

use crate::outbound::Net;
use crate::request_id;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::net::SocketAddr;
use std::sync::Arc;
use tracing::Instrument;

pub const HEADER: &str = "x-request-id";

/// `server.trusted_proxies`, parsed once.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Arc<Vec<Net>>);

impl TrustedProxies {
    pub fn from_config(list: &str) -> TrustedProxies {
        TrustedProxies(Arc::new(
            list.split(',')
                .map(str::trim)
                .filter_map(Net::parse)
                .collect(),
        ))
    }

    fn trusts(&self, peer: Option<SocketAddr>) -> bool {
        peer.is_some_and(|p| self.0.iter().any(|n| n.contains(p.ip())))
    }
}

pub async fn layer(
    State(trusted): State<TrustedProxies>,
    request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let incoming = request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|id| request_id::is_acceptable(id));
    let id = match incoming {
        Some(id) if trusted.trusts(peer) => id.to_string(),
        _ => request_id::fresh(),
    };
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        path = %request.uri().path(),
        route = tracing::field::Empty,
        status = tracing::field::Empty,
        client_id = tracing::field::Empty,
        account_id = tracing::field::Empty,
    );
    // The language page errors fall back to is set here too: one layer per request, not two.
    let lang = crate::web::page_error::language_of(&request);
    let inner = crate::web::page_error::with_request_lang(lang, next.run(request));
    let mut response = request_id::scope(id.clone(), inner.instrument(span)).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, v);
    }
    response
}
