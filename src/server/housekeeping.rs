//! What each node of `vhod serve` does beside the requests to keep the store in shape: the sweep
//! of expired rows and of grants that answer for nothing every `retention.sweep_secs`, and once a
//! start the flagging of organisations a node of the previous release left without a chief. Off
//! the request path; every node does it (each statement is idempotent and bounded, so nodes
//! sweeping at once only share the work).

use crate::ctx::Ctx;
use std::time::Duration;

/// Statements of one table a sweep runs at most (each [`crate::store::retention::SWEEP_BATCH`]
/// rows): a backlog is worked off over several sweeps rather than in one long one.
const MAX_BATCHES: u32 = 100;

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
    tokio::spawn(async move {
        // The first sweep one period after the start, not with it: a rolling restart of every
        // node would otherwise sweep once a node, beside the start's own work.
        let period = Duration::from_secs(every);
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        loop {
            tick.tick().await;
            sweep(&app).await;
        }
    });
}

/// One sweep: what expired more than `retention.expired_grace_secs` ago (at least an access
/// token's lifetime, so the refresh token an access token was issued beside outlives it), the
/// jobs finished more than `retention.done_jobs_days` ago, then the grants left with no refresh
/// token, no live access token and no live session, going on from where the previous sweep (of
/// any node) left the walk.
pub async fn sweep(app: &Ctx) {
    let r = &app.config.retention;
    let now = app.store.now();
    let grace = r
        .expired_grace_secs
        .max(app.config.tokens.access_ttl)
        .max(0);
    match app
        .store
        .sweep(
            now - grace,
            now - r.done_jobs_days.max(0) * 86_400,
            MAX_BATCHES,
        )
        .await
    {
        Ok(swept) => {
            for (table, rows) in swept.0 {
                counted(table, rows);
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "the sweep of expired rows failed");
            return;
        }
    }
    let made_before = now - grace - app.config.tokens.access_ttl.max(0);
    match app
        .store
        .sweep_grants(made_before, now - grace, MAX_BATCHES)
        .await
    {
        Ok(swept) => counted("grants", swept.deleted),
        Err(e) => tracing::warn!(error = %e, "the sweep of spent grants failed"),
    }
}

fn counted(table: &'static str, rows: u64) {
    crate::metrics::swept(table, rows);
    if rows > 0 {
        tracing::info!(table, rows, "rows that answer for nothing deleted");
    }
}
