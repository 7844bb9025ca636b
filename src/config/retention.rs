//! `[retention]`: how long rows that no longer answer for anything are kept.

use serde::Deserialize;

/// Expired sessions, refresh tokens and revoked access tokens, and finished jobs, are deleted by
/// every node's sweeper (`store::retention`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    /// Seconds between two sweeps of a node (0: never).
    pub sweep_secs: u64,
    /// Statements (of 1000 rows) one sweep runs at most a table. A sweep that stops at this
    /// bound with rows left is followed by the next after a pause three times as long as itself
    /// (at least a second), not after `sweep_secs`, until the backlog is worked off.
    pub sweep_batches: u32,
    /// Seconds a session, refresh token or revoked access token is kept past its expiry.
    pub expired_grace_secs: i64,
    /// Days a finished job (a delivered e-mail, a back-channel logout, a registry check) is kept.
    pub done_jobs_days: i64,
}
