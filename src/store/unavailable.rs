//! Database errors that say "not now" rather than "never": the server is going down or starting
//! up, its disk is full, it has no connection or memory left (PostgreSQL), or the file system under
//! the SQLite database is full or failing. A request that meets one is answered 503 with
//! Retry-After like one that cannot reach the database at all, and succeeds again once the cause
//! is gone (benches/faults: a full disk under SQLite, PostgreSQL restarted under load).

use sqlx::error::DatabaseError;

/// SQLite primary result codes (the low byte of an extended code) that are about the storage,
/// not the statement: SQLITE_BUSY (5, the write lock still held after busy_timeout), SQLITE_IOERR
/// (10), SQLITE_FULL (13, "database or disk is full").
const SQLITE_TRANSIENT: &[i32] = &[5, 10, 13];

/// PostgreSQL SQLSTATE classes and codes of the same kind: class 08 (connection exception),
/// class 53 (insufficient resources: disk_full 53100, out_of_memory 53200, too_many_connections
/// 53300), 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now — and 57014
/// query_canceled: a statement that outran the request's deadline (`statement_timeout`, set to
/// `database.acquire_timeout_secs`: store/mod.rs), which the request would have stopped waiting
/// for at the same moment — and 25P03 idle_in_transaction_session_timeout: the node sat inside a
/// transaction past three deadlines (frozen or cut off) and PostgreSQL ended its session — and
/// 25006 read_only_sql_transaction: a write on a server that is no longer the primary (the node
/// follows the promoted one: `primary.rs`).
const PG_TRANSIENT_CLASSES: &[&str] = &["08", "53"];
const PG_TRANSIENT_CODES: &[&str] = &["57P01", "57P02", "57P03", "57014", "25P03", "25006"];

pub(crate) fn is_transient(e: &dyn DatabaseError) -> bool {
    let Some(code) = e.code() else {
        return false;
    };
    // A SQLSTATE is five characters; SQLite's extended result codes are numbers below 10 000.
    if code.len() == 5 {
        return PG_TRANSIENT_CLASSES.contains(&&code[..2]) || PG_TRANSIENT_CODES.contains(&&*code);
    }
    code.parse::<i32>()
        .is_ok_and(|c| SQLITE_TRANSIENT.contains(&(c & 0xff)))
}

#[cfg(test)]
mod tests {
    use crate::clock::Clock;
    use crate::config::Config;
    use crate::store::Store;

    /// A store on a SQLite file that may not grow past its current size: SQLite then answers
    /// SQLITE_FULL ("database or disk is full"), exactly what it answers when the file system
    /// under it has no free block left (benches/faults/disk_full.sh fills a real one).
    async fn full_store() -> (Store, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("vhod-full-{}", uuid::Uuid::now_v7().simple()));
        let mut c = Config::defaults();
        c.database.url = format!("sqlite://{}", dir.join("vhod.db").display());
        c.database.max_connections = 1;
        let store = Store::connect(&c, Clock::default()).await.unwrap();
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        sqlx::query(&format!("PRAGMA max_page_count = {pages}"))
            .execute(&store.pool)
            .await
            .unwrap();
        (store, dir)
    }

    #[tokio::test]
    async fn a_full_disk_under_sqlite_is_an_unavailable_database_not_an_internal_error() {
        let (store, dir) = full_store().await;
        let body = "x".repeat(2000);
        let mut failure = None;
        for i in 0..500 {
            let recipient = format!("+7912{i:07}");
            let write = store.push_outbox("sms", &recipient, "s", &body);
            let (result, noted) = crate::metrics::watch_dependencies(write).await;
            if let Err(e) = result {
                failure = Some((e, noted));
                break;
            }
        }
        let (e, noted) = failure.expect("the database stops growing within 500 writes");
        assert!(e.to_string().contains("full"), "SQLite said: {e}");
        assert!(e.is_unavailable(), "a full disk is a 503, not a 500: {e}");
        assert_eq!(
            noted,
            Some("database"),
            "the request is marked for 503 + Retry-After"
        );
        store.pool.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
