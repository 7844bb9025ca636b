//! An audited change: the writes of one admin or operator action and the audit entry about them,
//! in ONE transaction. Committed together or not at all: a crash, an outage or a full disk between
//! the change and its entry can no longer leave a change nobody recorded (benches/faults).
//!
//! The aggregates' files give `Change` the writes that are audited (`impl Change<'_>` beside their
//! pool twins, one SQL text for both); a domain function opens the change, writes, and hands it to
//! the surface, which knows who acts and commits it with its entry.
//!
//! The chain's next position is read inside the transaction, under a lock that every writer of the
//! chain takes: on SQLite the write lock itself (`Store::begin` is `BEGIN IMMEDIATE`), on PostgreSQL
//! a transaction-scoped advisory lock taken just before the head is read (a unique violation would
//! abort the whole transaction there, so the old retry on a taken position cannot work).

use super::audit::{AuditEntry, AuditRow, COLS, GENESIS, entry_hash};
use super::{Backend, Store, StoreError};

/// The advisory lock of the audit chain's head on PostgreSQL ("vhodaudt").
const CHAIN_LOCK: i64 = 0x7668_6f64_6175_6474;

type AfterCommit<'a> = Box<dyn FnOnce() + Send + 'a>;

/// Writes not yet committed; dropped without a commit, they are rolled back.
#[must_use = "a change is rolled back unless it is committed with its audit entry"]
pub struct Change<'a> {
    store: &'a Store,
    tx: super::bounded_tx::Tx,
    /// Something a token opens changed: `note_change` once committed (see `Store::note_change`).
    revokes: bool,
    after_commit: Vec<AfterCommit<'a>>,
}

impl Store {
    /// Begins a change (on SQLite it holds the write lock from its first statement on).
    pub async fn change(&self) -> Result<Change<'_>, StoreError> {
        Ok(Change {
            store: self,
            tx: self.begin().await?,
            revokes: false,
            after_commit: Vec::new(),
        })
    }

    /// An entry that records no change of its own (a failed sign-in, a refusal): a change with no
    /// writes but the entry.
    pub async fn append_audit(&self, e: AuditEntry<'_>) -> Result<AuditRow, StoreError> {
        self.change().await?.commit(e).await
    }
}

impl<'a> Change<'a> {
    /// The transaction's connection, for the aggregates' writes.
    pub(crate) fn conn(&mut self) -> &mut super::bounded_tx::TxConn {
        &mut self.tx
    }

    pub(crate) fn store(&self) -> &'a Store {
        self.store
    }

    /// Marks the change as one a cached answer about a token must not outlive.
    pub(crate) fn note_change(&mut self) {
        self.revokes = true;
    }

    /// Runs `f` once the change is committed (dropping a node-local cache entry it made stale).
    pub fn after_commit(&mut self, f: impl FnOnce() + Send + 'a) {
        self.after_commit.push(Box::new(f));
    }

    /// Appends `e` to the audit chain and commits it with the change.
    pub async fn commit(mut self, e: AuditEntry<'_>) -> Result<AuditRow, StoreError> {
        let row = append(&mut self.tx, self.store, &e).await?;
        self.finish().await?;
        // Within a request this line carries the request's span, so the log line and the audit
        // row can be matched by the same request id.
        tracing::info!(
            seq = row.seq,
            action = e.action,
            target = e.target,
            actor = e.actor,
            request_id = e.request_id,
            "audit entry written"
        );
        Ok(row)
    }

    /// Commits without an entry: only for changes no person operates — the demo's own portals,
    /// `vhod dev seed`, a test's fixtures. Every admin or operator change uses [`Change::commit`].
    pub async fn commit_unaudited(self) -> Result<(), StoreError> {
        self.finish().await
    }

    async fn finish(self) -> Result<(), StoreError> {
        self.tx.commit().await?;
        if self.revokes {
            self.store.note_change();
        }
        for f in self.after_commit {
            f();
        }
        Ok(())
    }
}

/// The next entry of the chain, written on the change's connection under the chain's lock.
async fn append(
    conn: &mut super::bounded_tx::TxConn,
    store: &Store,
    e: &AuditEntry<'_>,
) -> Result<AuditRow, StoreError> {
    if store.backend == Backend::Postgres {
        // Held until the transaction ends: the next writer reads the head this one commits.
        // (Wrapped: the function returns `void`, which the Any driver cannot describe.)
        sqlx::query("SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock($1)) AS chain_lock")
            .bind(CHAIN_LOCK)
            .execute(&mut *conn)
            .await?;
    }
    let head: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    let (seq, prev) = head
        .map(|(s, h)| (s + 1, h))
        .unwrap_or((1, GENESIS.to_string()));
    let details = e.details.to_string();
    let at = store.now();
    let hash = entry_hash(
        &prev,
        seq,
        at,
        e.actor,
        e.action,
        e.target,
        e.request_id,
        &details,
    );
    // Inside the transaction: a failure of the final commit is reported by the commit itself.
    let written = sqlx::query_as(&format!(
        "INSERT INTO audit_log ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLS}"
    ))
    .bind(seq)
    .bind(at)
    .bind(e.actor)
    .bind(e.action)
    .bind(e.target)
    .bind(e.request_id)
    .bind(&details)
    .bind(&prev)
    .bind(&hash)
    .fetch_one(&mut *conn)
    .await;
    match written {
        Ok(row) => Ok(row),
        // The position read under the chain's lock was taken by a writer that does not take it:
        // a node of an older build during a rolling deploy. The change is rolled back with its
        // entry and the operator asked to try again (503 + Retry-After), not told it failed for
        // good or that what they added exists already.
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
            crate::metrics::dependency_down("database");
            Err(StoreError::Unavailable(format!(
                "audit position {seq} was written outside the chain's lock; nothing was changed"
            )))
        }
        Err(e) => Err(e.into()),
    }
}
