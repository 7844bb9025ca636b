//! Durable background jobs. Every node runs a worker that claims due jobs from the store with a lease;
//! a job that fails is retried with exponential backoff until its attempts run out.

use crate::app::AppState;
use crate::authn::logout::BACKCHANNEL_JOB;
use crate::store::jobs::JobRow;

const LEASE_SECS: i64 = 60;

/// Runs every job that is due now; returns how many ran (succeeded or failed).
pub async fn run_due(app: &AppState) -> usize {
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
            Ok(()) => app.store.finish_job(&job.id).await,
            Err(e) => {
                let delay = 5 * (1i64 << job.attempts.clamp(0, 10));
                tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, error = %e, "job failed");
                app.store.retry_job(&job, delay, &e).await
            }
        };
        if let Err(e) = recorded {
            tracing::warn!(job = %job.id, error = %e, "could not record job result");
        }
    }
}

async fn run(app: &AppState, job: &JobRow) -> Result<(), String> {
    match job.kind.as_str() {
        BACKCHANNEL_JOB => {
            let payload = serde_json::from_str(&job.payload).map_err(|e| e.to_string())?;
            crate::oidc::logout::deliver_backchannel(app, &payload).await
        }
        other => Err(format!("unknown job kind {other}")),
    }
}

/// The worker loop of one node.
pub fn spawn_worker(app: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        loop {
            tick.tick().await;
            run_due(&app).await;
        }
    });
}
