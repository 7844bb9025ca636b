//! Durable state through sqlx `AnyPool`: SQLite (embedded default) or PostgreSQL, one file per aggregate.
//! Portable SQL only (`$n` placeholders, `RETURNING`, `ON CONFLICT`); where the dialects must differ the
//! aggregate's file holds both queries side by side.

pub mod accounts;
pub mod admin;
pub mod audit;
pub mod audit_reads;
mod bounded_pool;
pub(crate) mod bounded_tx;
pub mod change;
pub mod channels;
pub mod clients;
mod commit_errors;
pub mod consents;
#[cfg(test)]
mod deadline_tests;
pub mod documents;
pub mod esia_clients;
pub mod grant_retention;
pub mod grants;
pub mod jobs;
pub mod keys;
pub mod levels;
pub mod login_guard;
pub mod online_indexes;
pub mod org_allowances;
pub mod org_chiefs;
pub mod org_consents;
pub mod orgs;
pub mod outbox;
pub mod passkeys;
pub mod person_oids;
mod pg_hosts;
pub mod preferences;
mod primary;
pub mod profile;
pub mod qes;
pub mod retention;
pub mod schema;
pub mod second_factors;
pub mod security_events;
pub mod seed;
pub mod sessions;
pub mod settings;
mod unavailable;
mod warm;
pub use pg_hosts::redact;
#[cfg(test)]
mod warm_tests;

use crate::clock::Clock;
use crate::config::Config;
use sqlx::Executor;
use sqlx::any::AnyPoolOptions;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("already exists")]
    Conflict,
    #[error("database error: {0}")]
    Db(sqlx::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A delivery backend (the SMS gateway) failed; callers treat it like an unavailable store.
    #[error("backend unavailable: {0}")]
    Unavailable(String),
}

