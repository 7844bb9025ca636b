//! Security headers on every response; no-store on everything but discovery, JWKS and static files;
//! HSTS whenever the issuer is https (the public address is what browsers see, whatever the
//! listener in front of a TLS-terminating proxy speaks).

use crate::config::Config;
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::middleware::Next;
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

pub async fn security_headers(State(policy): State<Policy>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if let Some(v) = &policy.hsts {
        h.insert(header::STRICT_TRANSPORT_SECURITY, v.clone());
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
    let cacheable = path == "/.well-known/openid-configuration"
        || path == "/jwks"
        || path.starts_with("/static/");
    if !cacheable && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    }
    res
}
