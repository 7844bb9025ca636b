//! The drain before a stop (`server.drain_secs`): after SIGTERM a node first goes on serving every
//! request for that long while `/readyz` answers 503 `"status":"stopping"`, so that a balancer
//! which checks it (or an orchestrator that removes the node from its endpoints meanwhile) sends
//! new requests elsewhere before the node stops accepting; each answer in that time says
//! `Connection: close`, so the balancer's kept-alive connections to the node end with their
//! request rather than being closed under a request it is about to send. The listener hands the
//! flag to every request (`listen::serve_draining`).

use axum::http::{HeaderValue, Response, header};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether the node is draining; one per process, shared by its listeners.
#[derive(Clone, Debug, Default)]
pub struct Drain(Arc<AtomicBool>);

impl Drain {
    /// From now on `/readyz` says "stopping" and answers close their connections.
    pub fn start(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_on(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// `Connection: close` on `response` while draining.
    pub fn mark<B>(&self, mut response: Response<B>) -> Response<B> {
        if self.is_on() {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}
