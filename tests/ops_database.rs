//! PostgreSQL that goes away: a node reaches PostgreSQL through a TCP proxy this test starts, so
//! the test can cut it and restore it while the machine's PostgreSQL stays up for everyone else.
//! While it is cut, pages answer 503 with Retry-After within database.acquire_timeout_secs (plus a
//! margin) and show a generic page in the person's language; /readyz names the database; when the
//! proxy is restored the node serves again by itself, without a restart. The same when the proxy
//! stalls instead: connections stay open and nothing comes back (a frozen database, a lock queue,
//! a network that drops packets) — then the statements already sent are the ones that must not hang.
//!
//! Needs PostgreSQL: TEST_DATABASE_URL, or postgres://postgres@127.0.0.1:5432/test by default.

mod common;

use common::*;
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};

/// A loopback TCP proxy to `upstream` that can be cut (every open connection dropped, new ones
/// closed at once) and restored.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    /// While true, no byte is carried either way; connections stay open.
    stalled: tokio::sync::watch::Sender<bool>,
    conns: Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
    accept: tokio::task::JoinHandle<()>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let conns: Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let (up2, conns2) = (up.clone(), conns.clone());
        let (stalled, _) = tokio::sync::watch::channel(false);
        let stalled2 = stalled.clone();
        let accept = tokio::spawn(async move {
            loop {
                let Ok((inbound, _)) = listener.accept().await else {
                    return;
                };
                if !up2.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let upstream = upstream.clone();
                let (to_db, to_client) = (stalled2.subscribe(), stalled2.subscribe());
                let task = tokio::spawn(async move {
                    if let Ok(out) = TcpStream::connect(&upstream).await {
                        let (client_read, client_write) = inbound.into_split();
                        let (db_read, db_write) = out.into_split();
                        tokio::join!(
                            carry(client_read, db_write, to_db),
                            carry(db_read, client_write, to_client)
                        );
                    }
                });
                conns2.lock().unwrap().push(task.abort_handle());
            }
        });
        Proxy {
            port,
            up,
            stalled,
            conns,
            accept,
        }
    }

    fn stall(&self, on: bool) {
        self.stalled.send_replace(on);
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for c in self.conns.lock().unwrap().drain(..) {
            c.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
        self.accept.abort();
    }
}

