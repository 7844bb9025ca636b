//! The pool keeps a finished call's connection for the next call (`warm.rs`) and SQLite's writers
//! queue for their turn in the process (`BoundedPool::begin_with`): what that must not break.

use crate::clock::Clock;
use crate::config::Config;
use crate::store::Store;
use std::time::{Duration, Instant};

async fn sqlite_store(connections: u32) -> Store {
    let dir = std::env::temp_dir().join(format!("vhod-warm-{}", uuid::Uuid::now_v7().simple()));
    let mut c = Config::defaults();
    c.database.url = format!("sqlite://{}", dir.join("vhod.db").display());
    c.database.max_connections = connections;
    c.database.acquire_timeout_secs = 5;
    let store = Store::connect(&c, Clock::default()).await.unwrap();
    sqlx::query("CREATE TABLE scratch (x INTEGER NOT NULL)")
        .execute(&store.pool)
        .await
        .unwrap();
    store
}

async fn count(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM scratch")
        .fetch_one(&store.pool)
        .await
        .unwrap()
}

/// A temporary table lives in one connection only: the statement after the one that made it sees
/// it only on the same connection — with three connections idle in sqlx's pool, which would hand
/// out another.
#[tokio::test]
async fn the_next_statement_runs_on_the_connection_the_last_one_finished_on() {
    let store = sqlite_store(3).await;
    let raw = store.pool.raw();
    let held = [
        raw.acquire().await.unwrap(),
        raw.acquire().await.unwrap(),
        raw.acquire().await.unwrap(),
    ];
    drop(held);
    for _ in 0..100 {
        if raw.num_idle() == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(raw.num_idle(), 3);
    sqlx::query("CREATE TEMP TABLE only_here (x INTEGER)")
        .execute(&store.pool)
        .await
        .unwrap();
    assert_eq!(store.pool.kept(), 1);
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM only_here")
        .fetch_one(&store.pool)
        .await
        .expect("the same connection");
    assert_eq!(n, 0);
    assert_eq!(store.pool_usage(), (0, 3), "kept connections count as idle");
}

/// With every connection busy, a call waits in sqlx's pool; a connection that finishes goes to
/// it, not to the list of kept ones (where it would wait out its whole deadline).
#[tokio::test]
async fn a_call_waiting_for_the_only_connection_gets_it_when_a_transaction_commits() {
    let store = sqlite_store(1).await;
    let mut tx = store.begin().await.unwrap();
    sqlx::query("INSERT INTO scratch (x) VALUES (1)")
        .execute(&mut *tx)
        .await
        .unwrap();
    let reader = store.clone();
    let waiting = tokio::spawn(async move {
        let started = Instant::now();
        let n = count(&reader).await;
        (n, started.elapsed())
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    tx.commit().await.unwrap();
    let (n, waited) = waiting.await.unwrap();
    assert_eq!(n, 1);
    assert!(
        waited < Duration::from_secs(2),
        "served when the transaction committed, not at the 5 s deadline: {waited:?}"
    );
}

/// SQLite's writers take their turn before a connection: ten of them queued behind an open
/// transaction hold no connection, so a read still gets the second one at once (waiting in
/// SQLite's busy handler, each would have held one).
#[tokio::test]
async fn writers_waiting_for_their_turn_leave_the_connections_to_readers() {
    let store = sqlite_store(2).await;
    let mut first = store.begin().await.unwrap();
    sqlx::query("INSERT INTO scratch (x) VALUES (0)")
        .execute(&mut *first)
        .await
        .unwrap();
    let writers: Vec<_> = (1..=10)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut tx = store.begin().await.map_err(|e| e.to_string())?;
                sqlx::query("INSERT INTO scratch (x) VALUES ($1)")
                    .bind(i)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| e.to_string())?;
                tx.commit().await.map_err(|e| e.to_string())
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    assert_eq!(count(&store).await, 0, "nothing committed yet");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "the read waited {:?} for a connection",
        started.elapsed()
    );
    first.commit().await.unwrap();
    for w in writers {
        w.await.unwrap().expect("every writer gets its turn");
    }
    assert_eq!(count(&store).await, 11);
}

#[tokio::test]
async fn a_transaction_dropped_without_commit_is_rolled_back_and_its_connection_not_kept() {
    let store = sqlite_store(2).await;
    let mut tx = store.begin().await.unwrap();
    sqlx::query("INSERT INTO scratch (x) VALUES (1)")
        .execute(&mut *tx)
        .await
        .unwrap();
    drop(tx);
    assert_eq!(
        store.pool.kept(),
        0,
        "back to sqlx, which sends the rollback"
    );
    assert_eq!(count(&store).await, 0);
    let mut tx = store.begin().await.unwrap();
    sqlx::query("INSERT INTO scratch (x) VALUES (2)")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(count(&store).await, 1);
    assert_eq!(store.pool.kept(), 1);
}

/// Needs PostgreSQL (one connection, a 1 s deadline: `deadline_tests::postgres_store`).
#[tokio::test]
async fn a_statement_cut_at_the_deadline_does_not_keep_its_connection() {
    let store = super::deadline_tests::postgres_store().await;
    // PostgreSQL would end the statement at the same deadline and answer (an error it answered
    // leaves the connection reusable); lifted here, only this side cuts it.
    sqlx::query("SET statement_timeout = 0")
        .execute(&store.pool)
        .await
        .unwrap();
    assert_eq!(store.pool.kept(), 1);
    let cut = sqlx::query("SELECT pg_sleep(1.5)")
        .execute(&store.pool)
        .await
        .expect_err("past the deadline");
    assert!(matches!(cut, sqlx::Error::PoolTimedOut), "{cut}");
    assert_eq!(
        store.pool.kept(),
        0,
        "sqlx takes it back and waits for its answer"
    );
    let n: i32 = sqlx::query_scalar("SELECT 7")
        .fetch_one(&store.pool)
        .await
        .expect("the connection serves again once its statement ended");
    assert_eq!(n, 7);
    store.pool.close().await;
}
