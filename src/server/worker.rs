//! Durable background jobs. Every node runs a worker that claims due jobs from the store with a lease;
//! a job that fails is retried with exponential backoff until its attempts run out. A node that
//! stops (SIGTERM, or its task dropped) finishes its job or gives the lease back, so another node or
//! the next start runs the job at once instead of after the lease.

use crate::authn::logout::BACKCHANNEL_JOB;
use crate::ctx::Ctx;
use crate::store::documents::REGISTRY_JOB;
use crate::store::jobs::{JobOutcome, JobRow};

const LEASE_SECS: i64 = 60;

/// Gives the lease of a claimed job back if the run is dropped before its result is recorded
/// (the task aborted, or shutdown stopped waiting for it).
struct LeaseGuard {
    store: crate::store::Store,
    id: Option<String>,
}

impl Drop for LeaseGuard {
    fn drop(&mut self) {
        let Some(id) = self.id.take() else { return };
        let store = self.store.clone();
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                if let Err(e) = store.release_job(&id).await {
                    tracing::warn!(job = %id, error = %e, "could not release the job's lease");
                }
            });
        }
    }
}

/// Runs every job that is due now; returns how many ran (succeeded or failed).
pub async fn run_due(app: &Ctx) -> usize {
    run_due_until(app, &tokio::sync::watch::channel(false).1).await
}

/// As [`run_due`], claiming no further job once `stop` turns true.
async fn run_due_until(app: &Ctx, stop: &tokio::sync::watch::Receiver<bool>) -> usize {
    let mut ran = 0;
    loop {
        if *stop.borrow() {
            return ran;
        }
        let job = match app.store.claim_job(LEASE_SECS).await {
            Ok(Some(job)) => job,
            Ok(None) => return ran,
            Err(e) => {
                tracing::warn!(error = %e, "job claim failed");
                return ran;
            }
        };
        ran += 1;
        let mut guard = LeaseGuard {
            store: app.store.clone(),
            id: Some(job.id.clone()),
        };
        let result = run(app, &job).await;
        if job.kind == REGISTRY_JOB {
            crate::metrics::registry_check(match &result {
                Ok(JobOutcome::Done) => "answered",
                Ok(JobOutcome::Later(_)) => "pending",
                Err(_) if job.attempts >= job.max_attempts => "failed",
                Err(_) => "retry",
            });
        }
        // A message carried codes: neither a delivered nor an undelivered copy is kept.
        let message =
            job.kind == crate::notify::smtp::EMAIL_JOB || job.kind == crate::notify::push::JOB;
        let recorded = match result {
            Ok(JobOutcome::Done) if message => app.store.finish_job_erasing_payload(&job.id).await,
            Ok(JobOutcome::Done) => app.store.finish_job(&job.id).await,
            Ok(JobOutcome::Later(at)) => app.store.reschedule_job(&job.id, at).await,
            Err(e) => {
                let delay = 5 * (1i64 << job.attempts.clamp(0, 10));
                tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, error = %e, "job failed");
                let recorded = app.store.retry_job(&job, delay, &e, message).await;
                if job.attempts >= job.max_attempts {
                    gave_up(app, &job).await;
                }
                recorded
            }
        };
        guard.id = None;
        if let Err(e) = recorded {
            tracing::warn!(job = %job.id, error = %e, "could not record job result");
        }
    }
}

async fn run(app: &Ctx, job: &JobRow) -> Result<JobOutcome, String> {
    match job.kind.as_str() {
        BACKCHANNEL_JOB => {
            let payload = serde_json::from_str(&job.payload).map_err(|e| e.to_string())?;
            crate::oidc::logout::deliver_backchannel(app, &payload)
                .await
                .map(|()| JobOutcome::Done)
        }
        crate::notify::smtp::EMAIL_JOB => match app.notifier.smtp() {
            Some(smtp) => smtp.deliver(&job.payload).await.map(|()| JobOutcome::Done),
            None => Err("e-mail queued for SMTP, but email.transport is not smtp here".into()),
        },
        REGISTRY_JOB => {
            let payload: serde_json::Value =
                serde_json::from_str(&job.payload).map_err(|e| e.to_string())?;
            let check_id = payload["check_id"].as_str().unwrap_or_default();
            crate::identity::levels::run_check(app, check_id).await
        }
        crate::notify::push::JOB => crate::notify::push::deliver(
            &app.outbound,
            &app.config.push,
            &job.payload,
            app.clock.now(),
        )
        .await
        .map(|()| JobOutcome::Done),
        other => Err(format!("unknown job kind {other}")),
    }
}

/// A job whose attempts ran out: a registry check then ends as failed and the person is told.
async fn gave_up(app: &Ctx, job: &JobRow) {
    if job.kind != REGISTRY_JOB {
        return;
    }
    let payload: serde_json::Value = serde_json::from_str(&job.payload).unwrap_or_default();
    let check_id = payload["check_id"].as_str().unwrap_or_default();
    let check = match app.store.registry_check(check_id).await {
        Ok(Some(c)) => c,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(job = %job.id, error = %e, "could not load the failed check");
            return;
        }
    };
    if let Err(e) =
        crate::identity::levels::fail_check(app, check_id, &check.account_id.as_str().into()).await
    {
        tracing::warn!(job = %job.id, error = %e, "could not record the failed check");
    }
}

/// The worker loop of one node.
pub fn spawn_worker(app: Ctx) -> tokio::task::JoinHandle<()> {
    let (keep, stop) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        let _keep = keep;
        worker_loop(app, stop).await;
    })
}

/// The worker loop of one node until `stop` turns true: the job running then is finished (the
/// caller bounds how long it waits; dropping the task gives the lease back).
pub fn spawn_worker_until(
    app: Ctx,
    stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(worker_loop(app, stop))
}

async fn worker_loop(app: Ctx, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            changed = stop.changed() => if changed.is_err() { return; }
        }
        if *stop.borrow() {
            return;
        }
        run_due_until(&app, &stop).await;
        record_gauges(&app).await;
    }
}

/// Gauges sampled once a tick: the job queue, the database pool, the memory cache.
async fn record_gauges(app: &Ctx) {
    if let Ok((depth, age)) = app.store.job_queue_stats().await {
        crate::metrics::job_queue(depth, age);
    }
    let (in_use, idle) = app.store.pool_usage();
    crate::metrics::db_pool(in_use, idle);
    if let Some((bytes, max_bytes)) = app.cache.memory_usage() {
        crate::metrics::memory_cache(bytes, max_bytes);
    }
    if let Ok(seconds) = app.store.acquire_seconds().await {
        crate::metrics::db_pool_acquire(seconds);
    }
}