/// Copies one direction of a connection, holding every byte while `stalled` says so.
async fn carry(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut stalled: tokio::sync::watch::Receiver<bool>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let Ok(n) = from.read(&mut buf).await else {
            return;
        };
        if n == 0 || stalled.wait_for(|s| !*s).await.is_err() {
            return;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

/// The test's PostgreSQL URL rewritten to go through the proxy on `port`.
fn through(url: &str, port: u16) -> String {
    let mut u = url::Url::parse(url).expect("TEST_DATABASE_URL is a URL");
    u.set_host(Some("127.0.0.1")).unwrap();
    u.set_port(Some(port)).unwrap();
    u.to_string()
}

async fn readiness(base: &str) -> (u16, Value) {
    let res = reqwest::get(format!("{base}/readyz")).await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

/// Within 10 s of `event` the node serves `b`'s account page and is ready, and a person signs in
/// afresh — by itself, without a restart.
async fn serves_again(t: &TestServer, b: &Browser, person: &str, event: &str) {
    let mut recovered = false;
    for _ in 0..50 {
        if timed_page(b, "/account", "en").await.0 == 200 && readiness(&t.base).await.0 == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(recovered, "the node serves again within 10 s of {event}");
    let fresh = Browser::new(&t.base);
    assert_eq!(
        login::password_status(&fresh, person, PASSWORD).await,
        303,
        "a full sign-in works again"
    );
}

/// A node whose PostgreSQL is reached through a proxy (memory cache: only the database goes
/// away), with a pool of four and an acquire timeout of 2 s.
async fn node_behind_proxy() -> (TestServer, Proxy) {
    let db = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let mut config = test_config(&Backend::Sqlite);
    let upstream = {
        let u = url::Url::parse(&db).expect("TEST_DATABASE_URL is a URL");
        format!(
            "{}:{}",
            u.host_str().unwrap_or("127.0.0.1"),
            u.port().unwrap_or(5432)
        )
    };
    let proxy = Proxy::start(upstream).await;
    config.database.url = through(&db, proxy.port);
    config.database.schema = format!("t_{}", uuid::Uuid::now_v7().simple());
    config.database.max_connections = 4;
    config.database.acquire_timeout_secs = 2;
    (
        TestServer::start_with(&Backend::Sqlite, config).await,
        proxy,
    )
}

#[tokio::test]
async fn postgres_away_answers_503_in_the_persons_language_and_the_node_recovers_by_itself() {
    let (t, proxy) = node_behind_proxy().await;
    t.add_person("pg-away@example.org").await;
    let b = Browser::new(&t.base);
    login::sign_in_to_account(&b, "pg-away@example.org").await;
    let (status, _, body, _) = timed_page(&b, "/account", "en").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(readiness(&t.base).await.0, 200);

    proxy.cut();
    for (lang, text) in [
        ("en", "The service is temporarily unavailable"),
        ("ru", "Сервис временно недоступен"),
    ] {
        let (status, retry, body, took) = timed_page(&b, "/account", lang).await;
        assert_eq!(status, 503, "{lang}: a page needing the database: {body}");
        assert!(
            retry
                .as_deref()
                .and_then(|r| r.parse::<u64>().ok())
                .is_some(),
            "Retry-After in seconds: {retry:?}"
        );
        assert!(
            took < Duration::from_secs(4),
            "answered in {took:?}, within acquire_timeout_secs (2 s) + margin"
        );
        assert!(body.contains(text), "{lang}: {body}");
        for internal in ["sqlx", "PoolTimedOut", "postgres", "database error"] {
            assert!(
                !body.contains(internal),
                "no internals ({internal}): {body}"
            );
        }
    }
    let started = Instant::now();
    let (status, ready) = readiness(&t.base).await;
    assert_eq!(status, 503);
    assert_eq!(ready["database"], "unreachable", "{ready}");
    assert_eq!(ready["cache"], "ok", "{ready}");
    assert!(started.elapsed() < Duration::from_secs(4));
    let metrics = reqwest::get(format!("{}/metrics", t.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(r#"vhod_dependency_unreachable_total{dependency="database"}"#),
        "{metrics}"
    );

    proxy.restore();
    serves_again(&t, &b, "pg-away@example.org", "PostgreSQL returning").await;
}

#[tokio::test]
async fn postgres_that_stops_answering_is_503_within_the_bound_and_the_node_recovers_when_it_answers()
 {
    let (t, proxy) = node_behind_proxy().await;
    t.add_person("pg-stall@example.org").await;
    let b = Browser::new(&t.base);
    login::sign_in_to_account(&b, "pg-stall@example.org").await;
    assert_eq!(timed_page(&b, "/account", "en").await.0, 200);
    // A portal's sign-in between the password and the consent page: its continuation reads the
    // session, the portal and the consent (before the per-request rule, it answered after two
    // deadlines, one per call).
    let (client_id, _) = t.add_client(REDIRECT, false).await;
    let mid_flow = Browser::new(&t.base);
    let (_, challenge) = pkce_pair();
    let url = authorize_url(
        &t.base,
        &client_id,
        REDIRECT,
        &[
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("prompt", "consent"),
        ],
    );
    let Landing::Page(200, form) = mid_flow.follow(&url).await else {
        panic!("the login page of the portal's sign-in");
    };
    let res = mid_flow
        .submit(
            &form,
            "/login",
            &[("login", "pg-stall@example.org"), ("password", PASSWORD)],
        )
        .await;
    let continuation = location(&res).expect("the password leads on to the continuation");
    let continuation = continuation.trim_start_matches(&t.base).to_string();

    proxy.stall(true);
    // Twice as many requests at once as the pool has connections: some send their statement and
    // get no answer, the others wait for a connection that does not come back.
    let requests = (0..8)
        .map(|i| {
            if i == 0 {
                timed_page(&mid_flow, &continuation, "en")
            } else {
                timed_page(&b, "/account", "en")
            }
        })
        .collect::<Vec<_>>();
    let answers =
        tokio::time::timeout(Duration::from_secs(15), futures::future::join_all(requests))
            .await
            .expect(
                "every request answered while the database is silent, none held until it speaks",
            );
    for (i, (status, retry, body, took)) in answers.into_iter().enumerate() {
        assert_eq!(status, 503, "{body}");
        assert!(retry.is_some(), "Retry-After");
        assert!(
            took < Duration::from_millis(3500),
            "answered in {took:?}: within acquire_timeout_secs (2 s) + margin, once per request"
        );
        // The portal's sign-in began in Russian (its login transaction keeps the language).
        let text = if i == 0 {
            "Сервис временно недоступен"
        } else {
            "The service is temporarily unavailable"
        };
        assert!(body.contains(text), "{body}");
    }
    let started = Instant::now();
    let (status, ready) = readiness(&t.base).await;
    assert_eq!(
        (status, &ready["database"]),
        (503, &Value::from("unreachable"))
    );
    assert!(started.elapsed() < Duration::from_secs(5));

    proxy.stall(false);
    serves_again(&t, &b, "pg-stall@example.org", "the database answering").await;
}
