//! Grants that answer for nothing any more, deleted. A grant is the root of its tokens and the
//! link from an SSO session to the portals its back-channel logout tells, so one goes only when
//! all three are over: it has no refresh token left (the sweep deletes each past its expiry and
//! the grace, so a grant whose tokens are in use, an `offline_access` one for months, always has
//! one), its access tokens have expired (it is older than their lifetime and the grace), and no
//! session of its person that began before it is still live (the one it was made in among them;
//! `grants.sid` is derived from the session and cannot be joined to it).
//!
//! Old grants are walked in the order they were made (`grants_made`) a batch at a time, from a
//! position kept in the store (`sweep_walks`, migration 0142): grants kept by live tokens are
//! passed over, not read again by every sweep; the nodes go on from each other's position (a
//! node takes a batch by moving the position on from where it read it, so nodes sweeping at once
//! take batches in turn), and a node's restart does not send the walk back to the oldest grants.
//! The walk starts over once it reaches the young ones.

use super::{Store, StoreError};
use crate::store::retention::SWEEP_BATCH;

/// The walk's name in `sweep_walks`.
const WALK: &str = "grants";

/// The grants past the walk's position ($2 made at, $3 id) made before $1, in `grants_made`'s
/// range.
const AFTER: &str = "created_at < $1 AND created_at >= $2 AND (created_at > $2 OR id > $3)";

/// How a sweep of grants went.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GrantSweep {
    /// Grants deleted.
    pub deleted: u64,
    /// Batches (of up to [`SWEEP_BATCH`] grants) looked at.
    pub batches: u32,
    /// The walk reached the young grants: the next batch starts from the oldest.
    pub through: bool,
}

impl Store {
    /// Deletes, [`SWEEP_BATCH`] grants looked at a statement and at most `max_batches`
    /// statements, the grants made before `made_before` that have no refresh token and no
    /// session of their person begun no later than them and expiring at or after `live_after`,
    /// going on from the walk's stored position and storing where it stopped.
    pub async fn sweep_grants(
        &self,
        made_before: i64,
        live_after: i64,
        max_batches: u32,
    ) -> Result<GrantSweep, StoreError> {
        // PostgreSQL finds a batch's grants again through `grants_made`, whose pages the batch
        // has just read (through the key, each is a read of a cold page: 175-230 ms a batch
        // against 76-97 on ten million grants); SQLite's plan of that form reads every grant of
        // the same second for each, so there by the key.
        let (key, cols) = match self.backend {
            super::Backend::Postgres => ("(created_at, id)", "created_at, id"),
            super::Backend::Sqlite => ("id", "id"),
        };
        let mut swept = GrantSweep::default();
        for _ in 0..max_batches {
            // Read each batch: another node may have gone on meanwhile.
            let from = self.grant_walk().await?;
            let (from_at, from_id) = from.clone().unwrap_or((i64::MIN, String::new()));
            // The batch's last grant (the index gives them in order); none: the walk is through.
            let last: Option<(i64, String)> = sqlx::query_as(&format!(
                "SELECT created_at, id FROM (SELECT created_at, id FROM grants WHERE {AFTER} \
                 ORDER BY created_at, id LIMIT {SWEEP_BATCH}) batch ORDER BY created_at DESC, id DESC LIMIT 1"
            ))
            .bind(made_before)
            .bind(from_at)
            .bind(&from_id)
            .fetch_optional(&self.pool)
            .await?;
            let Some((to_at, to_id)) = last else {
                self.move_walk(from.as_ref(), None).await?;
                swept.through = true;
                break;
            };
            // The batch is this node's only if the walk still stands where it was read: nodes
            // sweeping at once take batches in turn rather than each doing the same one. Taken
            // before it is deleted: a node stopped in between leaves its batch to the next walk.
            if !self
                .move_walk(from.as_ref(), Some((to_at, to_id.as_str())))
                .await?
            {
                continue;
            }
            swept.batches += 1;
            // The batch's grants (the planner knows there are at most a batch of them), each
            // checked through the refresh tokens' and the sessions' indexes.
            swept.deleted += sqlx::query(&format!(
                "DELETE FROM grants WHERE {key} IN (SELECT {cols} FROM grants WHERE {AFTER} \
                   AND created_at <= $4 AND (created_at < $4 OR id <= $5) \
                   ORDER BY created_at, id LIMIT {SWEEP_BATCH}) \
                 AND NOT EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.grant_id = grants.id) \
                 AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.account_id = grants.account_id \
                   AND s.created_at <= grants.created_at AND s.expires_at >= $6)"
            ))
            .bind(made_before)
            .bind(from_at)
            .bind(&from_id)
            .bind(to_at)
            .bind(&to_id)
            .bind(live_after)
            .execute(&self.pool)
            .await?
            .rows_affected();
        }
        Ok(swept)
    }

    /// Moves the walk from `from` to `to` (`None`: the oldest grants) if it still stands at
    /// `from`; says whether it did.
    async fn move_walk(
        &self,
        from: Option<&(i64, String)>,
        to: Option<(i64, &str)>,
    ) -> Result<bool, StoreError> {
        let query = match (from, to) {
            (None, None) => return Ok(true),
            (None, Some((at, id))) => sqlx::query(
                "INSERT INTO sweep_walks (name, created_at, id) VALUES ($1, $2, $3) \
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(WALK)
            .bind(at)
            .bind(id),
            (Some((was_at, was_id)), None) => sqlx::query(
                "DELETE FROM sweep_walks WHERE name = $1 AND created_at = $2 AND id = $3",
            )
            .bind(WALK)
            .bind(*was_at)
            .bind(was_id.as_str()),
            (Some((was_at, was_id)), Some((at, id))) => sqlx::query(
                "UPDATE sweep_walks SET created_at = $4, id = $5 \
                 WHERE name = $1 AND created_at = $2 AND id = $3",
            )
            .bind(WALK)
            .bind(*was_at)
            .bind(was_id.as_str())
            .bind(at)
            .bind(id),
        };
        Ok(query.execute(&self.pool).await?.rows_affected() == 1)
    }

    /// Where the walk over old grants stands: the last grant it looked at (made at, id), or
    /// `None` when the next batch starts from the oldest.
    pub async fn grant_walk(&self) -> Result<Option<(i64, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT created_at, id FROM sweep_walks WHERE name = $1")
                .bind(WALK)
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}