impl StoreError {
    /// The database (or a delivery backend) could not be reached in time: the request may succeed
    /// later, so surfaces answer 503 with Retry-After instead of 500. A protocol error counts too:
    /// it is what a connection cut by a balancer or proxy in front of the database looks like (the
    /// socket closes before the server's first answer). So does a database that answers "not now"
    /// (shutting down or starting, disk full, no connections left: `unavailable.rs`).
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Unavailable(_) => true,
            StoreError::Db(e) => {
                matches!(
                    e,
                    sqlx::Error::PoolTimedOut
                        | sqlx::Error::PoolClosed
                        | sqlx::Error::Io(_)
                        | sqlx::Error::Tls(_)
                        | sqlx::Error::Protocol(_)
                        | sqlx::Error::WorkerCrashed
                ) || matches!(e, sqlx::Error::Database(d) if unavailable::is_transient(d.as_ref()))
            }
            _ => false,
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        let e = match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict,
            _ => StoreError::Db(e),
        };
        if matches!(e, StoreError::Db(sqlx::Error::PoolTimedOut)) {
            crate::metrics::db_pool_timeout();
        }
        if matches!(e, StoreError::Db(_)) && e.is_unavailable() {
            crate::metrics::dependency_down("database");
            primary::suspect();
        }
        e
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Store {
    /// Every call through it is bounded by `database.acquire_timeout_secs` (bounded_pool.rs).
    pub(crate) pool: bounded_pool::BoundedPool,
    pub(crate) clock: Clock,
    pub backend: Backend,
    /// How many changes to what an access token opens this node has committed: revocations (a
    /// grant, an access token, a signing key, a client, an account) and changes of the person's
    /// data a portal reads (contacts, address, verified documents, level, organisation roles).
    /// A node-local cache of answers about tokens is only good while this has not moved (see
    /// `oidc::token_cache`).
    revocations: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// With several PostgreSQL servers in `database.url`: the follower of their primary, which
    /// lives as long as the store (`primary.rs`).
    primary: Option<std::sync::Arc<primary::Primary>>,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot open database {url}: {reason}")]
pub struct ConnectError {
    pub url: String,
    pub reason: String,
}

/// How many statement deadlines PostgreSQL lets a session sit inside a transaction (see
/// `Store::connect`).
const IDLE_IN_TRANSACTION_DEADLINES: u64 = 3;

/// A pooled connection idle this long is pinged before it is handed out (see `Store::connect`).
const IDLE_BEFORE_PING: std::time::Duration = std::time::Duration::from_secs(1);

impl Store {
    /// Connects (creating the SQLite file or the PostgreSQL schema if needed) and runs migrations.
    pub async fn connect(config: &Config, clock: Clock) -> Result<Store, ConnectError> {
        sqlx::any::install_default_drivers();
        let url = config.database.url.clone();
        let fail = |reason: String| ConnectError {
            url: redact(&url),
            reason,
        };
        let backend = if config.is_postgres() {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(fail(
                "only sqlite:// and postgres:// URLs are supported".into(),
            ));
        };
        let deadline = std::time::Duration::from_secs(config.database.acquire_timeout_secs.max(1));
        // Several PostgreSQL servers (a primary and its standbys): start on the primary.
        let hosts = match backend {
            Backend::Postgres => pg_hosts::split(&url).map_err(fail)?,
            Backend::Sqlite => vec![],
        };
        let several = hosts.len() > 1;
        let url = if several {
            let first = primary::first_primary(&hosts, deadline)
                .await
                .map_err(fail)?;
            hosts[first].url.clone()
        } else {
            url.clone()
        };
        let moved = primary::Moved::default();
        let moved_check = several.then(|| moved.clone());
        let mut opts = AnyPoolOptions::new()
            .max_connections(config.database.max_connections.max(1))
            .acquire_timeout(deadline)
            // sqlx pings a connection when it goes back to the pool and, by default, again when
            // it is taken: on SQLite each ping is a round trip to the connection's worker thread,
            // on PostgreSQL one over the network. A connection that came back alive a moment ago
            // is taken without a second ping; one idle for a while is pinged (PostgreSQL may have
            // restarted meanwhile: a dead connection is then closed, not handed out).
            .test_before_acquire(false)
            .before_acquire(move |conn, meta| {
                let moved_check = moved_check.clone();
                Box::pin(async move {
                    if !in_no_transaction(conn) {
                        return Ok(false);
                    }
                    // Made before the node moved to another primary: closed, not handed out.
                    if moved_check.as_ref().is_some_and(|m| m.predates(meta.age)) {
                        return Ok(false);
                    }
                    if meta.idle_for >= IDLE_BEFORE_PING && backend == Backend::Postgres {
                        use sqlx::Connection;
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            });
        let connect_url = match backend {
            Backend::Sqlite => {
                let path = url
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:");
                let file = path.split('?').next().unwrap_or_default();
                if let Some(dir) = std::path::Path::new(file)
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                {
                    std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
                }
                opts = opts.after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                        Ok(())
                    })
                });
                if path.contains('?') {
                    url.clone()
                } else {
                    format!("sqlite://{path}?mode=rwc")
                }
            }
            Backend::Postgres => {
                let schema = config.database.schema.clone();
                let deadline_ms = config.database.acquire_timeout_secs.max(1) * 1000;
                if !schema.is_empty() {
                    if !schema
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_')
                    {
                        return Err(fail("database.schema must be [A-Za-z0-9_]".into()));
                    }
                    let boot = AnyPoolOptions::new()
                        .max_connections(1)
                        .acquire_timeout(std::time::Duration::from_secs(10))
                        .connect(&url)
                        .await
                        .map_err(|e| fail(e.to_string()))?;
                    boot.execute(format!("CREATE SCHEMA IF NOT EXISTS {schema}").as_str())
                        .await
                        .map_err(|e| fail(e.to_string()))?;
                    boot.close().await;
                }
                // PostgreSQL ends a statement the request has stopped waiting for (bounded_pool.rs)
                // at the same deadline, instead of running it on — holding its locks, its
                // connection and the database's time — until it finishes. What rightly runs longer
                // lifts it: migrations. And it ends a session that sits inside a transaction for
                // three deadlines — a node frozen (or cut off) between two statements of a change
                // would otherwise keep its row locks, or the audit chain's lock that every node's
                // audited change takes, until it woke.
                // A transaction here waits on nothing but its own statements (hashing, key
                // generation and outbound calls happen before it begins).
                opts = opts.after_connect(move |conn, _| {
                    let search_path =
                        (!schema.is_empty()).then(|| format!("SET search_path TO {schema}"));
                    let deadlines = [
                        format!("SET statement_timeout = {deadline_ms}"),
                        format!(
                            "SET idle_in_transaction_session_timeout = {}",
                            deadline_ms * IDLE_IN_TRANSACTION_DEADLINES
                        ),
                    ];
                    Box::pin(async move {
                        // Where the primary was, a standby (or a primary made read-only) now:
                        // refused (sqlx tries again, on the server the follower finds, within the
                        // request's deadline).
                        if several && primary::read_only(conn).await? {
                            primary::suspect();
                            return Err(sqlx::Error::Protocol(
                                "this PostgreSQL server is read-only (a standby), not the \
                                 primary"
                                    .into(),
                            ));
                        }
                        for set in search_path.iter().chain(&deadlines) {
                            conn.execute(set.as_str()).await?;
                        }
                        Ok(())
                    })
                });
                url.clone()
            }
        };
        let pool = opts
            .connect(&connect_url)
            .await
            .map_err(|e| fail(e.to_string()))?;
        let pool = bounded_pool::BoundedPool::new(
            pool,
            deadline,
            backend == Backend::Sqlite,
            several.then(|| moved.clone()),
        );
        let current = hosts.iter().position(|h| h.url == url);
        let primary = current.filter(|_| several).map(|current| {
            primary::Primary::start(
                hosts,
                current,
                pool.clone(),
                moved,
                deadline,
                std::time::Duration::from_millis(config.database.primary_recheck_ms),
            )
        });
        let store = Store {
            pool,
            clock,
            backend,
            revocations: Default::default(),
            primary,
        };
        store.migrate().await.map_err(|e| fail(e.to_string()))?;
        Ok(store)
    }

    /// With several PostgreSQL servers in `database.url`: the URL of the one in use now (for a
    /// connection of its own, outside the pool).
    pub(crate) fn primary_url(&self) -> Option<String> {
        self.primary.as_ref().map(|p| p.url())
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// This node's change count: read it before asking the store about a token, and the answer
    /// is stale once it has moved.
    pub fn change_generation(&self) -> u64 {
        self.revocations.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Called after every committed revocation or data change of that kind (after the commit, so
    /// a checker that read the generation before it never keeps its stale answer).
    pub(crate) fn note_change(&self) {
        self.revocations
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// Begins a transaction that may write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`, waiting out the busy timeout): a deferred transaction that reads and then
    /// writes is refused with "database is locked" when another connection committed in between,
    /// which a person would meet as a random failure of a form (e.g. documents submitted while the
    /// registry worker finishes a check).
    pub(crate) async fn begin(&self) -> Result<bounded_tx::Tx, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// A write with RETURNING, run on the pool and read to its end. On SQLite a lone statement
    /// commits when it finishes: stopping after the first row (`fetch_one`, `fetch_optional`)
    /// drops an error of that commit — a full disk — and reports a row that is not stored
    /// (store/commit_errors.rs). Inside a transaction the commit is checked anyway.
    pub(crate) async fn returning<'q, O>(
        &self,
        q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    ) -> Result<Option<O>, sqlx::Error>
    where
        O: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        Ok(q.fetch_all(&self.pool).await?.into_iter().next())
    }

    /// [`Store::returning`] for a write that always returns its row.
    pub(crate) async fn returning_one<'q, O>(
        &self,
        q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    ) -> Result<O, sqlx::Error>
    where
        O: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        self.returning(q).await?.ok_or(sqlx::Error::RowNotFound)
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Seconds taken to get a connection from the pool now (the connection goes straight back).
    pub async fn acquire_seconds(&self) -> Result<f64, StoreError> {
        let started = std::time::Instant::now();
        let conn = self.pool.acquire().await?;
        self.pool.keep(conn);
        Ok(started.elapsed().as_secs_f64())
    }

    /// Connections of the pool: (in use, idle).
    pub fn pool_usage(&self) -> (u32, u32) {
        let idle = u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX);
        (self.pool.size().saturating_sub(idle), idle)
    }
}

/// A pooled connection still counted inside a transaction is closed instead of being handed out.
/// After a full disk SQLite may roll a transaction back by itself; the ROLLBACK sqlx then sends
/// fails ("no transaction is active"), sqlx keeps counting the transaction, and every later
/// `BEGIN` on that connection was refused — a node that never recovered (benches/faults/
/// disk_full.sh; store/commit_errors.rs). sqlx pings a connection as it returns to the pool, so
/// a rollback still queued from the last use has been applied by then.
fn in_no_transaction(conn: &sqlx::AnyConnection) -> bool {
    use sqlx::Connection;
    if conn.is_in_transaction() {
        tracing::warn!("a pooled database connection was left inside a transaction: closed");
        return false;
    }
    true
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
