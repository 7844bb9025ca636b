//! PostgreSQL ends what a request stopped waiting for: the pool's connections carry
//! `statement_timeout` = `database.acquire_timeout_secs`, a statement past it is an unavailable
//! database (503 + Retry-After).
//! Needs PostgreSQL: TEST_DATABASE_URL, or postgres://postgres@127.0.0.1:5432/test by default.

use crate::clock::Clock;
use crate::config::Config;
use crate::store::{Store, StoreError};

pub(super) async fn postgres_store() -> Store {
    let mut c = Config::defaults();
    c.database.url = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    c.database.schema = format!("t_{}", uuid::Uuid::now_v7().simple());
    // One connection: every statement below runs on the same one.
    c.database.max_connections = 1;
    c.database.acquire_timeout_secs = 1;
    Store::connect(&c, Clock::default())
        .await
        .expect("PostgreSQL at TEST_DATABASE_URL")
}

async fn shown(e: impl sqlx::Executor<'_, Database = sqlx::Any>) -> String {
    sqlx::query_scalar("SHOW statement_timeout")
        .fetch_one(e)
        .await
        .unwrap()
}

#[tokio::test]
async fn request_statements_end_at_the_deadline() {
    let store = postgres_store().await;
    assert_eq!(shown(&store.pool).await, "1s", "a request's statement");

    // Past the deadline PostgreSQL cancels the statement itself (the raw pool has no deadline of
    // its own on this side), and that is an unavailable database, not an internal error.
    let started = std::time::Instant::now();
    let cut = sqlx::query("SELECT pg_sleep(3)")
        .execute(store.pool.raw())
        .await
        .expect_err("canceled by the server");
    assert!(
        started.elapsed() < std::time::Duration::from_millis(2500),
        "canceled at the 1 s deadline, took {:?}",
        started.elapsed()
    );
    let cut = StoreError::from(cut);
    assert!(cut.is_unavailable(), "503 + Retry-After: {cut}");
    // The connection serves again at once.
    assert_eq!(shown(&store.pool).await, "1s");
    store.pool.close().await;
}

/// A write on a server that is no longer the primary (PostgreSQL answers 25006
/// read_only_sql_transaction, as a demoted primary or a standby does) is an unavailable database
/// — 503 + Retry-After while the node finds the promoted server (`primary.rs`) — not a 500.
#[tokio::test]
async fn a_write_refused_as_read_only_is_an_unavailable_database() {
    let store = postgres_store().await;
    let mut tx = store.begin().await.unwrap();
    sqlx::query("SET TRANSACTION READ ONLY")
        .execute(&mut *tx)
        .await
        .unwrap();
    let refused = sqlx::query("INSERT INTO settings (name, value) VALUES ('read-only', 'x')")
        .execute(&mut *tx)
        .await
        .unwrap_err();
    let e = StoreError::from(refused);
    assert!(e.to_string().contains("read-only"), "PostgreSQL said: {e}");
    assert!(
        e.is_unavailable(),
        "a refused write is a 503, not a 500: {e}"
    );
}
