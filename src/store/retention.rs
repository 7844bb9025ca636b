//! Rows that no longer answer for anything, deleted: sessions, refresh tokens and revoked access
//! tokens expired past a grace (a request presenting one is refused on its expiry whether the row
//! is there or not), and jobs finished long ago. A batch a statement, found through an index
//! (migration 0140; finished jobs through `jobs_due`), so a sweep holds no lock for long and any
//! number of nodes may sweep at once. The batch's size is written into the statement, not bound:
//! PostgreSQL's generic plan of a prepared statement (which it may settle on after five runs)
//! guesses a bound `LIMIT` at a tenth of the table and joins the batch to a read of the whole
//! table (benches/scale/grants_sweep.sh checks every sweep statement's generic plan).

use super::{Store, StoreError};

/// Rows one statement of a sweep deletes.
pub const SWEEP_BATCH: i64 = 1_000;

/// What expires, and the column that says when.
const EXPIRING: [(&str, &str, &str); 4] = [
    ("sessions", "id_hash", "expires_at"),
    ("refresh_tokens", "hash", "expires_at"),
    ("revoked_access_tokens", "jti", "expires_at"),
    ("jobs", "id", "done_at"),
];

/// Rows a sweep deleted, per table.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept(pub Vec<(&'static str, u64)>);

impl Store {
    /// Deletes the sessions, refresh tokens and revoked access tokens that expired before
    /// `expired_before`, and the jobs finished before `done_before` (unix seconds),
    /// [`SWEEP_BATCH`] rows a statement, at most `max_batches` statements a table.
    pub async fn sweep(
        &self,
        expired_before: i64,
        done_before: i64,
        max_batches: u32,
    ) -> Result<Swept, StoreError> {
        let mut swept = Swept::default();
        for (table, key, column) in EXPIRING {
            let before = if table == "jobs" {
                done_before
            } else {
                expired_before
            };
            let sql = format!(
                "DELETE FROM {table} WHERE {key} IN \
                 (SELECT {key} FROM {table} WHERE {column} < $1 ORDER BY {column} LIMIT {SWEEP_BATCH})"
            );
            let mut deleted = 0;
            for _ in 0..max_batches {
                let n = sqlx::query(&sql)
                    .bind(before)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                deleted += n;
                if n < SWEEP_BATCH as u64 {
                    break;
                }
            }
            swept.0.push((table, deleted));
        }
        Ok(swept)
    }
}
