//! The audit log searched by a part of its text (the console's actor, action and target filters):
//! the entries holding each part as written — `%`, `_` and `\` too — and none other, on both
//! backends, through the log's trigram index, so a search with no dates does not walk a long log
//! whole: on PostgreSQL `audit_log_text` (GIN, built at the start: `store::online_indexes`) when
//! the part is rare, on SQLite FTS5's `audit_text` (migration 0143); on a PostgreSQL database
//! without `pg_trgm` whose node may not create it, by a walk, the node running as before. (A UUID
//! in a part is looked up otherwise: ops_audit_uuid.rs.)

mod common;
#[path = "ops_audit/support.rs"]
mod support;

use common::*;
use sqlx::{Connection, Executor};
use support::*;
use vhod::store::audit_reads::AuditPage;
use vhod::store::online_indexes::{Built, build_on};

/// `page` within the minutes around entry 19 999's time (the filled entries are a second apart).
fn within_minutes(page: AuditPage<'_>) -> AuditPage<'_> {
    let at = 1_764_547_200 + 19_999;
    AuditPage {
        from: Some(at - 120),
        until: Some(at + 120),
        ..page
    }
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
    without_indexes(&t, "audit_log_text").await;
    fill(&t).await;
    let built = build_as_a_start_does(&t).await;
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
