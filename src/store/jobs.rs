//! Durable jobs: rows claimed atomically with a lease, so any node may run them and exactly one does;
//! a crashed node's lease expires and another node picks the job up.

use super::{Store, StoreError, new_id};

/// What a job run asks for next.
#[derive(Debug, PartialEq, Eq)]
pub enum JobOutcome {
    Done,
    /// Not finished: run again at this instant (unix seconds), attempts not counted.
    Later(i64),
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRow {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub run_at: i64,
    pub attempts: i64,
    pub max_attempts: i64,
    pub done_at: Option<i64>,
    pub failed: i64,
    pub last_error: Option<String>,
}

const COLS: &str = "id, kind, payload, run_at, attempts, max_attempts, done_at, failed, last_error";

impl Store {
    pub async fn enqueue_job(
        &self,
        kind: &str,
        payload: &str,
        max_attempts: i64,
    ) -> Result<String, StoreError> {
        let id = new_id();
        let now = self.now();
        sqlx::query(
            "INSERT INTO jobs (id, kind, payload, run_at, attempts, max_attempts, created_at) VALUES ($1, $2, $3, $4, 0, $5, $4)",
        )
        .bind(&id)
        .bind(kind)
        .bind(payload)
        .bind(now)
        .bind(max_attempts)
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    /// Claims one due job for `lease` seconds. The outer WHERE re-checks the lease, so two nodes that
    /// pick the same row in the subquery cannot both win (PostgreSQL re-evaluates it after the row lock;
    /// SQLite has a single writer).
    pub async fn claim_job(&self, lease: i64) -> Result<Option<JobRow>, StoreError> {
        let now = self.now();
        Ok(self
            .returning(
                sqlx::query_as(&format!(
                    "UPDATE jobs SET locked_until = $2, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM jobs WHERE done_at IS NULL AND run_at <= $1 \
                         AND (locked_until IS NULL OR locked_until < $1) ORDER BY run_at LIMIT 1) \
               AND done_at IS NULL AND (locked_until IS NULL OR locked_until < $1) \
             RETURNING {COLS}"
                ))
                .bind(now)
                .bind(now + lease),
            )
            .await?)
    }

    pub async fn finish_job(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE jobs SET done_at = $2, locked_until = NULL, last_error = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// As [`Store::finish_job`], and the payload is replaced by `{}` (a delivered e-mail's body).
    pub async fn finish_job_erasing_payload(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE jobs SET done_at = $2, locked_until = NULL, last_error = NULL, payload = '{}' WHERE id = $1",
        )
        .bind(id)
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Schedules another attempt after `delay` seconds, or gives up (failed) when attempts ran out
    /// — then, with `erase_on_give_up` (a message that carried codes), the payload is replaced by
    /// `{}` as a delivered one's is: an undelivered code is kept no more than a delivered one.
    pub async fn retry_job(
        &self,
        job: &JobRow,
        delay: i64,
        error: &str,
        erase_on_give_up: bool,
    ) -> Result<(), StoreError> {
        let now = self.now();
        let give_up = job.attempts >= job.max_attempts;
        sqlx::query(
            "UPDATE jobs SET locked_until = NULL, last_error = $2, run_at = $3, done_at = $4, failed = $5, \
             payload = CASE WHEN $6 = 1 THEN '{}' ELSE payload END WHERE id = $1",
        )
        .bind(&job.id)
        .bind(error)
        .bind(now + delay)
        .bind(give_up.then_some(now))
        .bind(i64::from(give_up))
        .bind(i64::from(give_up && erase_on_give_up))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Runs the job again at `run_at` without counting this run as a failed attempt.
    pub async fn reschedule_job(&self, id: &str, run_at: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE jobs SET locked_until = NULL, run_at = $2, attempts = 0, last_error = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(run_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn job(&self, id: &str) -> Result<Option<JobRow>, StoreError> {
        Ok(
            sqlx::query_as(&format!("SELECT {COLS} FROM jobs WHERE id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Gives a claimed job back (its node stops or gave up waiting on it): the lease ends now and
    /// the attempt is not counted, so another node, or the next start, runs it at once.
    pub async fn release_job(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE jobs SET locked_until = NULL, attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END \
             WHERE id = $1 AND done_at IS NULL",
        )
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The queue for metrics: jobs not done, and how long the oldest due one has waited (seconds).
    pub async fn job_queue_stats(&self) -> Result<(i64, i64), StoreError> {
        let now = self.now();
        let (depth, oldest): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(CASE WHEN run_at <= $1 THEN run_at END) FROM jobs WHERE done_at IS NULL",
        )
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok((depth, oldest.map_or(0, |t| (now - t).max(0))))
    }

    /// The jobs of one kind, oldest first (operators' inspection, and tests that check what a
    /// delivered job still holds).
    pub async fn jobs_of_kind(&self, kind: &str) -> Result<Vec<JobRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLS} FROM jobs WHERE kind = $1 ORDER BY created_at, id"
        ))
        .bind(kind)
        .fetch_all(&self.pool)
        .await?)
    }
}
