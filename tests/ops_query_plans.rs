//! Every query a request path runs — password sign-in by e-mail, by phone and by SNILS, the
//! session, the authorization code flow, the token endpoint (code and refresh), userinfo,
//! introspection, ESIA's REST resources of a person (`/rs/prns/{oid}`, `/ctts`, `/docs`, `/addrs`,
//! `/roles`, `/orgs`) and of an organisation (`/rs/orgs/{id}`, `/ctts`, `/addrs`, `/emps`), the
//! audit log as an auditor reads it (the admin API's pages, the console's filtered page) — is
//! captured from sqlx's own statement log while those requests are served over a database seeded
//! with 20 000 accounts (`store::seed`, as `vhod dev seed` does: COPY on PostgreSQL), then `EXPLAIN QUERY PLAN`ned:
//! a full scan of a large table fails the test, naming the statement. SQLite: `EXPLAIN QUERY PLAN`;
//! PostgreSQL (when TEST_DATABASE_URL is set): the generic plan of each prepared statement.

mod common;
#[path = "ops_query_plans/esia_requests.rs"]
mod esia_requests;
#[path = "esia_orgs/support.rs"]
mod support;

use common::*;
use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{AuthorizationCode, CsrfToken, Nonce, OAuth2TokenResponse, PkceCodeChallenge};
use sqlx::Connection;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use tracing_subscriber::layer::{Context, SubscriberExt};
use vhod::admin::Role;
use vhod::admin::auth::issue_bootstrap_token;
use vhod::store::seed::{Seed, Seeder};

const REDIRECT: &str = "https://portal.example/cb";
const LARGE: [&str; 10] = [
    "accounts",
    "identifiers",
    "credentials",
    "documents",
    "sessions",
    "grants",
    "refresh_tokens",
    "person_oids",
    "consents",
    "audit_log",
];

/// A plan step reading a whole large table ("SCAN accounts"; older SQLite "SCAN TABLE accounts"),
/// not through an index.
fn full_scan(detail: &str) -> bool {
    let words: Vec<&str> = detail
        .split_whitespace()
        .filter(|w| *w != "TABLE")
        .collect();
    words.first() == Some(&"SCAN")
        && words.get(1).is_some_and(|t| LARGE.contains(t))
        && !detail.contains("USING")
}

#[derive(Clone, Default)]
struct Statements(Arc<Mutex<BTreeSet<String>>>);

struct Visitor(Option<String>);

impl tracing::field::Visit for Visitor {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "db.statement" {
            self.0 = Some(value.to_string());
        }
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "db.statement" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Statements {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            let mut v = Visitor(None);
            event.record(&mut v);
            if let Some(sql) = v.0 {
                self.0.lock().unwrap().insert(sql.trim().to_string());
            }
        }
    }
}

#[tokio::test]
async fn request_path_queries_use_indexes_on_a_seeded_database() {
    let statements = Statements::default();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_subscriber::EnvFilter::new("sqlx::query=debug"))
        .with(statements.clone());
    tracing::subscriber::set_global_default(subscriber).unwrap();

    for backend in backends() {
        exercise(&backend, &statements).await;
    }
}

