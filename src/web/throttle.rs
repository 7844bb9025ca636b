//! Per-IP rate limit (governor, GCRA) in front of every authentication endpoint: the POSTs that
//! check a password or a code or send one. Per node and in memory on purpose: it blunts floods;
//! the durable per-account and per-IP counters of authn::lockout do the accounting.

use super::meta::ClientMeta;
use super::pages::error_page;
use crate::config::Config;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use governor::{DefaultKeyedRateLimiter, Quota};
use std::num::NonZeroU32;
use std::sync::Arc;

pub type IpLimiter = Arc<DefaultKeyedRateLimiter<String>>;

/// Paths whose POSTs authenticate someone or send a code.
const GUARDED: [&str; 4] = ["/login", "/register", "/recover", "/account/security"];

pub fn limiter(config: &Config) -> IpLimiter {
    let c = &config.login;
    let per_minute = NonZeroU32::new(c.rate_per_minute.max(1)).expect("at least one");
    let burst = NonZeroU32::new(c.rate_burst.max(1)).expect("at least one");
    Arc::new(DefaultKeyedRateLimiter::keyed(
        Quota::per_minute(per_minute).allow_burst(burst),
    ))
}

fn is_guarded(method: &Method, path: &str) -> bool {
    method == Method::POST && GUARDED.iter().any(|p| path.starts_with(p))
}

pub async fn limit(
    State(limiter): State<IpLimiter>,
    meta: ClientMeta,
    req: Request,
    next: Next,
) -> Response {
    if !is_guarded(req.method(), req.uri().path()) {
        return next.run(req).await;
    }
    if limiter.len() > 100_000 {
        limiter.retain_recent();
    }
    if limiter.check_key(&meta.ip).is_err() {
        tracing::warn!(ip = %meta.ip, path = req.uri().path(), "rate limit exceeded");
        return error_page(
            meta.lang(None),
            StatusCode::TOO_MANY_REQUESTS,
            "error.rate_limited",
        );
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_authentication_posts_are_limited() {
        assert!(is_guarded(&Method::POST, "/login"));
        assert!(is_guarded(&Method::POST, "/register/confirm"));
        assert!(is_guarded(&Method::POST, "/recover/code"));
        assert!(!is_guarded(&Method::GET, "/login"));
        assert!(!is_guarded(&Method::POST, "/token"));
    }
}
