//! The audit log searched by a part of its text (the console's actor, action and target filters):
//! the entries holding each part as written — `%`, `_` and `\` too — and none other, on both
//! backends, through the log's trigram index, so a search with no dates does not walk a long log
//! whole: on PostgreSQL `audit_log_text` (GIN, built at the start: `store::online_indexes`) when
//! the part is rare, on SQLite FTS5's `audit_text` (migration 0143); on a PostgreSQL database
//! without `pg_trgm` whose node may not create it, by a walk, the node running as before. On
//! PostgreSQL a UUID in an actor's or target's part is looked up by the UUID the entries name
//! (`audit_log_actor_uuid`, `audit_log_target_uuid`), each one's entries in order.

mod common;

use common::*;
use sqlx::{Connection, Executor};
use vhod::store::audit_reads::{AuditAt, AuditPage};
use vhod::store::online_indexes::{Built, build_on};

const ENTRIES: u32 = 20_000;

fn search<'a>(actor: &'a str, action: &'a str, target: &'a str) -> AuditPage<'a> {
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

/// `page` within the minutes around entry 19 999's time (the filled entries are a second apart).
fn within_minutes(page: AuditPage<'_>) -> AuditPage<'_> {
    let at = 1_764_547_200 + 19_999;
    AuditPage {
        from: Some(at - 120),
        until: Some(at + 120),
        ..page
    }
}

/// `ENTRIES` entries after the node's own: actor `account:{i}`, one of four actions, target
/// `client-{i % 100}`; then three whose target holds LIKE's special characters and one in Cyrillic. (Written behind
/// the chain's back: this log's chain is not what is tested.)
async fn fill(t: &TestServer) {
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
async fn append(db: &mut sqlx::AnyConnection, (seq, at, actor, action, target): Entry<'_>) {
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

type Entry<'a> = (i64, i64, &'a str, &'a str, &'a str);

/// The log analysed (PostgreSQL), as autovacuum would have it after a while.
async fn analysed(t: &TestServer, db: &mut sqlx::AnyConnection) {
    if matches!(t.backend, Backend::Postgres { .. }) {
        db.execute("ANALYZE audit_log").await.unwrap();
    }
}

async fn found(t: &TestServer, page: AuditPage<'_>) -> Vec<(i64, String, String, String)> {
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
async fn plan_of(t: &TestServer, page: AuditPage<'_>) -> String {
    t.app.store.audit_page_plan(&page).await.unwrap().join("\n")
}

fn pg() -> Backend {
    postgres_backend()
        .expect("this test needs TEST_DATABASE_URL and TEST_REDIS_URL (see README.md)")
}

#[tokio::test]
async fn a_part_of_the_text_finds_exactly_the_entries_holding_it() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        fill(&t).await;
        let name = backend.name();

        // One person's entries, by a part of the actor: `account:1234` and `account:12345`… are
        // both "account:1234…"; the part with its end is one.
        let rows = found(&t, search("account:19999", "", "")).await;
        assert_eq!(rows.len(), 1, "{name}: {rows:?}");
        assert_eq!(rows[0].0, 1000 + 19_999, "{name}");
        let rows = found(&t, search("account:1999", "", "")).await;
        let seqs: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let mut expected: Vec<i64> = (19_990..=19_999).chain([1999]).map(|i| 1000 + i).collect();
        expected.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(seqs, expected, "{name}: newest first, every one of them");

        // Within dates (walked, not looked up): the same entry.
        let rows = found(&t, within_minutes(search("account:19999", "", ""))).await;
        assert_eq!(rows.len(), 1, "{name}: {rows:?}");
        assert_eq!(rows[0].0, 1000 + 19_999, "{name}");

        // Parts in two columns: each in its own column (the action's part is not looked for
        // in the target).
        let rows = found(&t, search("account:1999", "withdraw", "client-9")).await;
        assert!(!rows.is_empty(), "{name}");
        for (_, actor, action, target) in &rows {
            assert!(actor.contains("account:1999"), "{name}: {actor}");
            assert_eq!(action, "consent.withdraw", "{name}");
            assert!(target.contains("client-9"), "{name}: {target}");
        }
        assert!(
            found(&t, search("", "", "withdraw")).await.is_empty(),
            "{name}: no target holds an action's name"
        );

        // LIKE's special characters are text like any other.
        let rows = found(&t, search("", "", r"100% sure_\path")).await;
        assert_eq!(rows.len(), 1, "{name}: {rows:?}");
        assert_eq!(rows[0].0, 900_001, "{name}");
        let rows = found(&t, search("", "", r"% sure")).await;
        let seqs: Vec<i64> = rows.iter().map(|r| r.0).collect();
        assert_eq!(seqs, vec![900_003, 900_001], "{name}");
        assert!(
            found(&t, search("", "", "sure_X")).await.is_empty(),
            "{name}: `_` is not any character"
        );

        // Cyrillic, case as written.
        let rows = found(&t, search("", "", "Иванова А")).await;
        assert_eq!(rows.len(), 1, "{name}: {rows:?}");
        assert_eq!(rows[0].0, 900_004, "{name}");
        assert!(
            found(&t, search("", "", "иванова")).await.is_empty(),
            "{name}: case counts"
        );
    }
}

#[tokio::test]
async fn a_part_is_looked_up_in_the_trigram_index() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        fill(&t).await;
        let plan = |page| plan_of(&t, page);
        let rare = [
            search("account:19999", "", ""),
            search("", "", r"100% sure_\path"),
            search("account:1999", "withdraw", ""),
        ];
        match backend {
            // One person's entries out of the whole log: found in the index, not by walking
            // the log back from its newest entry until the page is full or the log ends; a part
            // most entries hold is found by that walk, which fills the page at once.
            Backend::Postgres { .. } => {
                for page in rare {
                    let plan = plan(page).await;
                    assert!(
                        plan.contains("Bitmap Index Scan on audit_log_text"),
                        "a rare part's plan uses the index:\n{plan}"
                    );
                }
                let plan = plan(search("", "consent", "")).await;
                assert!(
                    plan.contains("Index Scan Backward using audit_log_pkey"),
                    "a common part's plan walks the newest entries:\n{plan}"
                );
            }
            // The index's matches newest first, each entry looked up by its position.
            Backend::Sqlite => {
                for page in rare.into_iter().chain([search("", "consent", "")]) {
                    let plan = plan(page).await;
                    assert!(
                        plan.contains("SCAN audit_text VIRTUAL TABLE")
                            && plan.contains("SEARCH audit_log USING INDEX"),
                        "the plan looks the part up in the index:\n{plan}"
                    );
                }
            }
        }
        // A part too short for a trigram, and a part within dates: a walk (of those dates).
        let short = plan(search("", "", "x")).await;
        assert!(!short.contains("audit_text"), "{short}");
        let dated = plan(within_minutes(search("account:19999", "", ""))).await;
        assert!(!dated.contains("audit_text"), "{dated}");
        assert!(dated.contains("audit_log_at"), "the dates' index: {dated}");
    }
}

