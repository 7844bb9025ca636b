//! A `BEGIN` its caller stopped waiting for (a request's deadline while PostgreSQL was frozen)
//! leaves no transaction behind on a connection the pool hands out again. Seen in
//! benches/faults/freeze_postgres.sh as PostgreSQL's notice "there is already a transaction in
//! progress" on both nodes after the thaw. Needs PostgreSQL: TEST_DATABASE_URL, or
//! postgres://postgres@127.0.0.1:5432/test by default.

use super::Tx;
use crate::store::warm::Warm;
use sqlx::Connection;
use std::time::Duration;

fn url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

async fn rows_seen_by_another_session(table: &str) -> i64 {
    let mut other = sqlx::AnyConnection::connect(&url()).await.unwrap();
    let n = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&mut other)
        .await
        .unwrap();
    other.close().await.unwrap();
    n
}

#[tokio::test]
async fn a_write_after_a_begin_cut_short_is_committed_not_left_in_that_begins_transaction() {
    sqlx::any::install_default_drivers();
    // One connection: the write below gets the one the cut BEGIN was sent on, or its replacement.
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url())
        .await
        .expect("PostgreSQL at TEST_DATABASE_URL");
    let table = format!("begin_cut_{}", uuid::Uuid::now_v7().simple());
    sqlx::query(&format!("CREATE TABLE {table} (x INTEGER NOT NULL)"))
        .execute(&pool)
        .await
        .unwrap();

    // The database answers this BEGIN 0.4 s after it was sent; its caller gives up after 0.1 s.
    let conn = pool.acquire().await.unwrap();
    let cut = tokio::time::timeout(
        Duration::from_millis(100),
        Tx::begin(
            conn,
            Some("BEGIN; SELECT pg_sleep(0.4)"),
            None,
            Duration::from_secs(5),
            Warm::default(),
        ),
    )
    .await;
    assert!(cut.is_err(), "the caller stopped waiting");

    // A write answered as done is committed: another session sees it.
    let done = sqlx::query(&format!("INSERT INTO {table} (x) VALUES (1)"))
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(done.rows_affected(), 1);
    assert_eq!(
        rows_seen_by_another_session(&table).await,
        1,
        "the acknowledged write is committed, not waiting inside the cut BEGIN's transaction"
    );
    // And a transaction begun afterwards is one of its own, committed by its commit.
    let mut tx = Tx::begin(
        pool.acquire().await.unwrap(),
        None,
        None,
        Duration::from_secs(5),
        Warm::default(),
    )
    .await
    .unwrap();
    sqlx::query(&format!("INSERT INTO {table} (x) VALUES (2)"))
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(rows_seen_by_another_session(&table).await, 2);

    sqlx::query(&format!("DROP TABLE {table}"))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}
