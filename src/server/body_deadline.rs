//! A deadline on a request's body: it must arrive within `server.body_read_timeout_secs` of the
//! moment it first keeps its reader waiting (for a body read at once, as every handler here does:
//! of the request's head). hyper's timer bounds only the head, so a client could send a form's
//! head at once and then its body a byte now and then — and hold a connection, and the handler
//! that waits for the body, for as long as it liked: a few thousand such clients would take every
//! connection `server.max_connections` allows. Past the deadline the body ends in an error, the
//! handler's read fails, and [`answer`] replaces whatever the handler made of that with 408 in the
//! caller's kind of answer, closing the connection.
//!
//! Only a body that keeps the server waiting costs a timer (or a clock read): one that has arrived
//! by the time it is read never registers one.

use crate::admin::problem::Problem;
use crate::esia::errors::EsiaError;
use crate::oidc::error::OAuthError;
use crate::web::pages::error_page_with_id;
use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper::body::{Body, Frame, SizeHint};
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

tokio::task_local! {
    /// Whether a body read in this request missed its deadline (set by [`Deadline`]).
    static MISSED: Cell<bool>;
}

/// Runs `f` (one request) and says whether a body it read missed its deadline. A body read
/// outside such a scope still fails at its deadline; only the 408 is then the handler's to make.
pub async fn watch<F: Future>(f: F) -> (F::Output, bool) {
    MISSED
        .scope(Cell::new(false), async move {
            let out = f.await;
            (out, MISSED.with(Cell::get))
        })
        .await
}

/// The error a late body ends in.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within {0:?}")]
pub struct BodyTooSlow(Duration);

/// `inner`, which must arrive within `limit` of the first time it keeps its reader waiting.
pub struct Deadline<B> {
    inner: B,
    limit: Duration,
    /// Made the first time the body keeps the reader waiting.
    timer: Option<Pin<Box<Sleep>>>,
    missed: bool,
}

impl<B> Deadline<B> {
    pub fn new(inner: B, limit: Duration) -> Self {
        Deadline {
            inner,
            limit,
            timer: None,
            missed: false,
        }
    }

    fn miss(&mut self) -> Poll<Option<Result<Frame<Bytes>, axum::BoxError>>> {
        self.missed = true;
        let _ = MISSED.try_with(|m| m.set(true));
        Poll::Ready(Some(Err(BodyTooSlow(self.limit).into())))
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
        if this.missed {
            return this.miss();
        }
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            // A body that trickles in is also cut at the deadline, frame by frame.
            let late = this
                .timer
                .as_ref()
                .is_some_and(|t| Instant::now() >= t.deadline());
            if !late {
                return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
            }
        } else {
            let limit = this.limit;
            let timer = this
                .timer
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
            ready!(timer.as_mut().poll(cx));
        }
        this.miss()
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// ESIA's token endpoints (the portal's server posts there, not a person).
const ESIA_TOKEN: [&str; 2] = ["/aas/oauth2/v3/te", "/aas/oauth2/te"];

/// The answer to a request whose body missed its deadline, in the kind of answer its address
/// gives (`server::fallback` tells them apart), with the connection closed after it.
pub fn answer(path: &str, lang: crate::lang::Lang, request_id: &str) -> Response {
    tracing::info!(path, "request body not received in time: answered 408");
    let status = StatusCode::REQUEST_TIMEOUT;
    let detail = format!("the request body did not arrive in time; request id {request_id}");
    let mut response = if path.starts_with("/admin/api/") {
        Problem::new(status, "Request refused", detail).into_response()
    } else if ESIA_TOKEN.contains(&path) {
        // ESIA's token endpoints answer in ESIA's codes (a body that did not arrive: its
        // parameters are not readable).
        let mut r = EsiaError::BadParameter("request body".into()).json(None);
        *r.status_mut() = status;
        r
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
    fn body() -> (Sender, axum::body::Body) {
        let (tx, rx) = futures::channel::mpsc::unbounded();
        let body = Deadline::new(axum::body::Body::from_stream(rx), Duration::from_secs(30));
        (tx, axum::body::Body::new(body))
    }

    /// Reads the whole body as a request would; whether the request's scope saw the deadline missed.
    async fn read(body: axum::body::Body) -> (Result<Bytes, axum::BoxError>, bool) {
        let (bytes, missed) = watch(axum::body::to_bytes(body, usize::MAX)).await;
        (bytes.map_err(axum::Error::into_inner), missed)
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

    /// Reading `body` fails after exactly the deadline, with the late body's error, and the
    /// request's scope sees it missed.
    async fn cut_at_the_deadline(body: axum::body::Body) {
        let started = Instant::now();
        let (bytes, missed) = read(body).await;
        let err = bytes.expect_err("cut at the deadline");
        assert!(too_slow(&err), "{err}");
        assert!(missed);
        assert_eq!(started.elapsed(), Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_arrives_in_time_is_read_whole() {
        let (tx, body) = body();
        let sender = tokio::spawn(async move {
            for part in ["grant_type=", "client_credentials"] {
                tokio::time::sleep(Duration::from_secs(10)).await;
                tx.unbounded_send(Ok(Bytes::from(part))).unwrap();
            }
        });
        let (bytes, missed) = read(body).await;
        assert_eq!(
            &bytes.expect("in time")[..],
            b"grant_type=client_credentials"
        );
        assert!(!missed);
        sender.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_trickles_past_the_deadline_fails_and_says_so() {
        let (tx, body) = body();
        // A byte every 5 s, for ever: each chunk is prompt, the whole is not.
        let sender = tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(5)).await;
                if tx.unbounded_send(Ok(Bytes::from("a"))).is_err() {
                    return;
                }
            }
        });
        cut_at_the_deadline(body).await;
        sender.abort();
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_stops_arriving_fails_at_the_deadline() {
        let (tx, body) = body();
        tx.unbounded_send(Ok(Bytes::from("grant_type="))).unwrap();
        cut_at_the_deadline(body).await;
        drop(tx);
    }

    #[test]
    fn each_kind_of_address_gets_its_kind_of_408() {
        let kind = |path: &str| {
            let r = answer(path, crate::lang::Lang::En, "rid");
            assert_eq!(r.status(), 408);
            assert_eq!(r.headers()["connection"], "close");
            r.headers()["content-type"].to_str().unwrap().to_owned()
        };
        assert!(kind("/token").starts_with("application/json"));
        assert!(kind("/aas/oauth2/v3/te").starts_with("application/json"));
        assert!(kind("/admin/api/clients").starts_with("application/problem+json"));
        assert!(kind("/register").starts_with("text/html"));
    }
}
