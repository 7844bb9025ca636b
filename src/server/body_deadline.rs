//! A deadline on a request's body: it must arrive within `server.body_read_timeout_secs` of the
//! request's head. hyper's timer bounds only the head, so a client could send a form's head at
//! once and then its body a byte now and then — and hold a connection, and the handler that
//! waits for the body, for as long as it liked: a few thousand such clients would take every
//! connection `server.max_connections` allows. Past the deadline the body ends in an error, the
//! handler's read fails, and [`answer`] replaces whatever the handler made of that with 408 in the
//! caller's kind of answer, closing the connection.
//!
//! Only a body that keeps the server waiting costs a timer: one that has arrived by the time it is
//! read never registers one.

use crate::admin::problem::Problem;
use crate::oidc::error::OAuthError;
use crate::web::pages::error_page_with_id;
use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper::body::{Body, Frame, SizeHint};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// Set when a request's body missed its deadline; the request carries it as an extension.
#[derive(Clone, Debug, Default)]
pub struct BodyDeadline(Arc<AtomicBool>);

impl BodyDeadline {
    pub fn missed(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The error a late body ends in.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within {0:?}")]
pub struct BodyTooSlow(Duration);

/// `inner` with a deadline `limit` from now.
pub struct Deadline<B> {
    inner: B,
    limit: Duration,
    until: Instant,
    /// Made the first time the body keeps the reader waiting.
    timer: Option<Pin<Box<Sleep>>>,
    missed: BodyDeadline,
}

impl<B> Deadline<B> {
    pub fn new(inner: B, limit: Duration) -> (Self, BodyDeadline) {
        let missed = BodyDeadline::default();
        let body = Deadline {
            inner,
            limit,
            until: Instant::now() + limit,
            timer: None,
            missed: missed.clone(),
        };
        (body, missed)
    }
}

impl<B> Body for Deadline<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<axum::BoxError>,
{
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if this.missed.missed() {
            return Poll::Ready(Some(Err(BodyTooSlow(this.limit).into())));
        }
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            // A body that trickles in is also cut at the deadline, frame by frame.
            if this.timer.is_none() || Instant::now() < this.until {
                return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
            }
        } else {
            let until = this.until;
            let timer = this
                .timer
                .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(until)));
            ready!(timer.as_mut().poll(cx));
        }
        this.missed.0.store(true, Ordering::Relaxed);
        Poll::Ready(Some(Err(BodyTooSlow(this.limit).into())))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The answer to a request whose body missed its deadline, in the kind of answer its address
/// gives (`server::fallback` tells them apart), with the connection closed after it.
pub fn answer(path: &str, lang: crate::lang::Lang, request_id: &str) -> Response {
    tracing::info!(path, "request body not received in time: answered 408");
    let status = StatusCode::REQUEST_TIMEOUT;
    let detail = format!("the request body did not arrive in time; request id {request_id}");
    let mut response = if path.starts_with("/admin/api/") {
        Problem::new(status, "Request refused", detail).into_response()
    } else if super::fallback::is_protocol(path) {
        let mut e = OAuthError::invalid_request(detail);
        e.status = status;
        e.into_response()
    } else {
        error_page_with_id(lang, status, "error.body_timeout", request_id.to_owned())
    };
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    type Sender = futures::channel::mpsc::UnboundedSender<Result<Bytes, std::io::Error>>;

    /// A body fed by the test, a chunk at a time, with the deadline of 30 s.
    fn body() -> (Sender, axum::body::Body, BodyDeadline) {
        let (tx, rx) = futures::channel::mpsc::unbounded();
        let (body, missed) =
            Deadline::new(axum::body::Body::from_stream(rx), Duration::from_secs(30));
        (tx, axum::body::Body::new(body), missed)
    }

    async fn read(body: axum::body::Body) -> Result<Bytes, axum::BoxError> {
        axum::body::to_bytes(body, usize::MAX)
            .await
            .map_err(axum::Error::into_inner)
    }

    fn too_slow(err: &axum::BoxError) -> bool {
        let mut e: Option<&(dyn std::error::Error + 'static)> = Some(err.as_ref());
        while let Some(now) = e {
            if now.is::<BodyTooSlow>() {
                return true;
            }
            e = now.source();
        }
        false
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_arrives_in_time_is_read_whole() {
        let (tx, body, missed) = body();
        let sender = tokio::spawn(async move {
            for part in ["grant_type=", "client_credentials"] {
                tokio::time::sleep(Duration::from_secs(10)).await;
                tx.unbounded_send(Ok(Bytes::from(part))).unwrap();
            }
        });
        let bytes = read(body).await.expect("in time");
        assert_eq!(&bytes[..], b"grant_type=client_credentials");
        assert!(!missed.missed());
        sender.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_trickles_past_the_deadline_fails_and_says_so() {
        let (tx, body, missed) = body();
        // A byte every 5 s, for ever: each chunk is prompt, the whole is not.
        let sender = tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(5)).await;
                if tx.unbounded_send(Ok(Bytes::from("a"))).is_err() {
                    return;
                }
            }
        });
        let started = Instant::now();
        let err = read(body).await.expect_err("cut at the deadline");
        assert!(too_slow(&err), "{err}");
        assert!(missed.missed());
        assert_eq!(started.elapsed(), Duration::from_secs(30));
        sender.abort();
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_stops_arriving_fails_at_the_deadline() {
        let (tx, body, missed) = body();
        tx.unbounded_send(Ok(Bytes::from("grant_type="))).unwrap();
        let started = Instant::now();
        let err = read(body).await.expect_err("never finished");
        assert!(too_slow(&err), "{err}");
        assert!(missed.missed());
        assert_eq!(started.elapsed(), Duration::from_secs(30));
        drop(tx);
    }
}
