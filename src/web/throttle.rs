//! Per-address rate limits (governor, GCRA), per node and in memory on purpose — they blunt
//! floods; the durable per-account and per-address counters of authn::lockout do the accounting:
//! - the POSTs that check a password or a code or send one (`login.rate_per_minute`);
//! - the authorization requests that start a sign-in in a browser (`/authorize`, ESIA's
//!   `/aas/oauth2/v2/ac` and `/aas/oauth2/ac`; `login.authorize_rate_per_minute`): each keeps a
//!   login transaction for `session.login_tx_ttl`, so without a limit one address could fill the
//!   cache's memory.
//!
//! A refusal is 429 with `Retry-After` (the seconds until the address may again).
//!
//! An address is counted by its block (`types::net::address_block`: an IPv6 address with its /64),
//! the client's address as the request layer resolved it past trusted proxies.

use super::meta::ClientMeta;
use super::pages::error_page;
use crate::config::Config;
use crate::types::net::address_block;
use axum::extract::Request;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::Response;
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Paths whose POSTs authenticate someone or send a code.
const GUARDED: [&str; 4] = ["/login", "/register", "/recover", "/account/security"];

/// Paths whose GETs and POSTs start an authorization request in a browser (a login transaction).
/// (A portal's server pushes requests and starts device grants for all its users from one
/// address; what a public client starts there is limited after it is known to be public:
/// `oidc::public_quota`.)
const AUTHORIZATION: [&str; 3] = ["/authorize", "/aas/oauth2/v2/ac", "/aas/oauth2/ac"];

/// Addresses remembered before the first sweep of those whose allowance is whole again.
const FIRST_SWEEP_AT: usize = 100_000;

/// The per-IP limiter and the size at which it next forgets the addresses it no longer needs:
/// twice what the last sweep left, so that many addresses in use at once (IPv6 makes them cheap)
/// cost a sweep now and then, not one at every request.
pub struct IpThrottle {
    /// Its name in the metric of refusals.
    name: &'static str,
    limiter: DefaultKeyedRateLimiter<String>,
    sweep_at: AtomicUsize,
    first_sweep_at: usize,
}

/// The two limits: authentication attempts and authorization requests; and the second in which a
/// refusal was last logged — a flood is counted in full (`vhod_rate_limited_total`) but writes at
/// most one log line a second, or the log would grow with it.
pub struct Throttles {
    attempts: IpThrottle,
    authorizations: IpThrottle,
    logged_second: AtomicU64,
}

pub type IpLimiter = Arc<Throttles>;

pub fn limiter(config: &Config) -> IpLimiter {
    let c = &config.login;
    Arc::new(Throttles {
        attempts: IpThrottle::new("attempts", c.rate_per_minute, c.rate_burst),
        authorizations: IpThrottle::new(
            "authorizations",
            c.authorize_rate_per_minute,
            c.authorize_rate_burst,
        ),
        logged_second: AtomicU64::new(0),
    })
}

impl IpThrottle {
    fn new(name: &'static str, per_minute: u32, burst: u32) -> IpThrottle {
        let per_minute = NonZeroU32::new(per_minute.max(1)).expect("at least one");
        let burst = NonZeroU32::new(burst.max(1)).expect("at least one");
        IpThrottle {
            name,
            limiter: DefaultKeyedRateLimiter::keyed(
                Quota::per_minute(per_minute).allow_burst(burst),
            ),
            sweep_at: AtomicUsize::new(FIRST_SWEEP_AT),
            first_sweep_at: FIRST_SWEEP_AT,
        }
    }