#[tokio::test]
async fn a_common_part_is_walked_as_soon_as_the_index_is_built_on_a_long_log() {
    let pg = pg();
    let t = TestServer::start(&pg).await;
    // A log an older release wrote (analysed, but with no index of its text), then the start of
    // this release, which builds the index.
    t.raw_db()
        .await
        .execute("DROP INDEX audit_log_text")
        .await
        .unwrap();
    fill(&t).await;
    let (url, schema) = (&t.config.database.url, &t.config.database.schema);
    let built = build_on(url, schema, i64::MAX).await.unwrap();
    assert!(
        built.contains(&("audit_log_text", Built::AtOnce)),
        "{built:?}"
    );

    // Half the entries hold "consent": planned as the common part it is (statistics of the
    // index's expression taken with the build), not as a rare one.
    let plan = plan_of(&t, search("", "consent", "")).await;
    assert!(
        plan.contains("Index Scan Backward using audit_log_pkey"),
        "a common part's plan walks the newest entries:\n{plan}"
    );
}

/// A UUID as vhod writes one; `k` tells them apart.
fn id(k: u32) -> String {
    format!("0193a29c-b832-7{:03x}-8a00-{k:012x}", k % 4096)
}

/// Entries naming UUIDs, after `fill`'s: 500 by fifty people (`account:{id(0..50)}`, ten each)
/// for seven clients (`client:{id(1000..1007)}`, 71 or 72 each), a second apart from
/// 1 800 000 100; one whose target holds two UUIDs written overlapping (the second begins with
/// the first's last eight digits); one whose target holds a UUID in capitals.
async fn fill_ids(t: &TestServer) {
    let mut db = t.raw_db().await;
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
        ]);
    for (seq, actor, target) in entries {
        let at = 1_800_000_100 - 800_000 + seq;
        append(&mut db, (seq, at, &actor, "consent.grant", &target)).await;
    }
    analysed(t, &mut db).await;
}

fn seqs(rows: &[(i64, String, String, String)]) -> Vec<i64> {
    rows.iter().map(|r| r.0).collect()
}

