//! What each node of `vhod serve` does beside the requests to keep the store in shape: the sweep
//! of expired rows and of grants that answer for nothing every `retention.sweep_secs`, and once a
//! start the flagging of organisations a node of the previous release left without a chief. Off
//! the request path; every node does it (each statement is idempotent and bounded, so nodes
//! sweeping at once only share the work).
//!
//! A sweep runs at most `retention.sweep_batches` statements a table, so none holds the store
//! for long. One that stops there with rows left (a backlog: a service that makes more of them
//! between two sweeps than a sweep deletes) is followed by the next after a pause three times as
//! long as the sweep took, at least a second: the backlog gets a quarter of the time, the
//! requests the rest, and it is worked off in minutes rather than one bound a period
//! (benches/scale/sweep_backlog.sh measures both: with the pause as long as the sweep, rotating
//! refresh tokens lost a third of their rate while a backlog went).

use crate::ctx::Ctx;
use crate::store::retention::SWEEP_BATCH;
use std::time::Duration;

/// The shortest pause between two sweeps working off a backlog.
const BACKLOG_PAUSE: Duration = Duration::from_secs(1);

/// The pause between two sweeps working off a backlog, in sweeps' durations.
const BACKLOG_PAUSES: u32 = 3;

pub fn spawn(app: Ctx) {
    let flagger = app.clone();
    tokio::spawn(async move {
        match flagger.store.flag_chiefless_orgs().await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(
                organisations = n,
                "organisations left without a chief flagged for operators"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "could not look for organisations without a chief")
            }
        }
    });
    let every = app.config.retention.sweep_secs;
    if every == 0 {
        return;
    }
    // The first sweep one period after the start, not with it: a rolling restart of every node
    // would otherwise sweep once a node, beside the start's own work.
    tokio::spawn(sweeps(app, Duration::from_secs(every)));
}

/// Sweeps for ever, the first after `first`, then every `retention.sweep_secs`, or after a pause
/// [`BACKLOG_PAUSES`] times as long as the sweep (at least [`BACKLOG_PAUSE`]) while a backlog is
/// left.
pub async fn sweeps(app: Ctx, first: Duration) {
    let period = Duration::from_secs(app.config.retention.sweep_secs.max(1));
    tokio::time::sleep(first).await;
    loop {
        let started = tokio::time::Instant::now();
        let backlog = sweep(&app).await;
        let pause = if backlog {
            (started.elapsed() * BACKLOG_PAUSES)
                .max(BACKLOG_PAUSE)
                .min(period)
        } else {
            period
        };
        tokio::time::sleep(pause).await;
    }
}

/// One sweep: what expired more than `retention.expired_grace_secs` ago (at least an access
/// token's lifetime, so the refresh token an access token was issued beside outlives it), the
/// jobs finished more than `retention.done_jobs_days` ago, then the grants left with no refresh
/// token, no live access token and no live session, going on from where the previous sweep (of
/// any node) left the walk. Says whether a backlog is left: a table whose every statement
/// deleted a full batch, or a walk over grants not through whose batches were a tenth or more
/// spent grants (a walk passing over grants that live tokens keep is no backlog: it goes on at
/// the next period).
pub async fn sweep(app: &Ctx) -> bool {
    let r = &app.config.retention;
    let batches = r.sweep_batches.max(1);
    let full = u64::from(batches) * SWEEP_BATCH as u64;
    let mut backlog = false;
    let now = app.store.now();
    let grace = r
        .expired_grace_secs
        .max(app.config.tokens.access_ttl)
        .max(0);
    match app
        .store
        .sweep(now - grace, now - r.done_jobs_days.max(0) * 86_400, batches)
        .await
    {
        Ok(swept) => {
            for (table, rows) in swept.0 {
                backlog |= rows >= full;
                counted(table, rows);
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "the sweep of expired rows failed");
            return false;
        }
    }
    let made_before = now - grace - app.config.tokens.access_ttl.max(0);
    match app
        .store
        .sweep_grants(made_before, now - grace, batches)
        .await
    {
        Ok(swept) => {
            backlog |= !swept.through
                && swept.deleted * 10 >= u64::from(swept.batches) * SWEEP_BATCH as u64;
            counted("grants", swept.deleted);
        }
        Err(e) => tracing::warn!(error = %e, "the sweep of spent grants failed"),
    }
    backlog
}

fn counted(table: &'static str, rows: u64) {
    crate::metrics::swept(table, rows);
    if rows > 0 {
        tracing::info!(table, rows, "rows that answer for nothing deleted");
    }
}
