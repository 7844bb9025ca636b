//! Per-IP rate limit (governor, GCRA) in front of every authentication endpoint: the POSTs that
//! check a password or a code or send one. Per node and in memory on purpose: it blunts floods;
//! the durable per-account and per-IP counters of authn::lockout do the accounting.

use super::meta::ClientMeta;
use super::pages::error_page;
use crate::config::Config;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use governor::{DefaultKeyedRateLimiter, Quota};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Paths whose POSTs authenticate someone or send a code.
const GUARDED: [&str; 4] = ["/login", "/register", "/recover", "/account/security"];

/// Addresses remembered before the first sweep of those whose allowance is whole again.
const FIRST_SWEEP_AT: usize = 100_000;

/// The per-IP limiter and the size at which it next forgets the addresses it no longer needs:
/// twice what the last sweep left, so that many addresses in use at once (IPv6 makes them cheap)
/// cost a sweep now and then, not one at every request.
pub struct IpThrottle {
    limiter: DefaultKeyedRateLimiter<String>,
    sweep_at: AtomicUsize,
    first_sweep_at: usize,
}

pub type IpLimiter = Arc<IpThrottle>;

pub fn limiter(config: &Config) -> IpLimiter {
    let c = &config.login;
    let per_minute = NonZeroU32::new(c.rate_per_minute.max(1)).expect("at least one");
    let burst = NonZeroU32::new(c.rate_burst.max(1)).expect("at least one");
    Arc::new(IpThrottle {
        limiter: DefaultKeyedRateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst)),
        sweep_at: AtomicUsize::new(FIRST_SWEEP_AT),
        first_sweep_at: FIRST_SWEEP_AT,
    })
}

impl IpThrottle {
    /// Whether `ip` may make one more attempt now.
    fn allows(&self, ip: &String) -> bool {
        if self.limiter.len() >= self.sweep_at.load(Ordering::Relaxed) {
            self.limiter.retain_recent();
            self.sweep_at.store(
                (self.limiter.len() * 2).max(self.first_sweep_at),
                Ordering::Relaxed,
            );
        }
        self.limiter.check_key(ip).is_ok()
    }
}

fn is_guarded(method: &Method, path: &str) -> bool {
    method == Method::POST && GUARDED.iter().any(|p| path.starts_with(p))
}

pub async fn limit(State(throttle): State<IpLimiter>, req: Request, next: Next) -> Response {
    if !is_guarded(req.method(), req.uri().path()) {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let Ok(meta) = ClientMeta::from_request_parts(&mut parts, &()).await;
    if !throttle.allows(&meta.ip) {
        tracing::warn!(ip = %meta.ip, path = parts.uri.path(), "rate limit exceeded");
        return error_page(
            meta.lang(None),
            StatusCode::TOO_MANY_REQUESTS,
            "error.rate_limited",
        );
    }
    next.run(Request::from_parts(parts, body)).await
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

    #[test]
    fn addresses_in_use_at_once_are_swept_a_few_times_and_keep_their_allowance() {
        let one = NonZeroU32::new(1).unwrap();
        let throttle = IpThrottle {
            limiter: DefaultKeyedRateLimiter::keyed(Quota::per_minute(one).allow_burst(one)),
            sweep_at: AtomicUsize::new(1_000),
            first_sweep_at: 1_000,
        };
        let ip = |i: u32| format!("2001:db8::{i:x}");
        for i in 0..8_000 {
            assert!(throttle.allows(&ip(i)), "first attempt of {}", ip(i));
        }
        // Every address is within its minute: the sweeps at 1 000, 2 000 and 4 000 kept them
        // all, and the next comes at 8 000 (it was: one at every request past the first size).
        assert_eq!(throttle.sweep_at.load(Ordering::Relaxed), 8_000);
        assert_eq!(throttle.limiter.len(), 8_000);
        assert!(
            !throttle.allows(&ip(7)),
            "a swept-over address keeps its count"
        );
        assert_eq!(throttle.sweep_at.load(Ordering::Relaxed), 16_000);
        assert_eq!(throttle.limiter.len(), 8_000);
    }
}
