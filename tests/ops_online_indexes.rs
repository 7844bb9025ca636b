//! On PostgreSQL the grants' walk index (`grants_made`) is built after the migrations, not by one
//! (`store::online_indexes`): on a large table concurrently, so portals' sign-ins keep writing
//! grants while it builds; an invalid index a failed build left is built again; two nodes starting
//! together build it once, the other waiting for it.

mod common;

use common::*;
use sqlx::Executor;
use vhod::store::online_indexes::{Built, build_on};

fn pg() -> Backend {
    postgres_backend().expect(
        "this test needs TEST_DATABASE_URL and TEST_REDIS_URL (see the test command in README.md)",
    )
}

async fn validity(t: &TestServer) -> Option<bool> {
    validity_of(t, "grants_made").await
}

async fn validity_of(t: &TestServer, index: &str) -> Option<bool> {
    let mut db = t.raw_db().await;
    sqlx::query_scalar(
        "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
         WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace",
    )
    .bind(index)
    .fetch_optional(&mut db)
    .await
    .unwrap()
}

const INSERT: &str = "INSERT INTO grants (id, account_id, client_id, scopes, acr, amr, auth_time, created_at) \
     VALUES ($1, $2, $3, 'openid', 'a', '[]', 1, 1)";

#[tokio::test]
async fn the_grants_index_is_built_online_once_and_again_when_invalid() {
    let t = TestServer::start(&pg()).await;
    let t = &t;
    assert_eq!(validity(t).await, Some(true), "a node's start built it");
    for audit in [
        "audit_log_text",
        "audit_log_actor_uuid",
        "audit_log_target_uuid",
    ] {
        assert_eq!(
            validity_of(t, audit).await,
            Some(true),
            "and the audit log's {audit}"
        );
    }
    let person = t.add_person("+79003350001").await;
    let (client, _) = t.add_client("https://rp.example/cb", false).await;
    let (url, schema) = (&t.config.database.url, &t.config.database.schema);
    t.raw_db()
        .await
        .execute("DROP INDEX grants_made")
        .await
        .unwrap();

    // A portal's sign-in is writing a grant, not yet committed, when the build starts.
    let mut writing = t.raw_db().await;
    writing.execute("BEGIN").await.unwrap();
    sqlx::query(INSERT)
        .bind("in-flight")
        .bind(&person)
        .bind(&client)
        .execute(&mut writing)
        .await
        .unwrap();
    let build = tokio::spawn({
        let (url, schema) = (url.clone(), schema.clone());
        async move { build_on(&url, &schema, 0).await }
    });
    // The build waits for that transaction (its first phase) …
    let mut watcher = t.raw_db().await;
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX%grants_made%' \
             AND wait_event_type = 'Lock'",
        )
        .fetch_one(&mut watcher)
        .await
        .unwrap();
        if waiting > 0 {
            break;
        }
        assert!(!build.is_finished(), "the build waits for the open write");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // … while another sign-in writes its grant and commits: a plain CREATE INDEX, queued for its
    // share lock behind the open write, would hold this insert until the deadline.
    let mut other = t.raw_db().await;
    other.execute("SET statement_timeout = '3s'").await.unwrap();
    sqlx::query(INSERT)
        .bind("written-during-the-build")
        .bind(&person)
        .bind(&client)
        .execute(&mut other)
        .await
        .expect("a grant is written while the index builds");
    writing.execute("COMMIT").await.unwrap();

    let built = build.await.unwrap().unwrap();
    assert_eq!(
        built,
        vec![
            ("grants_made", Built::Concurrently),
            ("audit_log_text", Built::Present),
            ("audit_log_actor_uuid", Built::Present),
            ("audit_log_target_uuid", Built::Present)
        ]
    );
    assert_eq!(validity(t).await, Some(true));
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM grants WHERE id IN ('in-flight', 'written-during-the-build')",
    )
    .fetch_one(&mut other)
    .await
    .unwrap();
    assert_eq!(n, 2);

    // (One test, not two: the watch above reads every connection's query, another test's
    // build among them.)
    an_invalid_index_is_built_again_and_two_nodes_build_it_once(t).await;
}

async fn an_invalid_index_is_built_again_and_two_nodes_build_it_once(t: &TestServer) {
    let (url, schema) = (&t.config.database.url, &t.config.database.schema);
    let again = build_on(url, schema, i64::MAX).await.unwrap();
    assert_eq!(
        again,
        vec![
            ("grants_made", Built::Present),
            ("audit_log_text", Built::Present),
            ("audit_log_actor_uuid", Built::Present),
            ("audit_log_target_uuid", Built::Present)
        ],
        "nothing to do"
    );

    // What a failed concurrent build leaves: the index there, marked invalid.
    t.raw_db()
        .await
        .execute(
            "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'grants_made'::regclass",
        )
        .await
        .unwrap();
    assert_eq!(validity(t).await, Some(false));
    let rebuilt = build_on(url, schema, i64::MAX).await.unwrap();
    assert_eq!(
        rebuilt,
        vec![
            ("grants_made", Built::AtOnce),
            ("audit_log_text", Built::Present),
            ("audit_log_actor_uuid", Built::Present),
            ("audit_log_target_uuid", Built::Present)
        ]
    );
    assert_eq!(validity(t).await, Some(true));

    // Two nodes start together: one builds, the other finds it built.
    t.raw_db()
        .await
        .execute("DROP INDEX grants_made")
        .await
        .unwrap();
    let (a, b) = tokio::join!(build_on(url, schema, 0), build_on(url, schema, 0));
    let mut hows = vec![a.unwrap()[0].1, b.unwrap()[0].1];
    hows.sort_by_key(|h| format!("{h:?}"));
    assert_eq!(hows, vec![Built::Concurrently, Built::Present]);
    assert_eq!(validity(t).await, Some(true));
}
