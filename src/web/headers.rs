//! Security headers on every response; no-store on everything but discovery, JWKS and static files;
//! HSTS whenever the issuer is https (the public address is what browsers see, whatever the
//! listener in front of a TLS-terminating proxy speaks).

use crate::config::Config;
use axum::extract::Request;
use axum::http::header::{self, HeaderValue};
use axum::response::Response;

/// One year, the minimum browsers' preload lists accept (RFC 6797 §6.1.1).
pub const HSTS_MAX_AGE: u64 = 31_536_000;

/// What the configuration decides for every response: the Strict-Transport-Security value, if any.
#[derive(Clone)]
pub struct Policy {
    hsts: Option<HeaderValue>,
}

impl Policy {
    pub fn from_config(config: &Config) -> Policy {
        let hsts = config.issuer_is_https().then(|| {
            let sub = if config.server.hsts_include_subdomains {
                "; includeSubDomains"
            } else {
                ""
            };
            HeaderValue::from_str(&format!("max-age={HSTS_MAX_AGE}{sub}"))
                .expect("a valid header value")
        });
        Policy { hsts }
    }
}

impl<S> tower::Layer<S> for Policy {
    type Service = SecurityHeaders<S>;

    fn layer(&self, inner: S) -> SecurityHeaders<S> {
        SecurityHeaders {
            inner,
            policy: self.clone(),
        }
    }
}

/// The service [`Policy`] wraps around the router: it sets the headers on the inner service's
/// answer as it comes back, in a future of its own rather than a boxed one (`from_fn` would box
/// the request's future once more and copy it there).
#[derive(Clone)]
pub struct SecurityHeaders<S> {
    inner: S,
    policy: Policy,
}

impl<S> tower::Service<Request> for SecurityHeaders<S>
where
    S: tower::Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Answer<S::Future>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let path = req.uri().path();
        let cacheable = path == "/.well-known/openid-configuration"
            || path == "/jwks"
            || path.starts_with("/static/");
        Answer {
            inner: self.inner.call(req),
            hsts: self.policy.hsts.clone(),
            cacheable,
        }
    }
}

pin_project_lite::pin_project! {
    /// The inner service's answer, with the headers set once it is ready.
    pub struct Answer<F> {
        #[pin]
        inner: F,
        hsts: Option<HeaderValue>,
        cacheable: bool,
    }
}

impl<F, E> std::future::Future for Answer<F>
where
    F: std::future::Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let this = self.project();
        let mut res = std::task::ready!(this.inner.poll(cx))?;
        set(&mut res, this.hsts.take(), *this.cacheable);
        std::task::Poll::Ready(Ok(res))
    }
}

fn set(res: &mut Response, hsts: Option<HeaderValue>, cacheable: bool) {
    let h = res.headers_mut();
    if let Some(v) = hsts {
        h.insert(header::STRICT_TRANSPORT_SECURITY, v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !cacheable && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    }
}