/// Serves the request paths on `backend` over 20 000 seeded accounts and explains what they ran.
async fn exercise(backend: &Backend, statements: &Statements) {
    let t = TestServer::start(backend).await;
    let (client_id, secret) = t.add_client(REDIRECT, false).await;
    let hash = t.app.passwords.hash(PASSWORD).await.unwrap();
    let expires = t.app.store.now() + 86_400;
    let mut seeder = Seeder::open(&t.app.store, &t.config.database)
        .await
        .unwrap();
    let method = match backend {
        Backend::Sqlite => "INSERT",
        Backend::Postgres { .. } => "COPY",
    };
    assert_eq!(seeder.method(), method, "{}", backend.name());
    let mut done = 0;
    while done < 20_000 {
        let count = seeder.batch().min(20_000 - done);
        let seed = Seed {
            first: done,
            count,
            hash: &hash,
            client_id: &client_id,
            expires,
        };
        seeder.add(&seed, t.app.store.now()).await.unwrap();
        done += count;
    }
    seeder.finish().await.unwrap();
    assert_eq!(t.app.store.count_accounts().await.unwrap(), 20_000);
    statements.0.lock().unwrap().clear();

    // Sign-ins by e-mail, by phone and by SNILS of seeded people, and their account page (the
    // session).
    for login in [
        "person1234@seed.example.ru".to_string(),
        "+79000004321".to_string(),
        vhod::store::seed::snils(3333),
    ] {
        let login = login.as_str();
        let b = Browser::new(&t.base);
        assert_eq!(
            login::password_status(&b, login, PASSWORD).await,
            303,
            "{login}"
        );
        assert_eq!(b.get("/account").await.status(), 200);
    }
    // The code flow, tokens, refresh, userinfo and introspection for a seeded person.
    let rp = t.rp(&client_id, secret.as_deref(), REDIRECT).await;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, _, _) = rp
        .client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(openidconnect::Scope::new("offline_access".into()))
        .set_pkce_challenge(challenge)
        .url();
    let browser = Browser::new(&t.base);
    let back = browser
        .authorize_and_login(auth_url.as_str(), "person777@seed.example.ru", PASSWORD)
        .await;
    let code = query_param(&back, "code").expect("a code");
    let tokens = rp
        .client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&rp.http)
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let userinfo = http
        .get(format!("{}/userinfo", t.base))
        .bearer_auth(tokens.access_token().secret())
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), 200);
    let introspection = http
        .post(format!("{}/introspect", t.base))
        .basic_auth(&client_id, secret.as_deref())
        .form(&[("token", tokens.access_token().secret().as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(introspection.status(), 200);
    if let Some(rt) = tokens.refresh_token() {
        rp.client
            .exchange_refresh_token(rt)
            .unwrap()
            .request_async(&rp.http)
            .await
            .expect("refresh");
    }

    // The ESIA REST resources of a person and of their organisation.
    esia_requests::exercise(&t).await;

    // The audit log as an auditor reads it: the API's pages and the console's filtered page.
    let (auditor, _) = issue_bootstrap_token(&t.app, &[Role::Auditor], "plans", 600)
        .await
        .unwrap();
    for query in ["?limit=10", "?since=1&after=1&limit=10"] {
        let res = http
            .get(format!("{}/admin/api/audit{query}", t.base))
            .bearer_auth(&auditor)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{query}");
    }
    let console = Browser::new(&t.base);
    let Landing::Page(200, login) = console.follow("/admin/console").await else {
        panic!("the console's sign-in page")
    };
    console
        .submit(&login, "/admin/console/login", &[("token", &auditor)])
        .await;
    for query in [
        "?action=client&before=100",
        "?target=x&actor=y&from=2026-01-01&to=2026-12-31&after=1",
    ] {
        match console.follow(&format!("/admin/console{query}")).await {
            Landing::Page(200, html) => assert!(html.contains("id=\"audit\""), "{query}"),
            other => panic!("{query}: {other:?}"),
        }
    }

    let captured: Vec<String> = statements.0.lock().unwrap().iter().cloned().collect();
    let (explained, scans) = match backend {
        Backend::Sqlite => explain_sqlite(&t, &captured).await,
        Backend::Postgres { db, .. } => {
            explain_postgres(db, &t.config.database.schema, &captured).await
        }
    };
    eprintln!(
        "{}: {explained} request-path statements explained",
        backend.name()
    );
    assert!(
        explained >= 60,
        "the capture saw the request paths: {captured:#?}"
    );
    assert!(
        scans.is_empty(),
        "full scans of large tables:\n{}",
        scans.join("\n")
    );
}

/// The statements that touch rows (BEGIN, PRAGMA, SET … are not planned).
fn planned(captured: &[String]) -> impl Iterator<Item = &String> {
    captured.iter().filter(|sql| {
        let head = sql.trim_start().to_ascii_uppercase();
        ["SELECT", "UPDATE", "DELETE", "INSERT", "WITH"]
            .iter()
            .any(|k| head.starts_with(k))
    })
}

async fn explain_sqlite(t: &TestServer, captured: &[String]) -> (usize, Vec<String>) {
    let file = t.config.database.url.trim_start_matches("sqlite://");
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{file}?mode=ro"))
        .await
        .unwrap();
    let (mut explained, mut scans) = (0, Vec::new());
    for sql in planned(captured) {
        let plan: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(&format!("EXPLAIN QUERY PLAN {sql}"))
                .fetch_all(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("EXPLAIN {sql}: {e}"));
        explained += 1;
        for (_, _, _, detail) in plan {
            if full_scan(&detail) {
                scans.push(format!("{detail}\n    in: {sql}"));
            }
        }
    }
    // The detector itself sees a scan where there is one.
    let (_, _, _, detail): (i64, i64, i64, String) =
        sqlx::query_as("EXPLAIN QUERY PLAN SELECT id FROM accounts WHERE surname = $1")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert!(
        full_scan(&detail),
        "an unindexed search is a scan: {detail}"
    );
    (explained, scans)
}

/// PostgreSQL 15 has no EXPLAIN (GENERIC_PLAN): each statement is prepared and its generic plan
/// (the one used for any parameter values) explained through EXECUTE with NULLs.
async fn explain_postgres(db: &str, schema: &str, captured: &[String]) -> (usize, Vec<String>) {
    use sqlx::Executor;
    let mut conn = sqlx::PgConnection::connect(db).await.unwrap();
    conn.execute(format!("SET search_path TO {schema}").as_str())
        .await
        .unwrap();
    conn.execute("ANALYZE").await.unwrap();
    conn.execute("SET plan_cache_mode = force_generic_plan")
        .await
        .unwrap();
    // With statistics PostgreSQL rightly reads a table of a few rows whole (the audit log holds
    // two here): only the tables the seed filled count. SQLite, planning without statistics,
    // judges every large table above.
    let filled: Vec<(String,)> = sqlx::query_as(
        "SELECT relname::TEXT FROM pg_class WHERE relkind = 'r' AND reltuples >= 1000 \
         AND relnamespace = current_schema()::regnamespace",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let filled: Vec<String> = filled.into_iter().map(|(t,)| t).collect();
    assert!(filled.iter().any(|t| t == "accounts"), "{filled:?}");
    let seq = |line: &str| {
        line.split("Seq Scan on ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .is_some_and(|table| LARGE.contains(&table) && filled.iter().any(|t| t == table))
    };
    let (mut explained, mut scans) = (0, Vec::new());
    for (i, sql) in planned(captured).enumerate() {
        let params = (1..=64)
            .rev()
            .find(|n| sql.contains(&format!("${n}")))
            .unwrap_or(0);
        let nulls = vec!["NULL"; params].join(", ");
        conn.execute(format!("PREPARE plan{i} AS {sql}").as_str())
            .await
            .unwrap_or_else(|e| panic!("PREPARE {sql}: {e}"));
        let execute = if params == 0 {
            format!("EXPLAIN EXECUTE plan{i}")
        } else {
            format!("EXPLAIN EXECUTE plan{i}({nulls})")
        };
        let plan: Vec<(String,)> = sqlx::query_as(&execute)
            .fetch_all(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{execute} for {sql}: {e}"));
        explained += 1;
        for (line,) in plan {
            if seq(&line) {
                scans.push(format!("{}\n    in: {sql}", line.trim()));
            }
        }
    }
    conn.execute("PREPARE probe AS SELECT id FROM accounts WHERE surname = $1")
        .await
        .unwrap();
    let plan: Vec<(String,)> = sqlx::query_as("EXPLAIN EXECUTE probe(NULL)")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert!(
        plan.iter().any(|(l,)| seq(l)),
        "an unindexed search is a scan: {plan:?}"
    );
    (explained, scans)
}
