//! Indexes built on PostgreSQL without holding the table's writes. A migration's `CREATE INDEX`
//! holds every insert and update of its table for the whole build (4.8 s for the grants' index on
//! ten million grants here), and `CREATE INDEX CONCURRENTLY` cannot be a migration: it waits for
//! every open transaction, among them another node's wait on sqlx's migration lock, which waits
//! for it (a deadlock). So these are built after the migrations, outside sqlx's lock, under a lock
//! of their own that a waiting node only tries, a short statement at a time: one node builds,
//! the others wait for it without a transaction open, the nodes of the previous release serve on.
//! A large table's index is built concurrently (a failed build leaves an invalid index, dropped
//! and built again at the next start); a small one's at once, as a migration would. On SQLite the
//! same indexes are made by the migrations themselves, but for the audit log's trigram and UUID
//! indexes, PostgreSQL's alone (SQLite's are FTS5's `audit_text` and the table `audit_uuids`,
//! made by migrations 0143 and 0144): `pg_trgm` is created here when the database has it and the
//! node may — a database without it keeps its search by text a walk of the log, and says so in
//! the log; the UUID indexes need only migration 0144's `audit_uuid`.

use super::{Store, StoreError};
use sqlx::{AnyConnection, Connection, Executor};
use std::time::Duration;

/// (name, table, columns) of each index built online; `{trgm}` stands for `pg_trgm`'s operator
/// class, named in the schema the extension is in.
pub const ONLINE_INDEXES: [(&str, &str, &str); 4] = [
    ("grants_made", "grants", "(created_at, id)"),
    (
        "audit_log_text",
        "audit_log",
        "USING gin ((actor || ' ' || action || ' ' || target) {trgm}) WITH (fastupdate = off)",
    ),
    // One person's, client's or organisation's entries by the UUID its actor or target names
    // (`audit_uuid`, migration 0144), in order of position.
    (
        "audit_log_actor_uuid",
        "audit_log",
        "(audit_uuid(actor), seq) WHERE audit_uuid(actor) IS NOT NULL",
    ),
    (
        "audit_log_target_uuid",
        "audit_log",
        "(audit_uuid(target), seq) WHERE audit_uuid(target) IS NOT NULL",
    ),
];

/// The audit log's text as its trigram index holds it (`store::audit_reads` searches it so).
pub const AUDIT_TEXT: &str = "(actor || ' ' || action || ' ' || target)";

/// Tables of at least this many bytes get their index concurrently.
pub const CONCURRENT_FROM_BYTES: i64 = 64 << 20;

/// The first key of the lock (the second is the schema's): "vhod" in ASCII.
const LOCK_CLASS: i32 = 0x7668_6f64;

/// The lock's two keys, `LOCK_CLASS` bound as $1.
const LOCK_KEY: &str = "$1, hashtext(current_database() || '.' || current_schema())";

/// How a missing or invalid index was built, for the log and the tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Built {
    /// It was there and valid.
    Present,
    /// Made at once, holding the table's writes (a small table).
    AtOnce,
    /// Made concurrently, writes going on.
    Concurrently,
    /// Not made: it needs an extension the database does not have and the node may not create.
    Unavailable,
}

