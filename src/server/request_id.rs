//! The request layer: every request gets one id (kept from `X-Request-Id` only when the peer
//! is a configured trusted proxy) and the client's address (`web::client_ip`, past trusted
//! proxies), served inside a tracing span that names it, readable anywhere
//! below through `crate::request_id::current()`, and returned in the `X-Request-Id` header. It also
//! sets the language page errors fall back to (`web::page_error`), and answers 408 for a request
//! whose body missed its deadline (`server::body_deadline`).

use super::body_deadline;
use crate::request_id;
use crate::web::client_ip::{self, ClientIp, TrustedProxies};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::net::SocketAddr;
use tracing::Instrument;

pub const HEADER: &str = "x-request-id";

pub async fn layer(
    State(trusted): State<TrustedProxies>,
    mut request: Request,
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
        Some(id) if peer.is_some_and(|p| trusted.trusts(p.ip())) => id.to_string(),
        _ => request_id::fresh(),
    };
    // The client's address, past the trusted proxies: read by ClientMeta for everything below.
    if let Some(p) = peer {
        let ip = client_ip::resolve(p, request.headers(), &trusted);
        request.extensions_mut().insert(ClientIp(ip));
    }
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
    let uri = request.uri().clone();
    let inner = crate::web::page_error::with_request_lang(lang, next.run(request));
    let (mut response, late_body) =
        body_deadline::watch(request_id::scope(id.clone(), inner.instrument(span))).await;
    if late_body {
        // Inside the request's id, which the ESIA answer quotes.
        let late = async { body_deadline::answer(uri.path(), lang, &id) };
        response = request_id::scope(id.clone(), late).await;
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, v);
    }
    response
}