    /// Whether the address block `ip` may make one more request now; if not, the whole seconds
    /// until it may.
    fn allows(&self, ip: &String) -> Result<(), u64> {
        if self.limiter.len() >= self.sweep_at.load(Ordering::Relaxed) {
            self.limiter.retain_recent();
            self.sweep_at.store(
                (self.limiter.len() * 2).max(self.first_sweep_at),
                Ordering::Relaxed,
            );
        }
        self.limiter.check_key(ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.limiter.clock().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

fn is_guarded(method: &Method, path: &str) -> bool {
    method == Method::POST && GUARDED.iter().any(|p| path.starts_with(p))
}

fn is_authorization(method: &Method, path: &str) -> bool {
    (method == Method::GET || method == Method::POST) && AUTHORIZATION.contains(&path)
}

impl Throttles {
    /// Whether no refusal was logged yet in this second (and this one is to be).
    fn first_refusal_this_second(&self) -> bool {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        self.logged_second.swap(now, Ordering::Relaxed) != now
    }

    /// The limit the request counts against, if any.
    fn for_request(&self, method: &Method, path: &str) -> Option<&IpThrottle> {
        if is_guarded(method, path) {
            Some(&self.attempts)
        } else if is_authorization(method, path) {
            Some(&self.authorizations)
        } else {
            None
        }
    }
}

/// The layer that applies [`Throttles`] to the router's requests.
#[derive(Clone)]
pub struct Limit(IpLimiter);

impl Limit {
    pub fn new(config: &Config) -> Limit {
        Limit(limiter(config))
    }
}

impl<S> tower::Layer<S> for Limit {
    type Service = Limited<S>;

    fn layer(&self, inner: S) -> Limited<S> {
        Limited {
            inner,
            throttles: self.0.clone(),
        }
    }
}

/// The router behind [`Limit`]: a request a limit refuses is answered here at once, every other
/// goes on as it came (no boxed future of its own, as `from_fn` would make).
#[derive(Clone)]
pub struct Limited<S> {
    inner: S,
    throttles: IpLimiter,
}

impl<S> tower::Service<Request> for Limited<S>
where
    S: tower::Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future =
        futures::future::Either<S::Future, std::future::Ready<Result<Response, S::Error>>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        use futures::future::Either;
        let Some(throttle) = self.throttles.for_request(req.method(), req.uri().path()) else {
            return Either::Left(self.inner.call(req));
        };
        let (parts, body) = req.into_parts();
        let meta = ClientMeta::of(&parts);
        if let Err(wait) = throttle.allows(&address_block(&meta.ip)) {
            crate::metrics::rate_limited(throttle.name);
            if self.throttles.first_refusal_this_second() {
                tracing::warn!(ip = %meta.ip, path = parts.uri.path(), "rate limit exceeded");
            }
            return Either::Right(std::future::ready(Ok(refusal(&meta, wait))));
        }
        Either::Left(self.inner.call(Request::from_parts(parts, body)))
    }
}

/// 429 with `Retry-After` and the error page in the person's language.
fn refusal(meta: &ClientMeta, wait_secs: u64) -> Response {
    let mut response = error_page(
        meta.lang(None),
        StatusCode::TOO_MANY_REQUESTS,
        "error.rate_limited",
    );
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(wait_secs.max(1)));
    response
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
    fn authorization_requests_have_their_own_limit_their_continuations_none() {
        let t = Throttles {
            attempts: IpThrottle::new("attempts", 1, 1),
            authorizations: IpThrottle::new("authorizations", 1, 1),
            logged_second: AtomicU64::new(0),
        };
        let limit_of = |m: Method, p: &str| t.for_request(&m, p).map(|l| l as *const IpThrottle);
        let authz = Some(&t.authorizations as *const IpThrottle);
        assert_eq!(limit_of(Method::GET, "/authorize"), authz);
        assert_eq!(limit_of(Method::POST, "/authorize"), authz);
        assert_eq!(limit_of(Method::GET, "/aas/oauth2/v2/ac"), authz);
        assert_eq!(limit_of(Method::GET, "/aas/oauth2/ac"), authz);
        assert_eq!(limit_of(Method::POST, "/device_authorization"), None);
        assert_eq!(limit_of(Method::POST, "/par"), None);
        assert_eq!(limit_of(Method::GET, "/authorize/continue"), None);
        assert_eq!(limit_of(Method::GET, "/aas/oauth2/v2/ac/continue"), None);
        assert_eq!(limit_of(Method::GET, "/bc-authorize"), None);
        assert_eq!(
            limit_of(Method::POST, "/login"),
            Some(&t.attempts as *const IpThrottle)
        );
    }

    #[test]
    fn addresses_in_use_at_once_are_swept_a_few_times_and_keep_their_allowance() {
        let one = NonZeroU32::new(1).unwrap();
        let throttle = IpThrottle {
            name: "attempts",
            limiter: DefaultKeyedRateLimiter::keyed(Quota::per_minute(one).allow_burst(one)),
            sweep_at: AtomicUsize::new(1_000),
            first_sweep_at: 1_000,
        };
        let ip = |i: u32| format!("2001:db8::{i:x}");
        for i in 0..8_000 {
            assert!(
                throttle.allows(&ip(i)).is_ok(),
                "first attempt of {}",
                ip(i)
            );
        }
        // Every address is within its minute: the sweeps at 1 000, 2 000 and 4 000 kept them
        // all, and the next comes at 8 000 (it was: one at every request past the first size).
        assert_eq!(throttle.sweep_at.load(Ordering::Relaxed), 8_000);
        assert_eq!(throttle.limiter.len(), 8_000);
        assert_eq!(
            throttle.allows(&ip(7)),
            Err(60),
            "a swept-over address keeps its count (one a minute: 60 s to wait)"
        );
        assert_eq!(throttle.sweep_at.load(Ordering::Relaxed), 16_000);
        assert_eq!(throttle.limiter.len(), 8_000);
    }
}
