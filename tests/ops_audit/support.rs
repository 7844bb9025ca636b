//! What the audit log's search tests share: the log filled straight in the database (behind the
//! chain's back: its chain is not what these tests look at), a page searched, its plan.

#![allow(dead_code)] // each test file uses a part
use crate::common::*;
use sqlx::Executor;
use vhod::store::audit_reads::{AuditAt, AuditPage};
use vhod::store::online_indexes::{Built, build_on};

pub const ENTRIES: u32 = 20_000;

pub fn search<'a>(actor: &'a str, action: &'a str, target: &'a str) -> AuditPage<'a> {
    AuditPage {
        actor,
        action,
        target,
        from: None,
        until: None,
        at: AuditAt::Newest,
        limit: 51,
    }
}
/// `ENTRIES` entries after the node's own: actor `account:{i}`, one of four actions, target
/// `client-{i % 100}`; then three whose target holds LIKE's special characters and one in Cyrillic. (Written behind
/// the chain's back: this log's chain is not what is tested.)
pub async fn fill(t: &TestServer) {
    let mut db = t.raw_db().await;
    sqlx::query(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ENTRIES}) \
         INSERT INTO audit_log (seq, at, actor, action, target, request_id, details, prev_hash, hash) \
         SELECT 1000 + i, 1764547200 + i, 'account:' || i, \
           CASE i % 4 WHEN 0 THEN 'consent.grant' WHEN 1 THEN 'consent.withdraw' \
             WHEN 2 THEN 'account.level' ELSE 'client.update' END, \
           'client-' || (i % 100), 'r', '{{}}', 'p', 'h' FROM n"
    ))
    .execute(&mut db)
    .await
    .unwrap();
    for (seq, target) in [
        (900_001, r"odd 100% sure_\path"),
        (900_002, "odd 100x surely path"),
        (900_003, r"odd 100% sureX\path"),
        (900_004, "person Иванова А. С."),
    ] {
        let entry = (seq, 1_800_000_000, "admin:odd", "client.update", target);
        append(&mut db, entry).await;
    }
    analysed(t, &mut db).await;
}

/// Writes one entry (seq, at, actor, action, target) straight into the log.
pub async fn append(db: &mut sqlx::AnyConnection, (seq, at, actor, action, target): Entry<'_>) {
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, target, request_id, details, prev_hash, \
         hash) VALUES ($1, $2, $3, $4, $5, 'r', '{}', 'p', 'h')",
    )
    .bind(seq)
    .bind(at)
    .bind(actor)
    .bind(action)
    .bind(target)
    .execute(db)
    .await
    .unwrap();
}

pub type Entry<'a> = (i64, i64, &'a str, &'a str, &'a str);

/// The log analysed (PostgreSQL), as autovacuum would have it after a while.
pub async fn analysed(t: &TestServer, db: &mut sqlx::AnyConnection) {
    if matches!(t.backend, Backend::Postgres { .. }) {
        db.execute("ANALYZE audit_log").await.unwrap();
    }
}

pub async fn found(t: &TestServer, page: AuditPage<'_>) -> Vec<(i64, String, String, String)> {
    t.app
        .store
        .audit_page(&page)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.seq, r.actor, r.action, r.target))
        .collect()
}

/// The plan of `page`'s statement, one line a step.
pub async fn plan_of(t: &TestServer, page: AuditPage<'_>) -> String {
    t.app.store.audit_page_plan(&page).await.unwrap().join("\n")
}

pub fn pg() -> Backend {
    postgres_backend()
        .expect("this test needs TEST_DATABASE_URL and TEST_REDIS_URL (see README.md)")
}
/// A UUID as vhod writes one; `k` tells them apart.
pub fn id(k: u32) -> String {
    format!("0193a29c-b832-7{:03x}-8a00-{k:012x}", k % 4096)
}

/// Entries naming UUIDs, after `fill`'s: 500 by fifty people (`account:{id(0..50)}`, ten each)
/// for seven clients (`client:{id(1000..1007)}`, 71 or 72 each), a second apart from
/// 1 800 000 100; one whose target holds two UUIDs written overlapping (the second begins with
/// the first's last eight digits); one whose target holds a UUID in capitals.
pub async fn fill_ids(t: &TestServer) {
    let mut db = t.raw_db().await;
    write_ids(&mut db).await;
    analysed(t, &mut db).await;
}

pub async fn write_ids(db: &mut sqlx::AnyConnection) {
    let a = id(2000);
    let overlapping = format!("pair {a}-1111-7222-8333-444455556666");
    let entries = (0..500u32)
        .map(|k| {
            let (actor, target) = (id(k % 50), id(1000 + k % 7));
            (
                800_000 + i64::from(k),
                format!("account:{actor}"),
                format!("client:{target}"),
            )
        })
        .chain([
            (800_600, "admin:odd".into(), overlapping),
            (
                800_601,
                "admin:odd".into(),
                format!("client:{}", id(3000).to_uppercase()),
            ),
            (
                800_602,
                "admin:odd".into(),
                format!("{} {}", "x".repeat(1100), id(4000)),
            ),
        ]);
    for (seq, actor, target) in entries {
        let at = 1_800_000_100 - 800_000 + seq;
        append(db, (seq, at, &actor, "consent.grant", &target)).await;
    }
}

/// What a search by UUID finds in `fill_ids`'s entries: one person's ten (newest first), the
/// entry naming two UUIDs written overlapping, by either, and the one whose target is too long
/// for SQLite to look through whole.
pub async fn finds_the_ids(t: &TestServer) {
    let name = t.backend.name();
    let person = id(7);
    let expected: Vec<i64> = (0..10).rev().map(|n| 800_007 + 50 * n).collect();
    assert_eq!(
        seqs(&found(t, search(&person, "", "")).await),
        expected,
        "{name}"
    );
    let a = id(2000);
    let b = format!("{}-1111-7222-8333-444455556666", &a[28..]);
    for part in [&a, &b] {
        assert_eq!(
            seqs(&found(t, search("", "", part)).await),
            [800_600],
            "{name}"
        );
    }
    let far = id(4000);
    assert_eq!(
        seqs(&found(t, search("", "", &far)).await),
        [800_602],
        "{name}"
    );
}

pub fn seqs(rows: &[(i64, String, String, String)]) -> Vec<i64> {
    rows.iter().map(|r| r.0).collect()
}

/// Drops `indexes` (PostgreSQL; comma-separated): the log as an older release left it.
pub async fn without_indexes(t: &TestServer, indexes: &str) {
    let drop = format!("DROP INDEX {indexes}");
    t.raw_db().await.execute(drop.as_str()).await.unwrap();
}

/// Builds the online indexes as a node's start does (all at once: the test's log is small).
pub async fn build_as_a_start_does(t: &TestServer) -> Vec<(&'static str, Built)> {
    let (url, schema) = (&t.config.database.url, &t.config.database.schema);
    build_on(url, schema, i64::MAX).await.unwrap()
}
