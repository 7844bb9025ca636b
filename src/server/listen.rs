//! The HTTP/1.1 listener of `vhod serve` (and of the tests' servers). hyper's connection runs with
//! a timer, so a client must send a request's head within `server.header_read_timeout_secs`,
//! counted from the connection's start or from the end of the previous response — a client that
//! sends its head a byte at a time, or a keep-alive connection left idle, is closed after as long —
//! and at most `server.max_connections` connections are served at once (more wait in the kernel's
//! backlog until one closes). A request's body must arrive within `server.body_read_timeout_secs`
//! of its head (`server::body_deadline`). `axum::serve` sets no timer, so neither bound held: a few thousand
//! connections that never finish a request would have held a node's tasks and file descriptors.
//!
//! On stop: no more connections are accepted; each open one finishes the request it is serving
//! and closes; [`serve`] returns once all have. Before that, while the process drains
//! (`server::drain`), every answer closes its connection.

use super::body_deadline::Deadline;
use super::drain::Drain;
use crate::config::Config;
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

/// The bounds a connection is served within.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub header_read_timeout: Duration,
    pub body_read_timeout: Duration,
    pub max_connections: usize,
}

impl Limits {
    pub fn from_config(config: &Config) -> Limits {
        Limits {
            header_read_timeout: Duration::from_secs(config.server.header_read_timeout_secs.max(1)),
            body_read_timeout: Duration::from_secs(config.server.body_read_timeout_secs.max(1)),
            max_connections: config.server.max_connections.max(1),
        }
    }
}

/// Serves `router` on `listener` until `stop` completes, then lets open connections finish their
/// request and returns when they have. Each request carries its peer as `ConnectInfo`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    stop: impl Future<Output = ()> + Send,
) {
    serve_draining(listener, router, limits, Drain::default(), stop).await;
}

/// As [`serve`], with the process's [`Drain`]: each request carries it (for `/readyz`), and each
/// answer while it is on closes its connection.
pub async fn serve_draining(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    drain: Drain,
    stop: impl Future<Output = ()> + Send,
) {
    let max = limits
        .max_connections
        .clamp(1, u32::MAX as usize)
        .min(Semaphore::MAX_PERMITS);
    let slots = Arc::new(Semaphore::new(max));
    let (closing_tx, closing_rx) = watch::channel(false);
    let mut stop = std::pin::pin!(stop);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    wait_after_accept_error(&e).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let (on_request, on_response) = (drain.clone(), drain.clone());
        let service = router
            .clone()
            .map_request(move |mut req: hyper::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req.extensions_mut().insert(on_request.clone());
                req.map(|body| Body::new(Deadline::new(body, limits.body_read_timeout)))
            })
            .map_response(move |res| on_response.mark(res));
        let mut closing = closing_rx.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let conn = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout)
                .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            let mut conn = std::pin::pin!(conn);
            let stopping = async move {
                let _ = closing.wait_for(|c| *c).await;
            };
            tokio::select! {
                _ = conn.as_mut() => {}
                () = stopping => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    drop(listener);
    let _ = closing_tx.send(true);
    // Every connection holds a slot until it ends: all slots back means all connections closed.
    let all = u32::try_from(max).expect("clamped to u32 above");
    let _ = slots.acquire_many(all).await;
}

/// A failed accept: a connection reset before it was taken is nothing; anything else (no file
/// descriptors left, above all) is logged and waited out briefly rather than retried in a spin.
async fn wait_after_accept_error(e: &std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::warn!(error = %e, "accepting a connection failed");
    tokio::time::sleep(Duration::from_millis(100)).await;
}
