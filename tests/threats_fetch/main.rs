//! Issue 10, the "fetch" group: what an attacker could make vhod fetch or compute without
//! credentials (SSRF through client-named URLs, quadratic parameter parsing, jwks_uri refetch
//! amplification), unsigned request objects, client authentication methods, and one secret used for
//! several purposes.

#[path = "../common/mod.rs"]
mod common;

use common::*;
use josekit::jws::{JwsHeader, RS256};
use josekit::jwt::{self, JwtPayload};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use vhod::clients::{self, AuthMethod, NewClient};

/// A TCP listener on `addr` that counts the connections it accepts (and answers none).
async fn tripwire(addr: &str) -> Option<(u16, Arc<AtomicUsize>)> {
    let listener = tokio::net::TcpListener::bind(addr).await.ok()?;
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(AtomicUsize::new(0));
    let count = seen.clone();
    tokio::spawn(async move {
        while let Ok((_sock, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
        }
    });
    Some((port, seen))
}

/// A test server whose outbound guard has the production default: nothing internal allowed.
async fn strict_server(backend: &Backend) -> TestServer {
    let mut config = test_config(backend);
    config.outbound.allow = String::new();
    TestServer::start_with(backend, config).await
}

/// A small JSON server on loopback counting its requests; `body` is what it serves (status 200),
/// or None for 500.
async fn counting_server(path: &'static str, body: Option<Value>) -> (u16, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let count = hits.clone();
    let app = axum::Router::new().route(
        path,
        axum::routing::get(move || {
            count.fetch_add(1, Ordering::SeqCst);
            let body = body.clone();
            async move {
                match body {
                    Some(v) => (axum::http::StatusCode::OK, axum::Json(v)),
                    None => (
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                        axum::Json(json!({})),
                    ),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, hits)
}

fn authorize_with_request_uri(t: &TestServer, client_id: &str, request_uri: &str) -> String {
    let mut url = url::Url::parse(&format!("{}/authorize", t.base)).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", client_id)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid")
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("request_uri", request_uri);
    url.to_string()
}

mod bodies_and_jwks;
mod request_objects_and_keys;
mod request_uri;
