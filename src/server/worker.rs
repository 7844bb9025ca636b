//! Durable background jobs. Every node runs a worker that claims due jobs from the store with a lease;
//! a job that fails is retried with exponential backoff until its attempts run out.

use crate::authn::logout::BACKCHANNEL_JOB;
use crate::ctx::Ctx;
use crate::store::documents::REGISTRY_JOB;
use crate::store::jobs::{JobOutcome, JobRow};

const LEASE_SECS: i64 = 60;

/// Runs every job that is due now; returns how many ran (succeeded or failed).
pub async fn run_due(app: &Ctx) -> usize {
    let mut ran = 0;
    loop {
        let job = match app.store.claim_job(LEASE_SECS).await {
            Ok(Some(job)) => job,
            Ok(None) => return ran,
            Err(e) => {
                tracing::warn!(error = %e, "job claim failed");
                return ran;
            }
        };
        ran += 1;
        let result = run(app, &job).await;
        let recorded = match result {
            Ok(JobOutcome::Done) => app.store.finish_job(&job.id).await,
            Ok(JobOutcome::Later(at)) => app.store.reschedule_job(&job.id, at).await,
            Err(e) => {
                let delay = 5 * (1i64 << job.attempts.clamp(0, 10));
                tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, error = %e, "job failed");
                let recorded = app.store.retry_job(&job, delay, &e).await;
                if job.attempts >= job.max_attempts {
                    gave_up(app, &job).await;
                }
                recorded
            }
        };
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
        REGISTRY_JOB => {
            let payload: serde_json::Value =
                serde_json::from_str(&job.payload).map_err(|e| e.to_string())?;
            let check_id = payload["check_id"].as_str().unwrap_or_default();
            crate::identity::levels::run_check(app, check_id).await
        }
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
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        loop {
            tick.tick().await;
            run_due(&app).await;
        }
    })
}