#[tokio::test]
async fn a_uuid_finds_exactly_the_entries_naming_it_in_order() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        fill(&t).await;
        fill_ids(&t).await;
        let name = backend.name();

        // One person's ten entries, newest first, by the UUID alone or with its prefix; not as
        // a target.
        let person = id(7);
        let expected: Vec<i64> = (0..10).rev().map(|n| 800_007 + 50 * n).collect();
        for part in [person.clone(), format!("account:{person}")] {
            assert_eq!(
                seqs(&found(&t, search(&part, "", "")).await),
                expected,
                "{name}"
            );
        }
        assert!(
            found(&t, search("", "", &person)).await.is_empty(),
            "{name}"
        );
        // With the action's part and within dates: the same entries.
        let dated = || AuditPage {
            from: Some(1_800_000_100),
            until: Some(1_800_000_600),
            ..search(&person, "consent", "")
        };
        assert_eq!(seqs(&found(&t, dated()).await), expected, "{name}");

        // A client's 72 entries a page at a time, both ways.
        let client = id(1000);
        let all: Vec<i64> = (0..72).rev().map(|n| 800_000 + 7 * n).collect();
        let first = seqs(&found(&t, search("", "", &client)).await);
        assert_eq!(first, all[..51], "{name}");
        let older = AuditPage {
            at: AuditAt::Before(first[50]),
            ..search("", "", &client)
        };
        assert_eq!(seqs(&found(&t, older).await), all[51..], "{name}");
        let newer = AuditPage {
            at: AuditAt::After(all[30]),
            limit: 10,
            ..search("", "", &client)
        };
        assert_eq!(seqs(&found(&t, newer).await), all[20..30], "{name}");

        // Two UUIDs written overlapping: each finds the entry.
        let a = id(2000);
        let b = format!("{}-1111-7222-8333-444455556666", &a[28..]);
        for part in [&a, &b] {
            assert_eq!(
                seqs(&found(&t, search("", "", part)).await),
                [800_600],
                "{name}"
            );
        }
        // Capitals count: as written, and only so.
        let upper = id(3000).to_uppercase();
        assert_eq!(
            seqs(&found(&t, search("", "", &upper)).await),
            [800_601],
            "{name}"
        );
        assert!(
            found(&t, search("", "", &id(3000))).await.is_empty(),
            "{name}"
        );

        if matches!(backend, Backend::Postgres { .. }) {
            // Looked up by the UUID in the column's index (walked in order or, for a few
            // entries, gathered and sorted), beside the entries naming several (the nil UUID);
            // not through the text's trigrams.
            for (page, index) in [
                (search(&person, "", ""), "audit_log_actor_uuid"),
                (search("", "", &client), "audit_log_target_uuid"),
                (dated(), "audit_log_actor_uuid"),
            ] {
                let plan = plan_of(&t, page).await;
                assert!(
                    plan.contains(index)
                        && plan.contains("= '00000000-0000-0000-0000-000000000000'::uuid")
                        && !plan.contains("audit_log_text"),
                    "{plan}"
                );
            }
        }
    }
}

/// A database without `pg_trgm` whose node may not create it (a role with a schema of its own
/// and no CREATE on the database): the node starts, says the index is unavailable, and the
/// search walks the log with the same answers.
#[tokio::test]
async fn without_pg_trgm_the_node_runs_and_the_search_walks() {
    let pg = pg();
    let Backend::Postgres { db, .. } = &pg else {
        unreachable!()
    };
    let tag = uuid::Uuid::now_v7().simple().to_string();
    let (name, role) = (format!("notrgm_{tag}"), format!("r_{tag}"));
    let mut admin = sqlx::PgConnection::connect(db).await.unwrap();
    for sql in [
        format!("CREATE DATABASE {name}"),
        format!("CREATE ROLE {role} LOGIN"),
    ] {
        admin.execute(sql.as_str()).await.unwrap();
    }
    let url = url_with(db, &role, &name);
    sqlx::PgConnection::connect(&url_with(db, "postgres", &name))
        .await
        .unwrap()
        .execute(format!("CREATE SCHEMA {role} AUTHORIZATION {role}").as_str())
        .await
        .unwrap();

    let mut config = test_config(&pg);
    config.database.url = url.clone();
    config.database.schema = String::new();
    let t = TestServer::start_with(&pg, config).await;
    let built = build_on(&url, "", i64::MAX).await.unwrap();
    assert!(
        built.contains(&("audit_log_text", Built::Unavailable)),
        "{built:?}"
    );
    fill(&t).await;
    let rows = found(&t, search("account:19999", "", "")).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, 1000 + 19_999);
    let plan = plan_of(&t, search("account:19999", "", "")).await;
    assert!(!plan.contains("audit_log_text"), "{plan}");

    drop(t);
    for sql in [
        format!("DROP DATABASE {name} WITH (FORCE)"),
        format!("DROP ROLE {role}"),
    ] {
        admin.execute(sql.as_str()).await.unwrap();
    }
}

/// `db` (a postgres:// URL) as `user` on database `name`.
fn url_with(db: &str, user: &str, name: &str) -> String {
    let mut url = url::Url::parse(db).unwrap();
    url.set_username(user).unwrap();
    url.set_path(&format!("/{name}"));
    url.to_string()
}
