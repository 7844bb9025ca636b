//! Waiting, with a bound, for what one node sees of a change another node made: a node trusts
//! its answers about a token for `oidc::token_cache::WINDOW`, so another node's revocation shows
//! within that, and the tests poll for it instead of sleeping.
#![allow(dead_code)]

use std::future::Future;
use std::time::{Duration, Instant};

/// The bound the issue sets: a revocation is seen on every node within a second.
pub const SEEN_EVERYWHERE_WITHIN: Duration = Duration::from_secs(1);

/// Polls `probe` until it answers true; panics naming `what` if that takes longer than `bound`
/// (measured from the call). Returns how long it took.
pub async fn within<F, Fut>(bound: Duration, what: &str, mut probe: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    loop {
        if probe().await {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < bound,
            "{what}: not seen within {bound:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
