//! A statement a request stopped waiting for does not run on inside PostgreSQL. The node waits
//! `database.acquire_timeout_secs` for an answer and then answers 503 (ops_database.rs); here a
//! lock held by someone else (a migration, an operator's maintenance, a stuck transaction) keeps
//! the statement from finishing, and PostgreSQL ends it at that same deadline — so it neither
//! queues behind the lock for as long as the lock is held, nor keeps the node's connection.
//!
//! The same for a transaction a node left open: a node frozen between two statements of a change
//! (a stopped process, a stalled VM) keeps its row locks — and, mid-commit, the audit chain's lock
//! every node's audited change takes — until PostgreSQL ends its session, after three deadlines.
//!
//! Needs PostgreSQL: TEST_DATABASE_URL, or postgres://postgres@127.0.0.1:5432/test by default.

mod common;

use common::*;
use sqlx::{Connection, Executor};
use std::time::{Duration, Instant};

async fn account_page(b: &Browser) -> (u16, Option<String>, String, Duration) {
    timed_page(b, "/account", "en").await
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

/// PostgreSQL (and Redis) of the tests, and a node configuration on them with a deadline of 1 s.
fn postgres_config() -> (Backend, String, vhod::config::Config) {
    let db = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let redis = std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let backend = Backend::Postgres {
        db: db.clone(),
        redis,
    };
    let mut config = test_config(&backend);
    config.database.acquire_timeout_secs = 1;
    (backend, db, config)
}

#[tokio::test]
async fn a_statement_held_up_by_a_lock_is_ended_by_postgres_at_the_deadline_and_the_node_serves_on()
{
    let (backend, db, config) = postgres_config();
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

/// Sessions of the node named `application` that sit inside a transaction.
async fn idle_in_transaction(conn: &mut sqlx::PgConnection, application: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity \
         WHERE application_name = $1 AND state = 'idle in transaction'",
    )
    .bind(application)
    .fetch_one(conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_change_a_frozen_node_left_open_is_ended_by_postgres_and_its_locks_come_back() {
    let (backend, db, mut config) = postgres_config();
    let application = format!("vhod-frozen-{}", uuid::Uuid::now_v7().simple());
    let mut url = url::Url::parse(&db).unwrap();
    url.query_pairs_mut()
        .append_pair("application_name", &application);
    config.database.url = url.to_string();
    let t = TestServer::start_with(&backend, config).await;

    // A registration's change wrote its account and then the node stopped between statements.
    let mut frozen = t.app.store.change().await.unwrap();
    frozen
        .create_account(vhod::store::accounts::NewAccount {
            surname: "Петров",
            given_name: "Пётр",
            contact_kind: "email",
            contact_value: "frozen@example.org",
            terms_version: "1",
            privacy_version: "1",
            registered_via: "test",
            password_hash: "-",
        })
        .await
        .unwrap();
    let mut watcher = sqlx::PgConnection::connect(&db).await.unwrap();
    assert_eq!(idle_in_transaction(&mut watcher, &application).await, 1);
    let since = Instant::now();
    let mut open = 1;
    while open > 0 && since.elapsed() < Duration::from_secs(8) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        open = idle_in_transaction(&mut watcher, &application).await;
    }
    assert_eq!(
        open, 0,
        "PostgreSQL ended the session three deadlines (3 s) after its last statement"
    );

    // The node wakes: its change cannot commit, and says so as an unavailable database (503 +
    // Retry-After), not an internal error; nothing of it was stored.
    let err = frozen
        .commit_unaudited()
        .await
        .expect_err("the session is gone");
    assert!(err.is_unavailable(), "{err}");
    // The contact's unique key was held by the open change; it is free, and the node serves on.
    t.add_person("frozen@example.org").await;
}
