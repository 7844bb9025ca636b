//! The audit log searched by a UUID (the console's actor and target filters, a part holding an
//! account's, a client's or an organisation's UUID as vhod writes them): exactly the entries whose
//! column holds the part, each UUID's entries in order of position however long the log —
//! PostgreSQL: the indexes `audit_log_actor_uuid`, `audit_log_target_uuid` of `audit_uuid`
//! (migration 0144), built at the start; SQLite: the table `audit_uuids` (migration 0144), filled
//! by a trigger and, for an older log, by the migration.

mod common;
#[path = "ops_audit/support.rs"]
mod support;

use common::*;
use support::*;
use vhod::store::audit_reads::{AuditAt, AuditPage};
use vhod::store::online_indexes::Built;

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

        // Two UUIDs written overlapping, and a target too long to look through whole.
        finds_the_ids(&t).await;
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

        // Looked up by the UUID (on PostgreSQL in the column's index, walked in order or, for a
        // few entries, gathered and sorted; on SQLite in `audit_uuids` by its key), beside the
        // entries naming several (the nil UUID); not through the text's trigrams.
        for (page, index) in [
            (search(&person, "", ""), "audit_log_actor_uuid"),
            (search("", "", &client), "audit_log_target_uuid"),
            (dated(), "audit_log_actor_uuid"),
        ] {
            let plan = plan_of(&t, page).await;
            let looked_up = match backend {
                Backend::Postgres { .. } => {
                    plan.contains(index)
                        && plan.contains("= '00000000-0000-0000-0000-000000000000'::uuid")
                }
                Backend::Sqlite => {
                    plan.matches("SEARCH audit_uuids USING PRIMARY KEY (col=? AND uuid=?)")
                        .count()
                        == 2
                }
            };
            assert!(
                looked_up && !plan.contains("audit_log_text") && !plan.contains("audit_text"),
                "{name}: {plan}"
            );
        }
    }
}

/// A log an older release wrote, before the lookup by UUID: its entries are found by it once a
/// start has added it — on SQLite migration 0144 lists them, on PostgreSQL the start builds the
/// indexes on them.
#[tokio::test]
async fn entries_written_before_the_lookup_by_uuid_are_found_by_it() {
    // SQLite: this build's migrations but the last, the log written, then the node's start.
    let dir = std::env::temp_dir().join(format!("vhod-uuids-{}", uuid::Uuid::now_v7().simple()));
    let older = dir.join("migrations");
    std::fs::create_dir_all(&older).unwrap();
    let ours = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    for f in std::fs::read_dir(ours).unwrap() {
        let f = f.unwrap();
        let name = f.file_name().to_string_lossy().to_string();
        if name.as_str() < "0144" {
            std::fs::copy(f.path(), older.join(&name)).unwrap();
        }
    }
    let url = format!("sqlite://{}", dir.join("vhod.db").display());
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&format!("{url}?mode=rwc"))
        .await
        .unwrap();
    sqlx::migrate::Migrator::new(older.as_path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    write_ids(&mut pool.acquire().await.unwrap().detach()).await;
    pool.close().await;
    let mut config = test_config(&Backend::Sqlite);
    config.database.url = url;
    let t = TestServer::start_with(&Backend::Sqlite, config).await;
    finds_the_ids(&t).await;
    drop(t);
    let _ = std::fs::remove_dir_all(dir);

    // PostgreSQL: the log written without the indexes, then built as a start builds them.
    let t = TestServer::start(&pg()).await;
    without_indexes(&t, "audit_log_actor_uuid, audit_log_target_uuid").await;
    fill_ids(&t).await;
    let built = build_as_a_start_does(&t).await;
    for index in ["audit_log_actor_uuid", "audit_log_target_uuid"] {
        assert!(built.contains(&(index, Built::AtOnce)), "{built:?}");
    }
    finds_the_ids(&t).await;
}