impl Store {
    /// Builds each of [`ONLINE_INDEXES`] that is missing or invalid on `conn` (PostgreSQL, the
    /// migrations applied), concurrently on tables of `concurrent_from` bytes or more.
    pub async fn build_online_indexes(
        conn: &mut AnyConnection,
        concurrent_from: i64,
    ) -> Result<Vec<(&'static str, Built)>, StoreError> {
        let mut waited = false;
        while !sqlx::query_scalar::<_, bool>(&format!("SELECT pg_try_advisory_lock({LOCK_KEY})"))
            .bind(LOCK_CLASS)
            .fetch_one(&mut *conn)
            .await?
        {
            if !waited {
                tracing::info!("waiting for another node to build the online indexes");
                waited = true;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let built = build_each(conn, concurrent_from).await;
        // (A connection that broke during the build let the lock go with it: the build's error
        // is the one to tell.)
        let unlocked = sqlx::query(&format!("SELECT pg_advisory_unlock({LOCK_KEY})"))
            .bind(LOCK_CLASS)
            .execute(&mut *conn)
            .await;
        let built = built?;
        unlocked?;
        Ok(built)
    }
}

async fn build_each(
    conn: &mut AnyConnection,
    concurrent_from: i64,
) -> Result<Vec<(&'static str, Built)>, StoreError> {
    let mut done = Vec::new();
    let mut trgm = None;
    for (name, table, columns) in ONLINE_INDEXES {
        let valid: Option<bool> = sqlx::query_scalar(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
             WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace",
        )
        .bind(name)
        .fetch_optional(&mut *conn)
        .await?;
        if valid == Some(true) {
            done.push((name, Built::Present));
            continue;
        }
        // (`pg_trgm` is looked for, and created, only when an index needs it built.)
        let columns = if columns.contains("{trgm}") {
            if trgm.is_none() {
                trgm = Some(trigram_class(conn).await?);
            }
            match trgm.as_ref().and_then(|c| c.as_ref()) {
                Some(class) => columns.replace("{trgm}", class),
                None => {
                    done.push((name, Built::Unavailable));
                    continue;
                }
            }
        } else {
            columns.to_string()
        };
        let bytes: i64 = sqlx::query_scalar("SELECT pg_total_relation_size($1::regclass)")
            .bind(table)
            .fetch_one(&mut *conn)
            .await?;
        let concurrently = bytes >= concurrent_from;
        let how = if concurrently { "CONCURRENTLY " } else { "" };
        if valid == Some(false) {
            // A concurrent build that failed: its index is there, not used, and updated by
            // every write until it is dropped.
            tracing::warn!(
                index = name,
                "an invalid index left by a failed build: built again"
            );
            conn.execute(format!("DROP INDEX {how}{name}").as_str())
                .await?;
        }
        tracing::info!(
            index = name,
            table,
            bytes,
            concurrently,
            "building an index"
        );
        conn.execute(format!("CREATE INDEX {how}{name} ON {table} {columns}").as_str())
            .await?;
        // An index on an expression has no statistics of it until the table is analysed, which
        // autovacuum does only after a tenth of a large table has changed: meanwhile a part of
        // the audit log's text most entries hold was planned as a rare one (a bitmap scan of
        // every entry holding it instead of a walk that fills the page at once).
        conn.execute(format!("ANALYZE {table}").as_str()).await?;
        done.push((
            name,
            if concurrently {
                Built::Concurrently
            } else {
                Built::AtOnce
            },
        ));
    }
    Ok(done)
}

/// `pg_trgm`'s GIN operator class named in the extension's schema, the extension created first
/// when the database has none (in the node's schema); `None`, with a warning, when it cannot be.
async fn trigram_class(conn: &mut AnyConnection) -> Result<Option<String>, StoreError> {
    const FIND: &str = "SELECT quote_ident(n.nspname) FROM pg_extension e \
         JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'";
    let mut schema: Option<String> = sqlx::query_scalar(FIND).fetch_optional(&mut *conn).await?;
    if schema.is_none() {
        // Two nodes of different schemas may create it at once: the loser finds the winner's.
        let created = conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm").await;
        schema = sqlx::query_scalar(FIND).fetch_optional(&mut *conn).await?;
        if let (None, Err(e)) = (&schema, created) {
            tracing::warn!(
                error = %e,
                "pg_trgm cannot be created: the audit log's search by text walks the log"
            );
        }
    }
    Ok(schema.map(|s| format!("{s}.gin_trgm_ops")))
}

/// Runs [`Store::build_online_indexes`] on a connection of its own to `url` with `search_path`
/// set to `schema` (tests).
pub async fn build_on(
    url: &str,
    schema: &str,
    concurrent_from: i64,
) -> Result<Vec<(&'static str, Built)>, StoreError> {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(url).await?;
    if !schema.is_empty() {
        conn.execute(format!("SET search_path TO {schema}").as_str())
            .await?;
    }
    let built = Store::build_online_indexes(&mut conn, concurrent_from).await;
    let _ = conn.close().await;
    built
}
