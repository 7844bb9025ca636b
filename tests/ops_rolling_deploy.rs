//! A rolling deploy and a rollback: nodes of two builds on one database. Here "the newer build" is
//! this build's migrations plus one more, applied by sqlx's migrator from a folder the test writes
//! (exactly what the newer binary does at its start). A node of this build — the older one now —
//! must keep serving on that schema, restart on it and stay ready; only when a newer migration
//! raises `schema_floor.needs_migration` does it refuse to start and leave the balancer
//! (`/readyz` 503). Both backends.

mod common;

use common::*;
use serde_json::Value;
use sqlx::Executor;
use sqlx::migrate::Migrator;
use vhod::config::Config;

/// A pool on the test's database (its own schema on PostgreSQL), as another process would open it.
async fn other_process_pool(config: &Config) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    let schema = config.database.schema.clone();
    sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .after_connect(move |conn, _| {
            let set = (!schema.is_empty()).then(|| format!("SET search_path TO {schema}"));
            Box::pin(async move {
                if let Some(set) = set {
                    conn.execute(set.as_str()).await?;
                }
                Ok(())
            })
        })
        .connect(&config.database.url)
        .await
        .unwrap()
}

/// Runs this build's migrations and `extra` ((file name, SQL)) as one migrator, as a newer build
/// does at its start.
async fn newer_build_migrates(t: &TestServer, extra: &[(&str, &str)]) {
    let backend = match t.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres { .. } => "postgres",
    };
    let dir = std::env::temp_dir().join(format!(
        "vhod-newer-build-{}",
        uuid::Uuid::now_v7().simple()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let ours = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    for f in std::fs::read_dir(ours).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), dir.join(f.file_name())).unwrap();
    }
    for (name, sql) in extra {
        std::fs::write(dir.join(name), sql).unwrap();
    }
    let pool = other_process_pool(&t.config).await;
    Migrator::new(dir.as_path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .expect("the newer build migrates");
    pool.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

async fn readiness(base: &str) -> (u16, Option<String>, Value) {
    let res = reqwest::get(format!("{base}/readyz")).await.unwrap();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (res.status().as_u16(), retry, res.json().await.unwrap())
}

/// A complete sign-in on `t`: authorization code, token, userinfo.
async fn signs_in(t: &TestServer, client_id: &str, secret: &str, login: &str) {
    let (code, verifier) = obtain_code(t, &Browser::new(&t.base), client_id, login).await;
    let (status, tokens) = redeem(t, client_id, secret, &code, &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    let (status, info) = userinfo(t, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{info}");
}

const ADDITIVE: &str =
    "-- a newer build's feature: a table and a nullable column the older build never reads
CREATE TABLE newer_feature (id TEXT PRIMARY KEY, note TEXT);
ALTER TABLE accounts ADD COLUMN nickname TEXT;
";

#[tokio::test]
async fn an_older_build_serves_restarts_and_stays_ready_on_a_schema_a_newer_build_added_to() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        let secret = secret.unwrap();
        t.add_person("rolling@example.org").await;
        newer_build_migrates(&t, &[("9001_newer_feature.sql", ADDITIVE)]).await;

        // The node that was running keeps serving and stays in the balancer.
        let (status, _, body) = readiness(&t.base).await;
        assert_eq!(status, 200, "{}: {body}", backend.name());
        assert_eq!(body["database"], "ok", "{}", backend.name());
        signs_in(&t, &client_id, &secret, "rolling@example.org").await;

        // A node of this build (re)started now — a restart during the deploy, or a rollback —
        // starts on the newer schema and serves (sqlx refused it: "migration 9001 was previously
        // applied but is missing in the resolved migrations").
        let restarted = TestServer::start_with(&backend, t.config.clone()).await;
        let (status, _, body) = readiness(&restarted.base).await;
        assert_eq!(status, 200, "{}: {body}", backend.name());
        signs_in(&restarted, &client_id, &secret, "rolling@example.org").await;
        // Its own migrations stay applied once, the newer one stays where the newer build put it.
        assert!(matches!(
            restarted.app.store.schema_state().await.unwrap(),
            vhod::store::schema::SchemaState::Current { ahead } if ahead == vec![9001]
        ));
    }
}

#[tokio::test]
async fn a_migration_that_raises_the_floor_stops_older_builds_from_starting_and_takes_them_out_of_the_balancer()
 {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        newer_build_migrates(
            &t,
            &[
                ("9001_newer_feature.sql", ADDITIVE),
                (
                    "9002_drops_what_older_builds_read.sql",
                    "UPDATE schema_floor SET needs_migration = 9002;\n",
                ),
            ],
        )
        .await;

        let (status, retry, body) = readiness(&t.base).await;
        assert_eq!(status, 503, "{}: {body}", backend.name());
        assert_eq!(body["database"], "schema needs a newer build", "{body}");
        assert!(retry.is_some(), "503 says when to come back");

        let refused = vhod::build_app(t.config.clone(), vhod::clock::Clock::default()).await;
        let message = match refused {
            Ok(_) => panic!("{}: an older build started below the floor", backend.name()),
            Err(e) => format!("{e:#}"),
        };
        assert!(
            message.contains("needs a build that knows migration 9002")
                && message.contains("run the newer build"),
            "{}: {message}",
            backend.name()
        );
    }
}
