//! A statement a request stopped waiting for does not run on inside PostgreSQL. The node waits
//! `database.acquire_timeout_secs` for an answer and then answers 503 (ops_database.rs); here a
//! lock held by someone else (a migration, an operator's maintenance, a stuck transaction) keeps
//! the statement from finishing, and PostgreSQL ends it at that same deadline — so it neither
//! queues behind the lock for as long as the lock is held, nor keeps the node's connection.
//!
//! Needs PostgreSQL: TEST_DATABASE_URL, or postgres://postgres@127.0.0.1:5432/test by default.

mod common;

use common::*;
use sqlx::{Connection, Executor};
use std::time::{Duration, Instant};

async fn account_page(b: &Browser) -> (u16, Option<String>, String, Duration) {
    let started = Instant::now();
    let res = b
        .http
        .get(format!("{}/account", b.base))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (status, retry, res.text().await.unwrap(), started.elapsed())
}

/// Statements of other sessions waiting for a lock on the node's `accounts` table.
async fn waiting_on_accounts(conn: &mut sqlx::PgConnection) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM pg_locks WHERE relation = 'accounts'::regclass AND NOT granted",
    )
    .fetch_one(conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_statement_held_up_by_a_lock_is_ended_by_postgres_at_the_deadline_and_the_node_serves_on()
{
    let db = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let redis = std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let backend = Backend::Postgres {
        db: db.clone(),
        redis,
    };
    let mut config = test_config(&backend);
    config.database.acquire_timeout_secs = 1;
    let t = TestServer::start_with(&backend, config).await;
    t.add_person("pg-lock@example.org").await;
    let b = Browser::new(&t.base);
    login::sign_in_to_account(&b, "pg-lock@example.org").await;
    assert_eq!(account_page(&b).await.0, 200);

    let mut holder = sqlx::PgConnection::connect(&db).await.unwrap();
    holder
        .execute(format!("SET search_path TO {}", t.config.database.schema).as_str())
        .await
        .unwrap();
    holder.execute("BEGIN").await.unwrap();
    holder
        .execute("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();

    let (status, retry, body, took) = account_page(&b).await;
    assert_eq!(status, 503, "{body}");
    assert!(retry.is_some(), "Retry-After");
    assert!(
        body.contains("The service is temporarily unavailable"),
        "{body}"
    );
    assert!(took < Duration::from_secs(3), "answered in {took:?}");

    let mut watcher = sqlx::PgConnection::connect(&db).await.unwrap();
    watcher
        .execute(format!("SET search_path TO {}", t.config.database.schema).as_str())
        .await
        .unwrap();
    let mut still_waiting = waiting_on_accounts(&mut watcher).await;
    let since = Instant::now();
    while still_waiting > 0 && since.elapsed() < Duration::from_secs(3) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        still_waiting = waiting_on_accounts(&mut watcher).await;
    }
    assert_eq!(
        still_waiting, 0,
        "the node's statement no longer queues behind the lock once the request gave up on it"
    );

    holder.execute("ROLLBACK").await.unwrap();
    let mut serves = false;
    for _ in 0..30 {
        if account_page(&b).await.0 == 200 {
            serves = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        serves,
        "the node serves once the lock is gone, without a restart"
    );
}
